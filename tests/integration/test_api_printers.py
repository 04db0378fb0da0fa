"""The JSON API's behaviour: validation as problem details, writes through the services (change log, version
conflict), paging with `next` links, ETag / If-None-Match, poll now and its result, and a generated-client walk
over the OpenAPI document that calls every operation and checks each answer against the document's schema.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from printer_app.models import EntityChangeLog, InventoryTask, MonthlyReport, Printer
from tests.factories import make_printer
from tests.integration.api_fixtures import Person, api_people_fixture, client_fixture  # noqa: F401
from tests.integration.state_fixtures import app_db  # noqa: F401  (api_people's)

PROBLEM = "application/problem+json"
_ips = itertools.count(1)


def _root(people: dict[str, Person]) -> dict[str, str]:
    return people["superuser"].headers


def test_validation_errors_are_problem_details_per_field(client: TestClient, api_people: dict[str, Person]) -> None:
    headers = _root(api_people)
    bad = client.post("/api/v1/printers", headers=headers, json={"ip_address": "999.1.1.1", "snmp_port": 70000})
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    problem = bad.json()
    assert problem["type"] == "/api/problems/validation" and problem["status"] == 422 and problem["title"]
    assert {"ip_address", "snmp_port"} <= set(problem["errors"]), problem
    typo = client.post("/api/v1/printers", headers=headers, json={"ip_address": "10.9.9.9", "ip_adress": "x"})
    assert typo.status_code == 422 and "ip_adress" in typo.json()["errors"]
    for query, field in (
        ("page_size=7", "page_size"),
        ("sort=nonsense", "sort"),
        ("page=0", "page"),
        ("status=BOGUS", "status"),
        ("match_rule=x", "match_rule"),
    ):
        answer = client.get(f"/api/v1/printers?{query}", headers=headers)
        assert answer.status_code == 422 and field in answer.json()["errors"], (query, answer.text)
    missing = client.get("/api/v1/printers/999999", headers=headers)
    assert missing.status_code == 404 and missing.json()["type"] == "/api/problems/not-found"


def _changes(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(EntityChangeLog)).one()


def test_create_update_delete_go_through_the_services(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    headers = _root(api_people)
    before = _changes(session)
    created = client.post("/api/v1/printers", headers=headers, json={"ip_address": "10.77.0.5", "serial_number": "X1"})
    assert created.status_code == 201, created.text
    printer = created.json()
    assert created.headers["location"].endswith(f"/api/v1/printers/{printer['id']}")
    assert _changes(session) == before + 1
    clash = client.post("/api/v1/printers", headers=headers, json={"ip_address": "10.77.0.5"})
    assert clash.status_code == 422 and "ip_address" in clash.json()["errors"]
    changed = client.put(
        f"/api/v1/printers/{printer['id']}",
        headers=headers,
        json={"ip_address": "10.77.0.6", "serial_number": "X1", "version": printer["version"]},
    )
    assert changed.status_code == 200 and changed.json()["ip_address"] == "10.77.0.6"
    stale = client.put(
        f"/api/v1/printers/{printer['id']}",
        headers=headers,
        json={"ip_address": "10.77.0.7", "serial_number": "X1", "version": printer["version"]},
    )
    assert stale.status_code == 409 and stale.json()["type"] == "/api/problems/conflict"
    session.expire_all()
    assert session.get(Printer, printer["id"]).ip_address == "10.77.0.6"
    assert client.delete(f"/api/v1/printers/{printer['id']}", headers=headers).status_code == 204
    session.expire_all()
    assert session.get(Printer, printer["id"]) is None
    assert client.delete(f"/api/v1/printers/{printer['id']}", headers=headers).status_code == 404


def test_paging_follows_next_links_and_etag_answers_304(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    for n in range(60):
        make_printer(session, ip_address=f"10.88.0.{n + 1}")
    session.commit()
    headers = _root(api_people)
    url: str | None = "/api/v1/printers?page_size=25&search=10.88.&sort=ip"
    seen: list[str] = []
    pages = 0
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen += [row["ip_address"] for row in body["items"]]
        url, pages = body["next"], pages + 1
    assert pages == 3 and body["total"] == 60 and body["previous"].endswith("page=2")
    assert seen == [f"10.88.0.{n + 1}" for n in range(60)], "every printer once, in IP order"
    first = client.get("/api/v1/printers?page_size=25&search=10.88.", headers=headers)
    etag = first.headers["etag"]
    same = client.get("/api/v1/printers?page_size=25&search=10.88.", headers={**headers, "If-None-Match": etag})
    assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
    make_printer(session, ip_address="10.88.0.0")
    session.commit()
    moved = client.get("/api/v1/printers?page_size=25&search=10.88.", headers={**headers, "If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["etag"] != etag
    descending = client.get("/api/v1/printers?search=10.88.&sort=ip&descending=true", headers=headers).json()
    assert descending["items"][0]["ip_address"] == "10.88.0.60"


def test_poll_now_queues_and_the_result_is_read_back(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    headers = _root(api_people)
    printer_id = session.exec(select(Printer.id).where(Printer.serial_number == "API1")).one()
    queued = client.post(f"/api/v1/printers/{printer_id}/poll", headers=headers)
    assert queued.status_code == 202, queued.text
    request = queued.json()
    assert request["state"] == "queued"
    waiting = client.get(request["status_url"], headers=headers).json()
    assert waiting["state"] == "queued" and waiting["result"] is None
    message_id = request["task_id"].split(".", 1)[1]
    session.add(InventoryTask(printer_id=printer_id, status="FAILED", error_message="timeout", message_id=message_id))
    session.commit()
    done = client.get(request["status_url"], headers=headers).json()
    assert done["state"] == "done" and done["result"]["status"] == "FAILED"
    assert client.post("/api/v1/printers/999999/poll", headers=headers).status_code == 404


# --- a generated client: everything from the OpenAPI document -------------------------------------------------------


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _sample(document: dict, schema: dict, name: str = "") -> Any:
    """A valid value of a schema, as a client generator's example would be."""
    schema = _resolve(document, schema)
    if "default" in schema:
        return schema["default"]
    if "anyOf" in schema:
        return _sample(document, schema["anyOf"][0], name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            k: _sample(document, v, k)
            for k, v in schema.get("properties", {}).items()
            if k in schema.get("required", [])
        }
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if name == "ip_address":
        return f"10.99.0.{next(_ips)}"
    return ""


def _conforms(document: dict, schema: dict, value: Any) -> bool:
    """The answer has every required property of the documented schema (recursively for objects and lists)."""
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        return any(_conforms(document, s, value) for s in schema["anyOf"])
    kind = schema.get("type")
    if kind == "object":
        return isinstance(value, dict) and all(
            k in value and _conforms(document, schema["properties"][k], value[k]) for k in schema.get("required", [])
        )
    if kind == "array":
        return isinstance(value, list) and all(_conforms(document, schema.get("items", {}), v) for v in value)
    return True


def test_a_generated_client_calls_every_operation(
    client: TestClient,
    api_people: dict[str, Person],
    session: Session,
) -> None:
    headers = _root(api_people)
    document = client.get("/api/v1/openapi.json", headers=headers).json()
    printer_id = session.exec(select(Printer.id).where(Printer.serial_number == "API1")).one()
    row_id = session.exec(select(MonthlyReport.id).where(MonthlyReport.month == date(2026, 10, 1))).one()
    values = {"printer_id": printer_id, "task_id": "1.abc", "month": "2026-10", "row_id": row_id}
    called = []
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    for path, method, op in sorted(operations, key=lambda item: item[1] == "delete"):  # the delete last
        if True:
            params = {p["name"]: p for p in op.get("parameters", [])}
            url = document["servers"][0]["url"] + path.format(**{k: values[k] for k in params if k in values})
            query = {
                n: _sample(document, p["schema"], n)
                for n, p in params.items()
                if p["in"] == "query" and (p.get("required") or "default" in p["schema"])  # no optional filters
            }
            body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body = _sample(document, body_schema) if body_schema else None
            answer = client.request(method.upper(), url, params=query, json=body, headers=headers)
            success = [code for code in op["responses"] if code.startswith("2")]
            assert str(answer.status_code) in success or (path == "/health" and answer.status_code == 503), (
                method,
                path,
                answer.status_code,
                answer.text,
            )
            schema = (
                op["responses"][str(answer.status_code)].get("content", {}).get("application/json", {}).get("schema")
            )
            if schema and answer.status_code != 204:
                assert _conforms(document, schema, answer.json()), (method, path, answer.text[:300])
            called.append((method, path))
    assert len(called) == sum(len(ops) for ops in document["paths"].values()) >= 14


def test_the_list_answers_what_the_page_shows(
    client: TestClient, api_people: dict[str, Person], session: Session
) -> None:
    from printer_app.services.inventory.printer_list import PrinterFilters, list_printers

    for n in range(8):
        printer = make_printer(session, ip_address=f"10.66.0.{n + 1}", location=f"Room {n % 3}")
        printer.is_active = n != 7
        printer.last_poll_status = "FAILED" if n % 2 else "SUCCESS"
    session.commit()
    headers = _root(api_people)
    cases = [
        ("search=room 1&sort=location", PrinterFilters(search="room 1"), "location", False),
        ("status=FAILED&sort=ip&descending=true", PrinterFilters(status="FAILED"), "ip", True),
        ("active=inactive", PrinterFilters(active="inactive"), "ip", False),
        ("status=NEVER_RUN&active=all&sort=serial", PrinterFilters(status="NEVER_RUN", active="all"), "serial", False),
    ]
    for query, filters, sort, descending in cases:
        answer = client.get(f"/api/v1/printers?{query}&page_size=200", headers=headers).json()
        session.expire_all()
        page = list_printers(session, filters=filters, sort=sort, descending=descending, page_size=200)
        assert [row["id"] for row in answer["items"]] == [row.id for row in page.rows], query
        assert answer["total"] == page.total and page.total > 0, query
