"""The web parsing engine against a local printer web server: the real pages of tests/data/web, pages that
need Chromium, the fetch guards, the poll pipeline end to end (WEB and HYBRID) and rule templates."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from printer_app.config import get_settings
from printer_app.models import InventoryTask, PageCounter, Printer, SupplyLevel, WebParsingRule
from printer_app.models.choices import DataSource, MatchRule, PollingMethod, TaskStatus
from printer_app.services.errors import DomainValidationError
from printer_app.services.polling.pipeline import poll_and_store
from printer_app.services.polling.sources import web_reading
from printer_app.services.web import parser as web_parser
from printer_app.services.web.browser import CHROMIUM, close_browser
from printer_app.services.web.rules import evaluate_rule, load_web_rules
from printer_app.services.web.templates import apply_template, save_template
from tests.conftest import unavailable
from tests.factories import make_model, make_printer
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
from tests.snmpsim_server import SnmpSimServer
from tests.web_server import AUTH_PASSWORD, AUTH_USER, PrinterWebServer

SAMSUNG_JSON = "/sws/app/information/home/home.json"
SAMSUNG_HTML = "/Information/supplies_status.htm"
DELL_STATUS, DELL_INFO, DELL_VOLUME = "/status.asp", "/infomation.asp", "/prtmaint/prtvolume.asp"
EPSON_WF = "/PRESENTATION/HTML/TOP/PRTINFO.HTML"
EPSON_ET = "/PRESENTATION/ADVANCED/INFO_MENTINFO/TOP"
INFO_ROW = "//tr[td/b/font[normalize-space(.)='{}']]/td[2]"
EPSON_ITEM = "//tr[td[@class='item-key']/bdi='{}']/td[@class='item-value']"
EPSON_TANK = "//li[@class='tank'][div[@class='clrname']='{}']//img[@class='color']/@height"
ET_ROW = "//dt[starts-with(normalize-space(.),'{}')]/following-sibling::dd[1]"
SUPPLIES_ROW = "//td[@class='plainFont'][contains(.,'{}')]/following-sibling::td[1]"
REMAIN_TONER = "//td[@class='plainFont'][script]/text()[contains(.,'Remain Toner')]"
BROTHER_SERIAL = "B9J154306"  # what the brother_hl5370dw SNMP recording reports

# (page, field, XPath or JSON path, regex, expected value): every value the testdata README documents.
README_VALUES = [
    (SAMSUNG_JSON, "serial_number", "$.identity.serial_num", "", "ZFAYB8KGGGG1GZP"),
    (SAMSUNG_JSON, "serial_number", "", r'serial_num\s*:\s*"([^"]*)"', "ZFAYB8KGGGG1GZP"),
    (SAMSUNG_JSON, "mac_address", "$.identity.mac_addr", "", "84:25:00:00:06:48"),
    (SAMSUNG_JSON, "serial_number", "$.identity.model_name", "", "M2070 Series"),  # a string field shows the model
    (SAMSUNG_JSON, "toner_black", "$.toner_black.remaining", "", 58),
    (SAMSUNG_JSON, "toner_black", "", r"toner_black\s*:\s*\{[^}]*?remaining\s*:\s*(\d+)", 58),
    (SAMSUNG_JSON, "variable_1", "$.toner_black.cnt", "", 229),
    (SAMSUNG_JSON, "variable_2", "$.toner_cyan.opt", "", 0),
    (SAMSUNG_JSON, "variable_3", "$.drum_black.opt", "", 0),
    (SAMSUNG_HTML, "toner_black", "", r"var\s+BlackTonerPer\s*=\s*(\d+)", 66),
    (SAMSUNG_HTML, "serial_number", SUPPLIES_ROW.format("Serial Number"), "", "CRUM-15093000376"),
    (SAMSUNG_HTML, "variable_1", SUPPLIES_ROW.format("Capacity"), "", 2500),
    (DELL_STATUS, "toner_cyan", "//td/b[starts-with(normalize-space(.),'Cyan Cartridge Level')]", r"(\d+)%", 60),
    (DELL_STATUS, "toner_magenta", "//td/b[starts-with(normalize-space(.),'Magenta Cartridge Level')]", r"(\d+)%", 69),
    (DELL_STATUS, "toner_yellow", "//td/b[starts-with(normalize-space(.),'Yellow Cartridge Level')]", r"(\d+)%", 59),
    (DELL_STATUS, "toner_black", "//td/b[starts-with(normalize-space(.),'Black Cartridge Level')]", r"(\d+)%", 48),
    (DELL_INFO, "serial_number", INFO_ROW.format("Printer Serial Number"), "", "ZHJ020393"),
    (DELL_INFO, "serial_number", INFO_ROW.format("Dell Service Tag Number"), "", "GQXR3Y1"),
    (DELL_INFO, "serial_number", INFO_ROW.format("Firmware Version"), "", "01.22.00"),
    (DELL_VOLUME, "counter", INFO_ROW.format("Drucker-Seitenzähler"), "", 8862),
    (DELL_VOLUME, "counter", "(//hr/following::table)[1]//tr[1]/td[2]", "", 8862),
    (DELL_VOLUME, "counter_a4_bw", INFO_ROW.format("A4"), "", 7167),
    (EPSON_WF, "mac_address", EPSON_ITEM.format("MAC Address"), "", "B0:E8:92:05:3D:87"),
    (EPSON_WF, "serial_number", EPSON_ITEM.format("Printer Name"), "", "EPSON053D87"),
    (EPSON_ET, "counter", ET_ROW.format("Total Number of Pages"), "", 1250),
    (EPSON_ET, "counter_a4_bw", ET_ROW.format("Total Number of B&W Pages"), "", 993),
    (EPSON_ET, "counter_a4_color", ET_ROW.format("Total Number of Color Pages"), "", 257),
    (EPSON_ET, "variable_1", ET_ROW.format("Total Number of 2-Sided Printing Pages"), "", 1069),
    (EPSON_ET, "serial_number", "//dt[contains(.,'First Printing Date')]/following-sibling::dd[1]", "", "01-21-2026"),
]
# Values the README derives with arithmetic: a raw rule into a variable, then a calculated field.
CALCULATED_VALUES = [
    (DELL_STATUS, "//table[@bordercolor='Black']//td[@bgcolor='Black']/@width", "variable_1 / 2", 48),
    (EPSON_WF, EPSON_TANK.format("BK"), "variable_1 * 2", 26),
    (EPSON_WF, EPSON_TANK.format("M"), "variable_1 * 2", 72),
    (EPSON_WF, EPSON_TANK.format("Y"), "variable_1 * 2", 40),
    (EPSON_WF, EPSON_TANK.format("C"), "variable_1 * 2", 100),
    (EPSON_WF, "//li[@class='tank'][div[@class='mbicn']]//img[@class='color']/@height", "variable_1 * 2", 42),
]


@pytest.fixture(scope="module", autouse=True)
def loopback_allowed() -> Iterator[None]:
    """The test printer lives on 127.0.0.1, which the SSRF guard refuses unless ALLOW_LOOPBACK_TARGETS is set."""
    previous = os.environ.get("ALLOW_LOOPBACK_TARGETS")
    os.environ["ALLOW_LOOPBACK_TARGETS"] = "true"
    get_settings.cache_clear()
    yield
    if previous is None:
        os.environ.pop("ALLOW_LOOPBACK_TARGETS", None)
    else:
        os.environ["ALLOW_LOOPBACK_TARGETS"] = previous
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def server() -> Iterator[PrinterWebServer]:
    with PrinterWebServer() as web:
        yield web


@pytest.fixture(scope="module")
def chromium() -> Iterator[None]:
    """Debian's Chromium (never a downloaded build); the engine's shared browser is stopped after the module."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    yield
    close_browser()


@pytest.fixture
def refuse_loopback() -> Iterator[None]:
    os.environ["ALLOW_LOOPBACK_TARGETS"] = "false"
    get_settings.cache_clear()
    yield
    os.environ["ALLOW_LOOPBACK_TARGETS"] = "true"
    get_settings.cache_clear()


def device(**overrides) -> Printer:
    return Printer(ip_address="127.0.0.1", **overrides)


def rule(server: PrinterWebServer, path: str, field: str, xpath: str = "", regex: str = "", **extra) -> dict:
    return {"field_name": field, "url_path": server.path(path), "xpath": xpath, "regex_pattern": regex, **extra}


def run(server: PrinterWebServer, *rules: dict, printer: Printer | None = None) -> web_parser.WebParseResult:
    return web_parser.test_rules(printer or device(), list(rules))


# ---- the real pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "field", "xpath", "regex", "expected"), README_VALUES)
def test_readme_values(server: PrinterWebServer, path: str, field: str, xpath: str, regex: str, expected) -> None:
    result = run(server, rule(server, path, field, xpath, regex))
    assert result.errors == {}
    assert result.values == {field: expected}


@pytest.mark.parametrize(("path", "xpath", "formula", "expected"), CALCULATED_VALUES)
def test_readme_values_by_formula(server: PrinterWebServer, path: str, xpath: str, formula: str, expected) -> None:
    result = run(
        server,
        rule(server, path, "variable_1", xpath),
        {"field_name": "toner_black", "is_calculated": True, "calculation_formula": formula},
    )
    assert result.fields == {"toner_black": expected}


def test_one_printer_many_pages_each_fetched_once(server: PrinterWebServer) -> None:
    before = len(server.requests)
    result = run(
        server,
        rule(server, DELL_INFO, "serial_number", INFO_ROW.format("Printer Serial Number")),
        rule(server, DELL_VOLUME, "counter", INFO_ROW.format("Drucker-Seitenzähler")),
        rule(server, DELL_VOLUME, "variable_1", INFO_ROW.format("A4")),
        rule(server, DELL_STATUS, "toner_black", "//td/b[starts-with(normalize-space(.),'Black')]", r"(\d+)%"),
        rule(server, DELL_STATUS, "mac_address", "//td/b[starts-with(normalize-space(.),'Black')]"),
        {"field_name": "counter_a4_color", "is_calculated": True, "calculation_formula": "counter - variable_1"},
        {"field_name": "counter_a3_color", "is_calculated": True, "calculation_formula": "variable_4 + 1"},
        {"field_name": "counter_a3_bw", "is_calculated": True, "calculation_formula": "mac_address + 1"},
        {"field_name": "drum_black", "is_calculated": True, "calculation_formula": "counter / (variable_1 - 7167)"},
    )
    assert sorted(server.requests[before:]) == sorted([DELL_INFO, DELL_VOLUME, DELL_STATUS])
    assert result.fields == {"serial_number": "ZHJ020393", "counter": 8862, "toner_black": 48, "counter_a4_color": 1695}
    assert result.errors == {
        "mac_address": "not a valid MAC address (12 hex digits)",
        "counter_a3_color": "formula error: unknown variable 'variable_4'",
        "counter_a3_bw": "skipped: no value for mac_address",
        "drum_black": "formula error: division by zero",
    }
    assert result.success and result.raw["counter"] == "8862"


def test_no_field_at_all_is_a_failure(server: PrinterWebServer) -> None:
    result = run(server, rule(server, "/missing.html", "counter", "//td"), rule(server, DELL_STATUS, "counter", "//x"))
    assert not result.success
    missing = f"HTTP 404 from http://127.0.0.1:{server.port}/missing.html"
    assert result.error_text() == f"counter: {missing}; XPath matched nothing"
    only_variables = run(server, rule(server, DELL_VOLUME, "variable_1", INFO_ROW.format("A4")))
    assert not only_variables.success and only_variables.values == {"variable_1": 7167}


def test_preview_page_for_the_rule_builder(server: PrinterWebServer) -> None:
    preview = web_parser.preview_page(device(), server.path(SAMSUNG_HTML), render=False)
    assert preview.error == "" and "var BlackTonerPer\t= 66;" in preview.source
    assert "<script" not in preview.html and "CRUM-15093000376" in preview.html
    assert evaluate_rule(preview.source, {"field_name": "toner_black", "xpath": REMAIN_TONER})[1] == 66
    as_json = web_parser.preview_page(device(), server.path(SAMSUNG_JSON), render=False)
    assert as_json.html.startswith("<pre>{\n") and "&quot;ZFAYB8KGGGG1GZP&quot;" in as_json.html
    umlaut = web_parser.preview_page(device(), server.path(DELL_VOLUME), render=False)
    assert "Drucker-Seitenzähler" in umlaut.source
    assert web_parser.preview_page(device(), "//evil.example/", render=False).error.startswith("URL path")


# ---- fetch guards ----------------------------------------------------------------------------------------------


def test_basic_auth_from_the_printer(server: PrinterWebServer) -> None:
    protected = rule(server, "/auth/status.html", "serial_number", "//td[@id='serial']")
    anonymous = run(server, protected)
    assert anonymous.errors == {"serial_number": f"HTTP 401 from http://127.0.0.1:{server.port}/auth/status.html"}
    wrong = run(server, protected, printer=device(web_username=AUTH_USER, web_password="nope"))
    assert "HTTP 401" in wrong.errors["serial_number"]
    signed_in = run(server, protected, printer=device(web_username=AUTH_USER, web_password=AUTH_PASSWORD))
    assert signed_in.fields == {"serial_number": "AUTH-SN-1"}


def test_redirects_only_on_the_same_host(server: PrinterWebServer) -> None:
    same = run(server, rule(server, "/redirect/same", "toner_black", "//td/b[contains(.,'Black')]", r"(\d+)%"))
    assert same.fields == {"toner_black": 48}
    before = len(server.requests)
    for path, target in [("/redirect/other-host", "127.0.0.2"), ("/redirect/localhost", "localhost")]:
        refused = run(server, rule(server, path, "counter", "//td"))
        assert (
            refused.errors["counter"] == f"redirect to another host refused: http://{target}:{server.port}/status.asp"
        )
    assert server.requests[before:] == ["/redirect/other-host", "/redirect/localhost"]


def test_size_cap(server: PrinterWebServer) -> None:
    assert run(server, rule(server, "/big", "counter")).errors == {"counter": "page larger than 5 MB"}


@pytest.mark.usefixtures("refuse_loopback")
def test_loopback_refused_unless_allowed(server: PrinterWebServer) -> None:
    before = len(server.requests)
    result = run(server, rule(server, DELL_STATUS, "counter", "//td"))
    assert result.errors == {"counter": "refused loopback target 127.0.0.1"}
    assert web_parser.preview_page(device(), DELL_STATUS, render=False).error == "refused loopback target 127.0.0.1"
    assert server.requests[before:] == []


# ---- pages that need the browser -------------------------------------------------------------------------------

RENDER = [{"type": "wait", "wait": 0}]


@pytest.mark.usefixtures("chromium")
def test_values_written_by_script_need_the_browser(server: PrinterWebServer) -> None:
    total = rule(server, "/js/status.html", "counter", "//td[@id='total']")
    serial = rule(server, "/js/status.html", "serial_number", "//td[@id='serial']")
    static = run(server, total, serial)
    assert static.fields == {"counter": 0} and static.errors == {"serial_number": "empty value"}
    rendered = run(server, total | {"actions_chain": RENDER}, serial)  # one rule's hint renders the whole URL
    assert rendered.fields == {"counter": 12345, "serial_number": "JS-SN-0042"}
    preview = web_parser.preview_page(device(), server.path("/js/status.html"), render=True)
    assert "JS-SN-0042" in preview.source and "<script" not in preview.html


@pytest.mark.usefixtures("chromium")
def test_samsung_rendered_dom(server: PrinterWebServer) -> None:
    result = run(server, rule(server, SAMSUNG_HTML, "toner_black", REMAIN_TONER, r"\((\d+)%\)", actions_chain=RENDER))
    assert result.errors == {} and result.fields == {"toner_black": 66}


@pytest.mark.usefixtures("chromium")
def test_click_a_tab_then_read(server: PrinterWebServer) -> None:
    click = [{"type": "click", "selector": "#tab-counters", "wait": 0.5}]
    unlock = [
        {"type": "send_keys", "selector": "#pin", "value": "1234", "wait": 0},
        {"type": "click", "selector": "#unlock", "wait": 0.2},
    ]
    result = run(
        server,
        rule(server, "/js/tabs.html", "counter_a4_bw", "//dd[@id='bw']", actions_chain=click),
        rule(server, "/js/tabs.html", "counter_a4_color", "//dd[@id='color']", actions_chain=RENDER),
        rule(server, "/js/tabs.html", "serial_number", "//span[@id='serial']", actions_chain=unlock),
        rule(server, "/js/tabs.html", "counter", "//dd", actions_chain=[{"type": "click", "selector": "#nope"}]),
        rule(server, "/js/tabs.html", "toner_black", "//dd", actions_chain=[{"type": "hover", "selector": "#x"}]),
    )
    # Each rule runs its chain on the same page: the colour count is there because the first rule clicked.
    assert result.fields == {"counter_a4_bw": 4321, "counter_a4_color": 1234, "serial_number": "TAB-SN-7"}
    assert result.errors["counter"].startswith("action failed: Locator.click: Timeout")
    assert result.errors["toner_black"] == "action failed: unknown action type 'hover'"
    without_click = run(server, rule(server, "/js/tabs.html", "counter_a4_bw", "//dd[@id='bw']", actions_chain=RENDER))
    assert without_click.errors == {"counter_a4_bw": "XPath matched nothing"}


@pytest.mark.usefixtures("chromium")
def test_browser_requests_go_through_the_guard(server: PrinterWebServer) -> None:
    authed = device(web_username=AUTH_USER, web_password=AUTH_PASSWORD)
    protected = rule(server, "/auth/status.html", "counter", "//td[@id='total']", actions_chain=RENDER)
    assert run(server, protected, printer=authed).fields == {"counter": 7001}
    redirected = run(server, rule(server, "/redirect/other-host", "counter", "//td", actions_chain=RENDER))
    assert "ERR_BLOCKED_BY_CLIENT" in redirected.errors["counter"]
    assert "/status.asp" not in server.requests[-1:]


# ---- the pipeline on a real database ---------------------------------------------------------------------------


@contextmanager
def _scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
        s.commit()


def _add_rules(session: Session, printer: Printer, rules: list[dict]) -> None:
    for data in rules:
        session.add(WebParsingRule(printer_id=printer.id, **data))
    session.commit()


def _dell_rules(server: PrinterWebServer, serial_regex: str = "", serial_replacement: str = "") -> list[dict]:
    return [
        rule(server, DELL_INFO, "serial_number", INFO_ROW.format("Printer Serial Number"), serial_regex)
        | {"regex_replacement": serial_replacement},
        rule(server, DELL_VOLUME, "counter", INFO_ROW.format("Drucker-Seitenzähler")),
        rule(server, DELL_STATUS, "toner_black", "//td/b[starts-with(normalize-space(.),'Black')]", r"(\d+)%"),
    ]


def test_web_printer_polled_end_to_end(session: Session, engine: Engine, server: PrinterWebServer) -> None:
    printer = make_printer(session, ip_address="127.0.0.1", serial_number="ZHJ020393")
    assert printer.polling_method == PollingMethod.SNMP
    _add_rules(session, printer, _dell_rules(server))
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert (task.status, task.error_message) == (TaskStatus.SUCCESS, "")
    assert (task.data_source, task.match_rule) == (DataSource.WEB_SCRAPING, MatchRule.SN_ONLY)
    with _scope(engine) as check:
        counter = check.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
        assert (counter.total_pages, counter.bw_a4, counter.toner_black) == (8862, 8862, "48")
        assert check.get(Printer, printer.id).polling_method == PollingMethod.WEB  # switched and stored


def test_web_printer_via_run_inventory(session: Session, server: PrinterWebServer) -> None:
    from printer_app.services.polling.pipeline import run_inventory_for_printer

    printer = make_printer(session, ip_address="127.0.0.1", serial_number="ZHJ020393", polling_method="WEB")
    _add_rules(session, printer, _dell_rules(server))
    rules = load_web_rules(session, printer.id)
    assert [r.field_name for r in rules] == ["serial_number", "counter", "toner_black"]
    task = run_inventory_for_printer(session, printer_id=printer.id, source=lambda p: web_reading(p, rules))
    assert task.status == TaskStatus.SUCCESS and task.data_source == DataSource.WEB_SCRAPING


def test_web_printer_whose_pages_fail(session: Session, engine: Engine, server: PrinterWebServer) -> None:
    printer = make_printer(session, ip_address="127.0.0.1", polling_method=PollingMethod.WEB)
    _add_rules(session, printer, [rule(server, "/missing.html", "counter", "//td")])
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert task.status == TaskStatus.FAILED
    assert task.error_message == (
        f"Web parsing produced no data: counter: HTTP 404 from http://127.0.0.1:{server.port}/missing.html"
    )


def _hybrid_printer(session: Session, snmpsim: SnmpSimServer) -> Printer:  # noqa: F811
    return make_printer(
        session,
        ip_address=snmpsim.host,
        serial_number=BROTHER_SERIAL,
        snmp_community="brother_hl5370dw",
        snmp_port=snmpsim.port,
        polling_method=PollingMethod.HYBRID,
    )


def test_hybrid_conflict_fails_the_poll(
    session: Session,
    engine: Engine,
    server: PrinterWebServer,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    printer = _hybrid_printer(session, snmpsim)
    _add_rules(session, printer, _dell_rules(server))
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert (task.status, task.data_source) == (TaskStatus.FAILED, DataSource.HYBRID)  # a failed hybrid poll is HYBRID
    assert task.error_message == (
        f"Data merge failed: serial_number: SNMP='{BROTHER_SERIAL}' vs Web='ZHJ020393'; "
        "counter: SNMP='7792' vs Web='8862'"
    )
    with _scope(engine) as check:
        assert check.get(Printer, printer.id).polling_method == PollingMethod.HYBRID


def test_hybrid_merge_success(
    session: Session,
    engine: Engine,
    server: PrinterWebServer,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    printer = _hybrid_printer(session, snmpsim)
    rules = _dell_rules(server, serial_regex="^.*$", serial_replacement=BROTHER_SERIAL)
    _add_rules(session, printer, [rules[0], rules[2]])  # the SNMP toner is "some remaining": the web level wins
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert (task.status, task.error_message, task.data_source) == (TaskStatus.SUCCESS, "", DataSource.HYBRID)
    with _scope(engine) as check:
        counter = check.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
        assert (counter.total_pages, counter.toner_black, counter.drum_black) == (7792, "48", "69")


WORDS = "/supplies/words.html"  # Black Toner "Low", Drum Unit "OK", Cyan Toner "Replace Cartridge"


def test_web_status_words_are_stored_as_states(session: Session, engine: Engine, server: PrinterWebServer) -> None:
    printer = make_printer(session, ip_address="127.0.0.1", serial_number="ZHJ020393")
    words = [
        rule(server, WORDS, "toner_black", "//td[@id='toner']"),
        rule(server, WORDS, "drum_black", "//td[@id='drum']"),
        rule(server, WORDS, "toner_cyan", "//td[@id='cyan']"),
    ]
    _add_rules(session, printer, _dell_rules(server)[:2] + words)
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert (task.status, task.error_message) == (TaskStatus.SUCCESS, "")
    with _scope(engine) as check:
        counter = check.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
        assert (counter.toner_black, counter.drum_black, counter.toner_cyan) == ("low", "ok", "empty")
        levels = check.exec(select(SupplyLevel).where(SupplyLevel.task_id == task.id)).all()
        assert {(s.kind, s.color, s.percent, s.state) for s in levels} == {
            ("toner", "black", None, "low"),
            ("drum", "black", None, "ok"),
            ("toner", "cyan", None, "empty"),
        }


def test_hybrid_keeps_the_snmp_level_beside_a_web_status_word(
    session: Session,
    engine: Engine,
    server: PrinterWebServer,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    printer = _hybrid_printer(session, snmpsim)
    _add_rules(session, printer, [rule(server, WORDS, "drum_black", "//td[@id='drum']")])  # the page says "OK"
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert (task.status, task.error_message) == (TaskStatus.SUCCESS, "")
    with _scope(engine) as check:
        counter = check.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
        assert counter.drum_black == "69"  # the SNMP level (17208 of 25000), not the web "OK" read as 0 %


def test_hybrid_whose_web_side_yields_nothing_keeps_the_snmp_reading(
    session: Session,
    engine: Engine,
    server: PrinterWebServer,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    printer = _hybrid_printer(session, snmpsim)
    _add_rules(session, printer, [rule(server, "/missing.html", "counter", "//td")])
    task = poll_and_store(printer.id, sessions=lambda: _scope(engine))
    assert (task.status, task.error_message, task.data_source) == (TaskStatus.SUCCESS, "", DataSource.HYBRID)
    assert task.note == (
        "web side failed: Web parsing produced no data: "
        f"counter: HTTP 404 from http://127.0.0.1:{server.port}/missing.html"
    )
    with _scope(engine) as check:
        counter = check.exec(select(PageCounter).where(PageCounter.task_id == task.id)).one()
        assert (counter.total_pages, counter.drum_black) == (7792, "69")


def test_hybrid_without_rules_and_web_without_rules(
    session: Session,
    engine: Engine,
    snmpsim: SnmpSimServer,  # noqa: F811
) -> None:
    hybrid = _hybrid_printer(session, snmpsim)
    session.commit()
    task = poll_and_store(hybrid.id, sessions=lambda: _scope(engine))
    assert (task.status, task.error_message) == (TaskStatus.FAILED, "HYBRID mode requires web parsing rules")
    assert task.data_source == DataSource.HYBRID
    with _scope(engine) as change:
        change.get(Printer, hybrid.id).polling_method = PollingMethod.WEB
    task = poll_and_store(hybrid.id, sessions=lambda: _scope(engine))  # no rules: polled by SNMP, switched back
    assert (task.status, task.data_source) == (TaskStatus.SUCCESS, DataSource.SNMP_LOCAL)
    with _scope(engine) as check:
        assert check.get(Printer, hybrid.id).polling_method == PollingMethod.SNMP
        assert len(check.exec(select(InventoryTask).where(InventoryTask.printer_id == hybrid.id)).all()) == 2


# ---- templates -------------------------------------------------------------------------------------------------


def test_save_and_apply_template(session: Session, server: PrinterWebServer) -> None:
    model = make_model(session, "Dell", "C1765nfw")
    source = make_printer(session, ip_address="127.0.0.1", device_model_id=model.id)
    _add_rules(
        session, source, [*_dell_rules(server)[1:], rule(server, DELL_VOLUME, "variable_1", INFO_ROW.format("A4"))]
    )
    ids = {r.field_name: r.id for r in session.exec(select(WebParsingRule)).all()}
    _add_rules(
        session,
        source,
        [
            {
                "field_name": "counter_a4_color",
                "is_calculated": True,
                "calculation_formula": "counter - variable_1",
                "source_rules": [ids["counter"], ids["variable_1"]],
            }
        ],
    )
    with pytest.raises(DomainValidationError, match="name"):
        save_template(session, printer_id=source.id, name=" ")
    template = save_template(session, printer_id=source.id, name="Dell C1765", description="EWS", is_public=True)
    assert template.device_model_id == model.id and len(template.rules_config) == 4
    assert template.rules_config[3]["source_rules_fields"] == ["counter", "variable_1"]

    target = make_printer(session, ip_address="10.9.9.9", device_model_id=model.id)
    _add_rules(session, target, [rule(server, DELL_INFO, "serial_number", "//x")])
    created = apply_template(session, template_id=template.id, printer_id=target.id, overwrite=True)
    rules = session.exec(select(WebParsingRule).where(WebParsingRule.printer_id == target.id)).all()
    assert [r.field_name for r in rules] == ["counter", "toner_black", "variable_1", "counter_a4_color"]
    assert {r.id for r in rules} == {r.id for r in created}
    new_ids = {r.field_name: r.id for r in rules}
    assert rules[3].source_rules == [new_ids["counter"], new_ids["variable_1"]]
    assert rules[3].calculation_formula == "counter - variable_1"  # field names: nothing to remap
    assert template.usage_count == 1
    apply_template(session, template_id=template.id, printer_id=target.id)  # no overwrite: added beside
    assert len(session.exec(select(WebParsingRule).where(WebParsingRule.printer_id == target.id)).all()) == 8
    assert template.usage_count == 2

    other = make_printer(session, ip_address="10.9.9.10", device_model_id=make_model(session, "HP", "M404").id)
    with pytest.raises(DomainValidationError, match="another device model"):
        apply_template(session, template_id=template.id, printer_id=other.id)
    no_model = make_printer(session, ip_address="10.9.9.11")
    with pytest.raises(DomainValidationError, match="device model"):
        save_template(session, printer_id=no_model.id, name="x")
