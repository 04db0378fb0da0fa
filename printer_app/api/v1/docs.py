"""/api/v1/openapi.json and /api/docs: the OpenAPI document and a readable page of it, for `view_api_docs`.

Contract: both need inventory.view_api_docs (a token or the session cookie). The page is rendered here from the
document itself, with no script and no asset from a CDN (the app runs on networks without internet): every
operation with its method, path, permissions, parameters, request body, answers, and the problem format.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, JSONResponse

from printer_app.api.v1.security import Caller, documented, requires

DOCS = ("inventory.view_api_docs",)
router = APIRouter(tags=["documentation"])


@router.get("/v1/openapi.json", summary="The OpenAPI document", openapi_extra=documented(*DOCS))
def openapi_document(request: Request, _who: Annotated[Caller, Depends(requires(*DOCS))]) -> JSONResponse:
    return JSONResponse(request.app.openapi())


def _schema_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_schema_name(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    if schema.get("type") == "array":
        return f"list[{_schema_name(schema.get('items', {}))}]"
    return str(schema.get("type", "object"))


def _operation(path: str, method: str, op: dict[str, Any]) -> str:
    perms = ", ".join(op.get("x-permissions", [])) or "none (public)"
    params = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{escape(_schema_name(p.get('schema', {})))}</td><td>{'yes' if p.get('required') else ''}</td>"
        f"<td>{escape(str(p.get('description', '')))}</td></tr>"
        for p in op.get("parameters", [])
    )
    table = (
        f"<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Required</th><th>About</th></tr>{params}</table>"
        if params
        else ""
    )
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    answers = ", ".join(f"{escape(code)} {escape(r.get('description', ''))}" for code, r in op["responses"].items())
    return (
        f'<section id="{escape(op.get("operationId", ""))}"><h3><span class="m">{method.upper()}</span> '
        f"<code>{escape(path)}</code> — {escape(op.get('summary', ''))}</h3>"
        f"<p>{escape(op.get('description', '')).replace(chr(10), '<br>')}</p>"
        f"<p><b>Permissions:</b> {escape(perms)}</p>{table}"
        + (
            f"<p><b>Body:</b> <a href='#schema-{escape(_schema_name(body))}'>{escape(_schema_name(body))}</a></p>"
            if body
            else ""
        )
        + f"<p><b>Answers:</b> {answers}</p></section>"
    )


def _schema(name: str, schema: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(field)}</code></td><td>{escape(_schema_name(spec))}</td>"
        f"<td>{escape(str(spec.get('description', '')))}</td></tr>"
        for field, spec in schema.get("properties", {}).items()
    )
    return f'<section id="schema-{escape(name)}"><h3>{escape(name)}</h3><table>{rows}</table></section>'


STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1c2024}"
    "code{background:#f0f0f3;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse;margin:.5rem 0}"
    "td,th{border:1px solid #dcdce0;padding:.2rem .5rem;text-align:left;vertical-align:top}"
    ".m{display:inline-block;min-width:4.5rem;color:#fff;background:#3e63dd;border-radius:3px;text-align:center}"
    "section{border-bottom:1px solid #e8e8ec;padding:.5rem 0}"
)


@router.get("/docs", summary="API documentation (HTML)", openapi_extra=documented(*DOCS), response_class=HTMLResponse)
def docs_page(request: Request, _who: Annotated[Caller, Depends(requires(*DOCS))]) -> HTMLResponse:
    document = request.app.openapi()
    operations = "".join(
        _operation(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()
    )
    schemas = "".join(_schema(n, s) for n, s in sorted(document.get("components", {}).get("schemas", {}).items()))
    info = document["info"]
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(info["title"])}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>'
        f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>"
        f"<p>{escape(info.get('description', '')).replace(chr(10), '<br>')}</p>"
        '<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>'
        f"<h2>Operations</h2>{operations}<h2>Schemas</h2>{schemas}</body></html>"
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
