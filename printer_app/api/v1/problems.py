"""RFC 9457 problem details: every error of the JSON API as `application/problem+json`.

Contract: a body {type, title, status, detail} (+ `errors` {field: message} for validation, + `retry_after` for
429); `type` is a relative URI under /api/problems/ naming the kind of problem. Routes raise `Problem`; the
handlers installed by `install` also turn FastAPI's request validation, the services' DomainValidationError,
NotFoundError and ConflictError, and plain HTTP errors into problems.
"""

from __future__ import annotations

import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from printer_app.services.errors import ConflictError, DomainValidationError, NotFoundError

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}
SLUGS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    422: "validation",
    429: "rate-limited",
}


class ProblemDetails(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None
    retry_after: int | None = None


def answer(about: str) -> dict:
    """An error answer of the OpenAPI document: problem details."""
    return {"description": about, "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}}


ANSWERS = {
    401: answer("No, unknown, revoked or expired credentials (WWW-Authenticate: Bearer)"),
    403: answer("Valid credentials without a permission the route needs"),
    429: answer("Too many requests: retry after Retry-After seconds"),
}
"""The error answers every guarded route documents (422 and 404 are added where they can happen)."""


class Problem(Exception):
    """An error answer of the API; `headers` go with it (WWW-Authenticate, Retry-After)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        slug: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers or {}
        self.slug = slug or SLUGS.get(status)

    def response(self) -> JSONResponse:
        body: dict = {
            "type": f"/api/problems/{self.slug}" if self.slug else "about:blank",
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        if "Retry-After" in self.headers:
            body["retry_after"] = int(self.headers["Retry-After"])
        headers = {"Cache-Control": "no-store", **self.headers}
        return JSONResponse(body, status_code=self.status, headers=headers, media_type=MEDIA_TYPE)


def _field(loc: tuple) -> str:
    """("query", "page") -> "page"; ("body", "snmp", "port") -> "snmp.port"; a whole body -> "body"."""
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts) or "body"


def validation_problem(exc: RequestValidationError) -> Problem:
    errors: dict[str, str] = {}
    for error in exc.errors():
        errors.setdefault(_field(tuple(error.get("loc", ()))), str(error.get("msg", "invalid")))
    return Problem(422, "The request has invalid values: see `errors`.", errors=errors)


def install(app: FastAPI) -> None:
    """Register the handlers that answer every error as a problem."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc).response()

    @app.exception_handler(ConflictError)
    async def _conflict(_request: Request, exc: ConflictError) -> JSONResponse:
        return Problem(409, str(exc), errors=exc.errors).response()

    @app.exception_handler(DomainValidationError)
    async def _domain(_request: Request, exc: DomainValidationError) -> JSONResponse:
        return Problem(422, str(exc), errors=exc.errors).response()

    @app.exception_handler(NotFoundError)
    async def _missing(_request: Request, exc: NotFoundError) -> JSONResponse:
        return Problem(404, str(exc)).response()

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        reference = secrets.token_hex(4)
        log.exception("API %s %s failed (reference %s)", request.method, request.url.path, reference)
        return Problem(500, f"Internal error (reference {reference}); the server log has the details.").response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return Problem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {})).response()
