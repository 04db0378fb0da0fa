"""Role x page/action matrix: every page load and data handler of the Reflex states, called directly on the server.

Each case builds the app's real state tree with the Cookie header a browser would have sent, calls the event
handler itself (not the UI), and checks the outcome against the permissions the role holds: a refusal sends the
anonymous user to the login page, shows the access-denied panel on a page, answers a toast "Not allowed" for an
action — and leaves the database and the queues untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, func, select

from printer_app.models import EntityChangeLog, Organization, Printer
from printer_app.services.access import auth
from printer_app.services.access.roles import PERMISSIONS, ROLES, bootstrap_roles, set_user_groups, user_permissions
from tests.factories import make_printer
from tests.integration.state_fixtures import app_db, run_handler  # noqa: F401

PASSWORD = "Matrix-password-2026"
ROLE_NAMES = (
    "Viewer",
    "Inventory — Viewer",
    "Inventory — Editor",
    "Inventory — Administrator",
    "Inventory operator",
    "Users — Management",
    "Dashboard — Viewer",
    "Contracts — Administrator",
    "Monthly reports — Viewer",
    "Monthly reports — Upload",
)
INV_VIEW = ("inventory.access_inventory_app", "inventory.view_printer")
ORG_VIEW = ("inventory.access_inventory_app", "inventory.view_organization")
REF_VIEW = ("contracts.access_contracts_app", "contracts.view_city")
REPORT_UPLOAD = ("monthly_report.upload_monthly_report",)
REPORTS = "monthly_report.access_monthly_report"
REPORTS_VIEW = (REPORTS,)


@dataclass
class Who:
    name: str
    cookie: str
    perms: frozenset[str]
    superuser: bool = False
    username: str = ""

    def holds(self, perms: tuple[str, ...]) -> bool:
        return self.superuser or set(perms) <= self.perms


def _signed_in(session: Session, roles: tuple[str, ...], *, prefix: str) -> dict[str, Who]:
    """One signed-in local user per role (user names `<prefix><n>`), a user without groups, a superuser, and nobody
    (no cookie); the role groups bootstrapped first."""
    bootstrap_roles(session)
    cookie = auth.SessionCookie()
    people: dict[str, Who] = {"anonymous": Who("anonymous", "", frozenset())}
    for index, role in enumerate([*roles, "no groups", "superuser"]):
        user = auth.create_local_user(
            session, username=f"{prefix}{index}", password=PASSWORD, is_superuser=role == "superuser"
        )
        if role not in ("no groups", "superuser"):
            set_user_groups(session, user=user, group_names=[role], actor_id=None)
        raw = auth.create_session(session, user=user, auth_method=auth.LOCAL)
        perms = frozenset(user_permissions(session, user))
        people[role] = Who(role, f"pi_session={cookie.sign(raw)}", perms, role == "superuser", user.username)
    return people


@pytest.fixture
def people(app_db: str, session: Session) -> dict[str, Who]:  # noqa: F811
    """One signed-in local user per role, a user without groups, a superuser, and nobody (no cookie)."""
    people = _signed_in(session, ROLE_NAMES, prefix="user")
    org = Organization(name="Matrix org")
    session.add(org)
    make_printer(session, ip_address="127.30.0.1", serial_number="MATRIX1")
    session.commit()
    return people


def _state(cls: type[rx.State], who: Who, path: str = "/", params: dict | None = None) -> rx.State:
    """The state instance of `cls` in a fresh tree, as the browser's websocket with this Cookie header would see."""
    root = rx.State(_reflex_internal_init=True)
    headers = {"cookie": who.cookie, "user-agent": "matrix-test", "origin": "http://localhost:3000"}
    if params and "id" in params:
        path = path.replace("/1", f"/{params['id']}", 1)
    root.router = RouterData.from_router_data(
        {"headers": headers, "pathname": path, "asPath": path, "query": params or {}}
    )
    return root.get_substate(cls.get_full_name().split("."))


def _refusal(result: object, state: rx.State) -> str | None:
    """How the handler refused ("login", "denied", "toast") or None when it ran."""
    text = repr(result)
    if "/auth/login" in text:
        return "login"
    if "_redirect" in text and "/printers" in text:
        return "to printers"
    if "Not allowed" in text:
        return "toast"
    if result == [] and state.access == "denied":
        return "denied"
    return None


def _count(session: Session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _printer_id(session: Session) -> int:
    return session.exec(select(Printer.id).where(Printer.serial_number == "MATRIX1")).one()


# ------------------------------------------------------------------------------------------------ the entry points


def _pages() -> list[tuple[str, tuple[str, ...], Callable]]:
    from printer_app.state.access.change_log import ChangeLogState
    from printer_app.state.access.users import UsersState
    from printer_app.state.access.whitelist import WhitelistState
    from printer_app.state.contracts.contract_import import ContractImportState
    from printer_app.state.contracts.reference import ReferenceState
    from printer_app.state.inventory.dashboard import DashboardState
    from printer_app.state.inventory.discovery import DiscoveryState
    from printer_app.state.inventory.organizations import OrganizationsState
    from printer_app.state.inventory.printer_detail import PrinterDetailState
    from printer_app.state.inventory.printers import PrintersState
    from printer_app.state.reports.charts import ChartsState
    from printer_app.state.reports.month_table import MonthTableState
    from printer_app.state.reports.upload import ReportUploadState
    from printer_app.state.supplies.alert_rules import AlertRulesState
    from printer_app.state.supplies.alerts import SupplyAlertsState
    from printer_app.state.web.rules import WebRulesState

    def load(cls, path: str, params: dict | None = None) -> Callable:
        def call(who: Who, session: Session):
            state = _state(cls, who, path, params)
            if params is not None:
                params["id"] = str(_printer_id(session))
                state = _state(cls, who, path, params)
            return state, run_handler(cls.load, state)

        return call

    return [
        ("/", ("dashboard.access_dashboard_app",), load(DashboardState, "/")),
        ("/printers", INV_VIEW, load(PrintersState, "/printers")),
        ("/printers/[id]", INV_VIEW, load(PrinterDetailState, "/printers/1", {"id": "0"})),
        ("/discover", ("inventory.access_inventory_app", "inventory.run_inventory"), load(DiscoveryState, "/discover")),
        ("/organizations", ORG_VIEW, load(OrganizationsState, "/organizations")),
        ("/users (accounts)", ("access.manage_users",), load(UsersState, "/users")),
        ("/users (whitelist)", ("access.manage_users",), load(WhitelistState, "/users")),
        ("/changes", ("access.view_entity_changes",), load(ChangeLogState, "/changes")),
        ("/contracts/reference", REF_VIEW, load(ReferenceState, "/contracts/reference")),
        (
            "/printers/[id]/web",
            ("inventory.access_inventory_app", "inventory.view_web_parsing"),
            load(WebRulesState, "/printers/1/web", {"id": "0"}),
        ),
        (
            "/contracts/import",
            ("contracts.access_contracts_app", "contracts.import_contracts"),
            load(ContractImportState, "/contracts/import"),
        ),
        ("/reports/upload", REPORT_UPLOAD, load(ReportUploadState, "/reports/upload")),
        ("/reports/[month]", (REPORTS,), load(MonthTableState, "/reports/2026-10", {"month": "2026-10"})),
        ("/reports/charts", REPORTS_VIEW, load(ChartsState, "/reports/charts")),
        ("/supplies/alerts", INV_VIEW, load(SupplyAlertsState, "/supplies/alerts")),
        ("/supplies/alert-rules", ("inventory.manage_supply_alerts",), load(AlertRulesState, "/supplies/alert-rules")),
    ]


PAGES = [name for name, _, _ in _pages()]


@pytest.mark.parametrize("page", PAGES)
def test_page_loads(people: dict[str, Who], session: Session, page: str) -> None:
    _, perms, call = next(p for p in _pages() if p[0] == page)
    outcomes = {}
    for who in people.values():
        state, result = call(who, session)
        outcomes[who.name] = _refusal(result, state)
        if who.name == "anonymous":
            assert outcomes[who.name] == "login", f"{page} must send a signed-out visitor to the login page"
        elif who.holds(perms):
            assert outcomes[who.name] is None and state.access == "ok", f"{who.name} must open {page}"
            if "[id]" in page:  # the printer of the URL's path was loaded
                assert state.printer_id == _printer_id(session) and not state.not_found
        elif page == "/" and who.holds(INV_VIEW):
            assert outcomes[who.name] == "to printers", f"{who.name} lands on the printers instead"
        else:
            assert outcomes[who.name] == "denied", f"{who.name} must not open {page}"
    assert any(o is None for o in outcomes.values()) and any(o == "denied" for o in outcomes.values())


def _printer_form_save(who: Who, session: Session):
    from printer_app.state.inventory.printer_form import PrinterFormState

    state = _state(PrinterFormState, who, "/printers")
    before = _count(session, Printer)
    state.editing_id, state.organization_id, state.device_model_id = 0, "none", "none"
    state.ip_address = f"127.30.2.{before + 1}"  # a new address each time: a duplicate would be a validation error
    result = run_handler(PrinterFormState.save, state)
    assert not state.errors, state.errors
    return state, result, _count(session, Printer) - before


def _printer_edit_save(who: Who, session: Session):
    from printer_app.state.inventory.printer_form import PrinterFormState

    printer_id = _printer_id(session)
    state = _state(PrinterFormState, who, "/printers")
    run_handler(PrinterFormState.open_edit, state, printer_id)  # refused for those who may not change printers
    state.editing_id = printer_id  # as a forged event would: the save must still check the permission
    state.serial_number = f"EDIT-{who.name[:20]}"
    result = run_handler(PrinterFormState.save, state)
    session.expire_all()
    printer = session.get(Printer, printer_id)
    changed = printer.serial_number != "MATRIX1"
    if changed:  # put it back for the next person
        printer.serial_number = "MATRIX1"
        session.commit()
    return state, result, int(changed)


def _printer_delete(who: Who, session: Session):
    from printer_app.state.inventory.printer_form import PrinterFormState

    spare_id = make_printer(session, ip_address="127.30.0.50", serial_number="SPARE").id
    session.commit()
    state = _state(PrinterFormState, who, "/printers")
    state.confirm_delete_id, state.confirm_delete_label = spare_id, "spare"
    result = run_handler(PrinterFormState.confirm_delete, state)
    session.expunge_all()
    gone = session.get(Printer, spare_id) is None
    if not gone:
        session.delete(session.get(Printer, spare_id))
        session.commit()
    return state, result, int(gone)


def _accept_baseline(who: Who, session: Session):
    from printer_app.state.inventory.printer_detail import PrinterDetailState

    printer_id = _printer_id(session)
    state = _state(PrinterDetailState, who, "/printers/1", {"id": str(printer_id)})
    state.printer_id = printer_id
    result = run_handler(PrinterDetailState.accept_baseline, state)
    session.expire_all()
    printer = session.get(Printer, printer_id)
    changed = printer.counter_baseline_at is not None
    if changed:  # undo it for the next person
        printer.counter_baseline_at = None
        session.commit()
    return state, result, int(changed)


def _open_form(handler: str, with_id: bool):
    def call(who: Who, session: Session):
        from printer_app.state.inventory.printer_form import PrinterFormState

        state = _state(PrinterFormState, who, "/printers")
        args = (_printer_id(session),) if with_id else ()
        result = run_handler(getattr(PrinterFormState, handler), state, *args)
        return state, result, int(state.open)

    return call


def _org_save(who: Who, session: Session):
    from printer_app.state.inventory.organizations import OrganizationsState

    state = _state(OrganizationsState, who, "/organizations")
    state.editing_id, state.name, state.code = 0, f"Org of {who.name}", ""
    before = _count(session, Organization)
    result = run_handler(OrganizationsState.save, state)
    return state, result, _count(session, Organization) - before


def _org_toggle(who: Who, session: Session):
    from printer_app.state.inventory.organizations import OrganizationsState

    org = session.exec(select(Organization).where(Organization.name == "Matrix org")).one()
    state = _state(OrganizationsState, who, "/organizations")
    result = run_handler(OrganizationsState.toggle_active, state, org.id, org.active)
    session.expire_all()
    changed = not session.get(Organization, org.id).active
    if changed:
        session.get(Organization, org.id).active = True
        session.commit()
    return state, result, int(changed)


def _list_handler(cls_name: str, module: str, handler: str, path: str, *args):
    def call(who: Who, session: Session):
        import importlib

        cls = getattr(importlib.import_module(module), cls_name)
        state = _state(cls, who, path)
        result = run_handler(getattr(cls, handler), state, *args)
        rows = getattr(state, "rows", None)
        return state, result, int(bool(rows))

    return call


def _queued(handler: str, *args):
    def call(who: Who, session: Session):
        from printer_app.state.live.state import LiveState
        from workers.broker import broker

        sizes = {name: broker.queues[name].qsize() for name in broker.queues} if hasattr(broker, "queues") else {}
        state = _state(LiveState, who, "/printers")
        real_args = [_printer_id(session) if a == "PRINTER" else a for a in args]
        result = run_handler(getattr(LiveState, handler), state, *real_args)
        grown = sum(broker.queues[n].qsize() - sizes.get(n, 0) for n in broker.queues)
        for name in list(broker.queues):
            broker.flush(name)
        return state, result, int(grown > 0)

    return call


def _discovery_start(who: Who, session: Session):
    from printer_app.state.inventory.discovery import DiscoveryState
    from workers.broker import broker

    state = _state(DiscoveryState, who, "/discover")
    state.targets, state.community, state.port, state.version = "127.30.1.1-127.30.1.3", "public", "161", "2c"
    result = run_handler(DiscoveryState.start, state)
    grown = sum(broker.queues[n].qsize() for n in broker.queues)
    broker.flush_all()
    return state, result, int(grown > 0)


def _user_create(who: Who, session: Session):
    from printer_app.models import User
    from printer_app.state.access.user_form import NewUserState

    before = _count(session, User)
    state = _state(NewUserState, who, "/users")
    state.form = {"username": f"made{before}", "full_name": "", "email": "", "password": PASSWORD}
    result = run_handler(NewUserState.save, state)
    return state, result, _count(session, User) - before


def _whitelist_add(who: Who, session: Session):
    from printer_app.models import AllowedUser
    from printer_app.state.access.whitelist import WhitelistState

    before = _count(session, AllowedUser)
    state = _state(WhitelistState, who, "/users")
    state.form = {"username": f"sso{before}", "full_name": "", "email": "", "notes": ""}
    result = run_handler(WhitelistState.save, state)
    return state, result, _count(session, AllowedUser) - before


def _web_rule_save(who: Who, session: Session):
    from printer_app.models import WebParsingRule
    from printer_app.state.web.rule_editor import WebRuleEditorState

    before = _count(session, WebParsingRule)
    state = _state(WebRuleEditorState, who, "/printers/1/web", {"id": str(_printer_id(session))})
    state.field_name, state.url_path, state.xpath = "counter", f"/page{before}.html", "//td[@id='total']"
    result = run_handler(WebRuleEditorState.save, state)
    return state, result, _count(session, WebParsingRule) - before


def _city_add(who: Who, session: Session):
    from printer_app.models import City
    from printer_app.state.contracts.reference import ReferenceState

    before = _count(session, City)
    state = _state(ReferenceState, who, "/contracts/reference")
    state.tab, state.editing_id, state.form = "city", 0, {"name": f"City of {who.name}"}
    result = run_handler(ReferenceState.save, state)
    return state, result, _count(session, City) - before


def _city_delete(who: Who, session: Session):
    from printer_app.models import City
    from printer_app.state.contracts.reference import ReferenceState

    spare = City(name="Spare city")
    session.add(spare)
    session.commit()
    state = _state(ReferenceState, who, "/contracts/reference")
    state.tab, state.delete_id = "city", spare.id
    result = run_handler(ReferenceState.confirm_delete, state)
    session.expunge_all()
    gone = session.get(City, spare.id) is None
    if not gone:
        session.delete(session.get(City, spare.id))
        session.commit()
    return state, result, int(gone)


class _File:
    """What rx.upload hands a handler: a name and the bytes."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data = name, data

    async def read(self) -> bytes:
        return self._data


def _month_book() -> bytes:
    from tests.report_workbooks import SHORT_RU, row, xlsx

    return xlsx([SHORT_RU, row("Matrix org", "MATRIX1")])


def _report_analyse(who: Who, session: Session):
    from printer_app.models.reports import ReportUpload
    from printer_app.state.reports.upload import ReportUploadState

    before = _count(session, ReportUpload)
    state = _state(ReportUploadState, who, "/reports/upload")
    state.month = "2026-03"
    result = run_handler(ReportUploadState.upload, state, [_File("m.xlsx", _month_book())])
    return state, result, _count(session, ReportUpload) - before


def _report_import(who: Who, session: Session):
    from datetime import date

    from printer_app.models.reports import MonthlyReport
    from printer_app.services.reports import upload
    from printer_app.state.reports.upload import ReportUploadState

    stored = upload.store(
        session, upload.analyse(session, _month_book(), file_name="m.xlsx"), month=date(2026, 3, 1), user_id=None
    )
    session.commit()
    before = _count(session, MonthlyReport)
    state = _state(ReportUploadState, who, "/reports/upload")
    state.month, state.upload_id, state.rows_read = "2026-03", stored.id, 1
    result = run_handler(ReportUploadState.import_month, state)
    return state, result, _count(session, MonthlyReport) - before


def _report_edit(who: Who, session: Session):
    """Type a new A into a row of an open month, as the table's inline editor sends it."""
    from datetime import UTC, date, datetime, timedelta

    from printer_app.models import MonthControl, MonthlyReport
    from printer_app.state.reports.month_table import MonthTableState
    from printer_app.state.reports.table_view import RowView

    row = session.exec(select(MonthlyReport).where(MonthlyReport.serial_number == "MATRIX-R")).first()
    if row is None:
        session.add(MonthControl(month=date(2026, 10, 1), edit_until=datetime.now(UTC) + timedelta(days=1)))
        row = MonthlyReport(month=date(2026, 10, 1), serial_number="MATRIX-R", normative_availability=1)
        session.add(row)
        session.commit()
    session.refresh(row)
    before = row.normative_availability
    state = _state(MonthTableState, who, "/reports/2026-10", {"month": "2026-10"})
    state.report_month, state.editable, state.editing = "2026-10", True, f"{row.id}:normative_availability"
    state.rows = [RowView(id=row.id, raw={"normative_availability": repr(before)})]
    result = run_handler(MonthTableState.save_edit, state, {"value": str(int(before) + 1)})
    session.expire_all()
    return state, result, int(session.get(MonthlyReport, row.id).normative_availability != before)


def _charts(handler: str, *args, effect: Callable[[rx.State], bool]):
    """A handler of the SLA charts page over one published month of one row (seeded once)."""

    def call(who: Who, session: Session):
        from datetime import date

        from printer_app.models import MonthControl, MonthlyReport
        from printer_app.state.reports.charts import ChartsState

        if not _count(session, MonthlyReport):
            session.add(MonthlyReport(month=date(2026, 10, 1), organization="Matrix org", a4_bw_end=5))
            session.add(MonthControl(month=date(2026, 10, 1), is_published=True))
            session.commit()
        state = _state(ChartsState, who, "/reports/charts")
        state.organizations = ["Matrix org"]
        result = run_handler(getattr(ChartsState, handler), state, *args)
        return state, result, int(effect(state))

    return call


ACTIONS: list[tuple[str, tuple[str, ...], Callable]] = [
    (
        "printers: sort",
        INV_VIEW,
        _list_handler("PrintersState", "printer_app.state.inventory.printers", "sort_by", "/", "ip"),
    ),
    (
        "printers: search",
        INV_VIEW,
        _list_handler("PrintersState", "printer_app.state.inventory.printers", "set_search", "/", ""),
    ),
    ("printer: open add dialog", ("inventory.add_printer",), _open_form("open_new", False)),
    ("printer: open edit dialog", ("inventory.change_printer",), _open_form("open_edit", True)),
    ("printer: add", ("inventory.add_printer",), _printer_form_save),
    ("printer: edit", ("inventory.change_printer",), _printer_edit_save),
    ("printer: delete", ("inventory.delete_printer",), _printer_delete),
    ("printer: accept counter baseline", (*INV_VIEW, "inventory.change_printer"), _accept_baseline),
    ("organization: add", ("inventory.add_organization",), _org_save),
    ("organization: deactivate", ("inventory.change_organization",), _org_toggle),
    (
        "organizations: sort",
        ORG_VIEW,
        _list_handler("OrganizationsState", "printer_app.state.inventory.organizations", "sort_by", "/", "name"),
    ),
    ("poll now", ("inventory.run_inventory",), _queued("poll_now", "PRINTER")),
    ("poll all", ("inventory.run_inventory",), _queued("poll_all")),
    ("discovery: start", ("inventory.run_inventory",), _discovery_start),
    ("web rule: save", ("inventory.manage_web_parsing",), _web_rule_save),
    ("reference: add a city", ("contracts.access_contracts_app", "contracts.add_city"), _city_add),
    ("reference: delete a city", ("contracts.access_contracts_app", "contracts.delete_city"), _city_delete),
    ("month upload: analyse a workbook", REPORT_UPLOAD, _report_analyse),
    ("month upload: import", REPORT_UPLOAD, _report_import),
    ("charts: target line", REPORTS_VIEW, _charts("set_target", "80", effect=lambda s: s.target == 80)),
    (
        "charts: organization filter",
        REPORTS_VIEW,
        _charts(
            "toggle_organization", "Matrix org", effect=lambda s: s.chosen == ["Matrix org"] and bool(s.volume_table)
        ),
    ),
    ("charts: all organizations", REPORTS_VIEW, _charts("all_organizations", effect=lambda s: bool(s.sla_table))),
    (
        "charts: month range",
        REPORTS_VIEW,
        _charts("set_month_range", "from", "2026-10", effect=lambda s: bool(s.shown)),
    ),
    ("charts: worst month", REPORTS_VIEW, _charts("set_worst_month", "2026-10", effect=lambda s: bool(s.shown))),
    ("user: create", ("access.manage_users",), _user_create),
    ("whitelist: add", ("access.manage_users",), _whitelist_add),
    (
        "users: sort",
        ("access.manage_users",),
        _list_handler("UsersState", "printer_app.state.access.users", "sort_by", "/", "username"),
    ),
    (
        "change log: filter",
        ("access.view_entity_changes",),
        _list_handler("ChangeLogState", "printer_app.state.access.change_log", "set_search", "/", ""),
    ),
    ("month table: edit A", (REPORTS, "monthly_report.upload_monthly_report"), _report_edit),
]


@pytest.mark.parametrize("action", [name for name, _, _ in ACTIONS])
def test_actions(people: dict[str, Who], session: Session, action: str) -> None:
    _, perms, call = next(a for a in ACTIONS if a[0] == action)
    for who in people.values():
        state, result, effect = call(who, session)
        refusal = _refusal(result, state)
        if who.name == "anonymous":
            assert refusal == "login" and not effect, f"{action}: a signed-out caller must be refused"
        elif who.holds(perms):
            assert refusal is None and effect, f"{action}: {who.name} holds {perms} and must succeed ({result!r})"
        else:
            assert refusal == "toast" and not effect, f"{action}: {who.name} must be refused, nothing changed"


def test_matrix_anchors(people: dict[str, Who]) -> None:
    """The role catalogue as docs/access.md §11 describes it, so the matrix above is not just permissions vs
    themselves."""
    can = {name: who.holds for name, who in people.items()}
    assert can["Viewer"](INV_VIEW) and not can["Viewer"](("inventory.add_printer",))
    assert can["Inventory — Editor"](("inventory.change_printer",)) and not can["Inventory — Editor"](
        ("inventory.run_inventory",)
    )
    assert can["Inventory — Administrator"](("inventory.run_inventory", "inventory.manage_web_parsing"))
    assert not can["Users — Management"](INV_VIEW) and can["Users — Management"](("access.manage_users",))
    assert not can["Contracts — Administrator"](INV_VIEW) and not can["no groups"](INV_VIEW)
    assert {r.name for r in ROLES} >= set(ROLE_NAMES)


def test_dashboard_sla_card_only_with_report_access(people: dict[str, Who], session: Session) -> None:
    import asyncio

    from printer_app.state.inventory.dashboard import DashboardState
    from printer_app.state.live.state import _Detached

    for name in ("Dashboard — Viewer", "superuser"):
        state = _state(DashboardState, people[name], "/")
        run_handler(DashboardState.load, state)
        assert state.access == "ok" and state.sla_shown == people[name].holds(REPORTS_VIEW), name
        copy = _Detached(state)  # a finished poll re-runs the query on a copy of the state's fields
        asyncio.run(copy.rerun("_query"))
        assert copy.sla_shown == state.sla_shown, name


def test_changes_are_audited_with_who_did_them(people: dict[str, Who], session: Session) -> None:
    admin = people["Inventory — Administrator"]
    _printer_form_save(admin, session)
    _org_save(admin, session)
    rows = session.exec(select(EntityChangeLog).order_by(EntityChangeLog.id)).all()
    mine = [(r.object_type, r.action) for r in rows if r.user_id is not None and r.user_agent == "matrix-test"]
    assert ("printer", "create") in mine and ("organization", "create") in mine


def test_revoked_and_tampered_sessions_are_signed_out(people: dict[str, Who], session: Session) -> None:
    from printer_app.state.inventory.printers import PrintersState

    who = people["Viewer"]
    tampered = Who("tampered", who.cookie[:-2] + ("AA" if not who.cookie.endswith("AA") else "BB"), frozenset())
    state = _state(PrintersState, tampered, "/printers")
    assert _refusal(run_handler(PrintersState.load, state), state) == "login"

    state = _state(PrintersState, who, "/printers")
    assert _refusal(run_handler(PrintersState.load, state), state) is None
    user = session.exec(select(auth.User).where(auth.User.username == "user0")).one()
    auth.end_user_sessions(session, user.id)
    session.commit()
    assert _refusal(run_handler(PrintersState.sort_by, state, "ip"), state) == "login", "an open tab is signed out"


def test_api_routes_answer_401_and_serve_the_signed_in(people: dict[str, Who]) -> None:
    """The JSON routes mounted beside the pages (the app's own Starlette app, as the backend serves it)."""
    from starlette.testclient import TestClient

    from printer_app.printer_app import api

    client = TestClient(api, base_url="http://localhost")
    assert client.get("/auth/me").status_code == 401
    for name in ("Viewer", "no groups", "superuser"):
        who = people[name]
        client.cookies.clear()
        response = client.get("/auth/me", headers={"cookie": who.cookie})
        assert response.status_code == 200, name
        me = response.json()
        assert (me["username"], me["is_superuser"]) == (who.username, who.superuser)
        assert set(me["permissions"]) == set(who.perms), name
    assert set(PERMISSIONS) <= people["superuser"].perms, "a superuser holds every permission of the catalogue"
    assert not people["no groups"].perms


# ------------------------------------------------------------------------------------------ monthly reports: months

MONTH_ROLES = (
    "Viewer",
    "Monthly reports — Viewer",
    "Monthly reports — Upload",
    "Monthly reports — Sync",
    "Monthly reports — Metrics",
    "Monthly reports — Visibility",
    "Monthly reports — Managers",
)


@pytest.fixture
def month_people(app_db: str, session: Session) -> dict[str, Who]:  # noqa: F811
    """One signed-in user per monthly-report role (and an inventory viewer, no groups, a superuser, nobody), and a
    published month 2026-10 with one row."""
    from datetime import UTC, date, datetime

    from printer_app.models import MonthControl, MonthlyReport

    people = _signed_in(session, MONTH_ROLES, prefix="month")
    session.add(Organization(name="Matrix org"))
    session.add(MonthlyReport(month=date(2026, 10, 1), organization="Matrix org", serial_number="M1"))
    session.add(MonthControl(month=date(2026, 10, 1), is_published=True, edit_until=datetime(2999, 1, 1, tzinfo=UTC)))
    session.commit()
    return people


def _month_control(session: Session):
    from datetime import date

    from printer_app.models import MonthControl

    session.expire_all()
    return session.exec(select(MonthControl).where(MonthControl.month == date(2026, 10, 1))).one()


def _month_publish(who: Who, session: Session):
    from printer_app.state.reports.months import MonthsState

    state = _state(MonthsState, who, "/reports")
    result = run_handler(MonthsState.set_published, state, "2026-10", False)
    control = _month_control(session)
    changed = not control.is_published
    control.is_published = True  # back for the next person
    session.commit()
    return state, result, int(changed)


def _month_auto_sync(who: Who, session: Session):
    from printer_app.state.reports.months import MonthsState

    state = _state(MonthsState, who, "/reports")
    result = run_handler(MonthsState.set_auto_sync, state, "2026-10", False)
    control = _month_control(session)
    changed = not control.auto_sync_enabled
    control.auto_sync_enabled = True
    session.commit()
    return state, result, int(changed)


def _month_edit_until(who: Who, session: Session):
    from printer_app.state.reports.months import MonthsState

    state = _state(MonthsState, who, "/reports")
    state.edit_key, state.edit_value = "2026-10", "2031-01-01T10:00"
    result = run_handler(MonthsState.save_edit_until, state)
    control = _month_control(session)
    changed = control.edit_until.year == 2031
    control.edit_until = control.edit_until.replace(year=2999)
    session.commit()
    return state, result, int(changed)


def _month_delete(who: Who, session: Session):
    from datetime import date

    from printer_app.models import MonthlyReport
    from printer_app.state.reports.months import MonthsState

    session.add(MonthlyReport(month=date(2026, 9, 1), serial_number="SPARE"))
    session.commit()
    state = _state(MonthsState, who, "/reports")
    state.delete_key = "2026-09"
    result = run_handler(MonthsState.confirm_delete, state)
    left = _count_month(session, date(2026, 9, 1))
    if left:
        for row in session.exec(select(MonthlyReport).where(MonthlyReport.month == date(2026, 9, 1))).all():
            session.delete(row)
        session.commit()
    return state, result, int(not left)


def _count_month(session: Session, month) -> int:
    from printer_app.models import MonthlyReport

    session.expire_all()
    return session.exec(select(func.count()).where(MonthlyReport.month == month)).one()


def _month_export(who: Who, session: Session):
    from printer_app.state.reports.months import MonthsState

    state = _state(MonthsState, who, "/reports")
    result = run_handler(MonthsState.export, state, "2026-10")
    return state, result, int("monthly_report_2026-10.xlsx" in repr(result))


def _month_from_contracts(who: Who, session: Session):
    from datetime import date

    from printer_app.models import ContractDevice, MonthControl, MonthlyReport
    from printer_app.state.reports.month_from_contracts import FromContractsState

    org = session.exec(select(Organization).where(Organization.name == "Matrix org")).one()
    if not session.exec(select(ContractDevice).where(ContractDevice.serial_number == "CONTRACT1")).first():
        session.add(ContractDevice(organization_id=org.id, serial_number="CONTRACT1"))
        session.commit()
    state = _state(FromContractsState, who, "/reports")
    state.month, state.chosen_orgs, state.chosen_statuses = "2026-08", [str(org.id)], ["0"]
    result = run_handler(FromContractsState.create, state)
    made = _count_month(session, date(2026, 8, 1))
    for row in session.exec(select(MonthlyReport).where(MonthlyReport.month == date(2026, 8, 1))).all():
        session.delete(row)
    for control in session.exec(select(MonthControl).where(MonthControl.month == date(2026, 8, 1))).all():
        session.delete(control)
    session.commit()
    return state, result, made


MONTH_ACTIONS: list[tuple[str, tuple[str, ...], Callable]] = [
    ("month: publish / hide", (REPORTS, "monthly_report.can_manage_month_visibility"), _month_publish),
    ("month: auto-sync", (REPORTS, "monthly_report.sync_from_inventory"), _month_auto_sync),
    ("month: editable until", (REPORTS, "monthly_report.upload_monthly_report"), _month_edit_until),
    ("month: delete", (REPORTS, "monthly_report.can_delete_month"), _month_delete),
    ("month: export", (REPORTS,), _month_export),
    ("month: create from contracts", (REPORTS, "monthly_report.upload_monthly_report"), _month_from_contracts),
]


def test_month_list_page_load(month_people: dict[str, Who], session: Session) -> None:
    from printer_app.state.reports.months import MonthsState

    for who in month_people.values():
        state = _state(MonthsState, who, "/reports")
        outcome = _refusal(run_handler(MonthsState.load, state), state)
        if who.name == "anonymous":
            assert outcome == "login"
        elif who.holds((REPORTS,)):
            assert outcome is None and state.access == "ok" and [r.key for r in state.rows] == ["2026-10"], who.name
            metrics = who.holds(("monthly_report.view_monthly_report_metrics",))
            assert (state.rows[0].completion_text != "—") == metrics, f"{who.name}: metrics only with the permission"
        else:
            assert outcome == "denied", f"{who.name} must not open /reports"


@pytest.mark.parametrize("action", [name for name, _, _ in MONTH_ACTIONS])
def test_month_actions(month_people: dict[str, Who], session: Session, action: str) -> None:
    _, perms, call = next(a for a in MONTH_ACTIONS if a[0] == action)
    outcomes = set()
    for who in month_people.values():
        state, result, effect = call(who, session)
        refusal = _refusal(result, state)
        if who.name == "anonymous":
            assert refusal == "login" and not effect, f"{action}: a signed-out caller must be refused"
        elif who.holds(perms):
            assert refusal is None and effect, f"{action}: {who.name} holds {perms} and must succeed ({result!r})"
        else:
            assert refusal == "toast" and not effect, f"{action}: {who.name} must be refused, nothing changed"
        outcomes.add(refusal)
    assert None in outcomes and "toast" in outcomes
