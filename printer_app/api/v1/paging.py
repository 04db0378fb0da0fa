"""Paged list answers of the JSON API: the envelope, its `next` / `previous` links, and ETag / If-None-Match.

Contract: `paged(request, items, total, page, page_size)` answers {items, total, page, page_size, pages, next,
previous} where the links are absolute URLs of the same request with only `page` changed (None at the ends).
The ETag is a weak hash of the body: a request whose If-None-Match names it gets 304 with no body.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from starlette.responses import Response

from printer_app.api.v1.problems import Problem
from printer_app.services.paging import PAGE_SIZES, page_count

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; follow `next` until it is null to read them all."""

    items: list[T]
    total: int
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None


def checked_size(value: int) -> int:
    """A page size the pages offer (PAGE_SIZES), else a 422 problem naming the choices."""
    if value not in PAGE_SIZES:
        raise Problem(422, "Invalid page size.", errors={"page_size": f"must be one of {list(PAGE_SIZES)}"})
    return value


def _link(request: Request, page: int) -> str:
    return str(request.url.include_query_params(page=page))


def paged(request: Request, items: list[Any], *, total: int, page: int, page_size: int) -> Response:
    pages = page_count(total, page_size)
    body = {
        "items": items,
        "total": total,
        "page": page,
        "page_size": page_size,
        "pages": pages,
        "next": _link(request, page + 1) if page < pages else None,
        "previous": _link(request, page - 1) if page > 1 else None,
    }
    return cached_json(request, body)


def cached_json(request: Request, body: Any) -> Response:
    """`body` as JSON with a weak ETag; 304 when the client already holds this version."""
    content = json.dumps(jsonable_encoder(body), ensure_ascii=False, separators=(",", ":")).encode()
    etag = f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    wanted = {t.strip() for t in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or etag.removeprefix("W/") in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(content=content, media_type="application/json", headers=headers)
