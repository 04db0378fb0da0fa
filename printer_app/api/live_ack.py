"""POST /_live/ack: a tab says it rendered a live update, so that its listener may send the next one.

The tab's listener may run in another backend process than the one this request reaches (several processes, or
several machines behind a load balancer): an acknowledgement no listener of this process awaits goes through the
event bus to the others.
"""

from __future__ import annotations

import asyncio
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from printer_app.config import get_settings
from printer_app.services import events
from printer_app.state.live.hub import acks

MAX_BODY = 256
MAX_TOKEN = 64
MAX_SEQ = 2**31


def _parse(body: bytes) -> tuple[str, int] | None:
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    token, seq = (data.get("token"), data.get("seq")) if isinstance(data, dict) else (None, None)
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        return None
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < MAX_SEQ:
        return None
    return token, seq


async def live_ack(request: Request) -> Response:
    parsed = _parse(await request.body())
    if parsed is None:
        return Response("token (text) and seq (a positive whole number) expected", status_code=400)
    token, seq = parsed
    if not acks.resolve(token, seq) and get_settings().redis_url:
        await asyncio.to_thread(events.publish, events.LIVE_ACK, {"token": token, "seq": seq})
    return Response(status_code=204)


def install(app: Starlette) -> None:
    app.router.routes.append(Route("/_live/ack", live_ack, methods=["POST"], name="live_ack"))
