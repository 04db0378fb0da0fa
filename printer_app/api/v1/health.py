"""/api/health: is the service able to work? The database, Redis (when configured) and workers seen lately.

Contract: public (load balancers and monitoring call it without credentials); it tells nothing but states and a
count. 200 with status "ok" when the database answers, Redis answers (or is not configured) and at least one
worker was seen in the last minute; else 503 with status "degraded" and the failing part named.
Workers seen: with Redis, the Dramatiq broker's own heartbeat set (every worker process's consumers write it
while they fetch; this process's broker id is left out, it only sends); embedded, the in-process worker alive.
"""

from __future__ import annotations

import time

from fastapi import APIRouter
from sqlalchemy import text
from starlette.responses import JSONResponse

from printer_app.api.v1.schemas import Health
from printer_app.config import get_settings
from printer_app.db import session_scope
from printer_app.redis_client import shared_client

router = APIRouter(tags=["health"])
SEEN_WITHIN_MS = 60_000


def _database() -> str:
    try:
        with session_scope() as session:
            session.exec(text("SELECT 1"))
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _redis_and_workers() -> tuple[str, int]:
    from workers import embedded
    from workers.broker import broker

    client = shared_client()
    if client is None:
        alive = sum(1 for w in embedded._workers if any(t.is_alive() for t in w.workers))
        return "not configured", alive
    try:
        client.ping()
        key = f"{getattr(broker, 'namespace', 'dramatiq')}:__heartbeats__"
        seen = client.zrangebyscore(key, int(time.time() * 1000) - SEEN_WITHIN_MS, "+inf")
        own = getattr(broker, "broker_id", "").encode()
        return "ok", sum(1 for worker in seen if worker != own)
    except Exception as exc:
        return f"error: {type(exc).__name__}", 0


@router.get("/health", response_model=Health, summary="Service health", responses={503: {"model": Health}})
def health() -> JSONResponse:
    database = _database()
    redis_state, workers = _redis_and_workers()
    healthy = database == "ok" and redis_state in ("ok", "not configured") and workers > 0
    body = Health(
        status="ok" if healthy else "degraded",
        database=database,
        redis=redis_state,
        workers=workers,
        mode="embedded" if get_settings().embedded else "distributed",
    )
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})
