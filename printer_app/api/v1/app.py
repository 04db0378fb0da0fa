"""The JSON API app (FastAPI) mounted at /api beside the pages: /api/v1/..., /api/health, /api/docs.

Contract: `install(outer)` mounts it on the app's Starlette app after api/auth.py's `install` (it shares that
sign-in configuration, so the session cookie works here too, and the same-origin guard wraps it). FastAPI's own
docs (CDN assets) are off; api/v1/docs.py serves the document and an offline page to `view_api_docs` holders.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.applications import Starlette

from printer_app.api.v1 import directory, docs, health, printers, problems, report_edit
from printer_app.api.v1.bulkhead import Bulkhead

DESCRIPTION = """The Printer Inventory JSON API: the data of the pages, with the same permissions.

Authenticate with a personal token from your profile page (/profile): `Authorization: Bearer pi_...`; in the
browser the session cookie works too. 401: no or bad credentials (unknown, revoked, expired token); 403: valid
credentials without the permission the route names; 429: too many requests (see Retry-After).
Errors are RFC 9457 problem details (application/problem+json: type, title, status, detail; `errors` maps
fields to messages on 422). Lists are paged: follow `next` until it is null; send the ETag back as If-None-Match
to get 304 when nothing changed."""


def build() -> FastAPI:
    api = FastAPI(
        title="Printer Inventory API",
        version="1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        servers=[{"url": "/api"}],
    )
    problems.install(api)
    api.add_middleware(Bulkhead)  # innermost of FastAPI's own: the error handlers answer around it
    for module in (printers, directory, report_edit, docs):
        api.include_router(module.router, responses=problems.ANSWERS)
    api.include_router(health.router)
    api.openapi = lambda: _document(api)  # type: ignore[method-assign]
    return api


def _document(api: FastAPI) -> dict:
    """FastAPI's document (built once), with the problem details schema the error answers refer to."""
    if api.openapi_schema is None:
        document = get_openapi(
            title=api.title,
            version=api.version,
            description=api.description,
            routes=api.routes,
            servers=api.servers,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["ProblemDetails"] = problems.ProblemDetails.model_json_schema()
        for operations in document["paths"].values():  # our 422 is a problem, not FastAPI's HTTPValidationError
            for operation in operations.values():
                if "422" in operation["responses"]:
                    operation["responses"]["422"] = problems.answer("Invalid values: `errors` names each field")
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        api.openapi_schema = document
    return api.openapi_schema


def install(outer: Starlette) -> FastAPI:
    """Mount the API at /api on the app's Starlette app (whose `state.auth` api/auth.py's install set)."""
    api = build()
    api.state.auth = outer.state.auth
    outer.mount("/api", api)
    return api
