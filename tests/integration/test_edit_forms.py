"""The edit dialogs' states on the server, two tabs at once: the later save is refused with who and when, the
dialog then shows the current values and lists the input it did not save; unchanged saves change nothing; a save
changes only the object the dialog loaded."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from printer_app.models import AllowedUser, EntityChangeLog, Organization, Printer, WebParsingRule
from printer_app.services.access import auth
from printer_app.services.access.roles import bootstrap_roles, set_user_groups
from printer_app.services.access.whitelist import save_allowed_user
from tests.factories import make_org, make_printer
from tests.integration.state_fixtures import run_handler
from tests.integration.test_access_matrix import _state, app_db  # noqa: F401  (the app's state tree, signed in)

PASSWORD = "Forms-password-2026"


class Tab:
    """A browser tab: its own state tree with one user's session cookie."""

    def __init__(self, cookie: str):
        self.cookie = cookie

    def state(self, cls, path: str = "/printers", params: dict | None = None):
        return _state(cls, self, path, params)


@pytest.fixture
def tabs(app_db: str, session: Session) -> dict[str, Tab]:  # noqa: F811
    """Anna (superuser) and Erik (Inventory — Editor), each signed in."""
    bootstrap_roles(session)
    signer, tabs = auth.SessionCookie(), {}
    for name, full_name, groups in (("anna", "Anna Petrova", ()), ("erik", "Erik", ("Inventory — Editor",))):
        user = auth.create_local_user(
            session, username=name, password=PASSWORD, full_name=full_name, is_superuser=not groups
        )
        set_user_groups(session, user=user, group_names=groups, actor_id=None)
        raw = auth.create_session(session, user=user, auth_method=auth.LOCAL)
        tabs[name] = Tab(f"pi_session={signer.sign(raw)}")
    session.commit()
    return tabs


def _printer(session: Session) -> Printer:
    session.expire_all()
    return session.exec(select(Printer)).one()


def test_printer_dialog_second_tab_sees_who_changed_it_and_the_current_values(session: Session, tabs) -> None:
    from printer_app.state.inventory.printer_form import PrinterFormState as F

    printer = make_printer(session, ip_address="127.30.5.1", serial_number="OLD")
    session.commit()
    first, second = tabs["anna"].state(F), tabs["erik"].state(F)
    run_handler(F.open_edit, first, printer.id)
    run_handler(F.open_edit, second, printer.id)

    first.serial_number = "FROM-ANNA"
    run_handler(F.save, first)
    second.ip_address = "127.30.5.2"
    run_handler(F.save, second)

    assert first.open is False and second.open is True
    assert "changed by Anna Petrova at " in second.errors["form"]
    assert "now shows the current values" in second.errors["form"]
    assert (second.serial_number, second.ip_address) == ("FROM-ANNA", "127.30.5.1")  # reloaded
    assert second.unsaved == ["IP address: 127.30.5.2"]  # what this tab changed, not what it merely loaded
    stored = _printer(session)
    assert (stored.serial_number, stored.ip_address) == ("FROM-ANNA", "127.30.5.1")

    second.ip_address = "127.30.5.2"  # entered again on the current values: now it saves
    run_handler(F.save, second)
    assert second.open is False
    assert (_printer(session).serial_number, _printer(session).ip_address) == ("FROM-ANNA", "127.30.5.2")


def test_printer_dialog_saved_unchanged_keeps_the_learned_model(session: Session, tabs) -> None:
    from printer_app.state.inventory.printer_form import PrinterFormState as F

    printer = make_printer(session, ip_address="127.0.0.7", mac_address="14:CB:19:95:2E:A0")
    printer.model = "HP LaserJet MFP M130nw"
    session.commit()
    version = _printer(session).version
    tab = tabs["anna"].state(F)

    run_handler(F.open_edit, tab, printer.id)
    assert tab.learned_model == "HP LaserJet MFP M130nw"
    run_handler(F.save, tab)

    stored = _printer(session)
    assert (stored.model, stored.version) == ("HP LaserJet MFP M130nw", version)
    logged = session.exec(select(EntityChangeLog).where(EntityChangeLog.object_type == "printer")).all()
    assert [row.action for row in logged] == ["create"]


def test_printer_save_changes_only_the_printer_the_dialog_loaded(session: Session, tabs) -> None:
    from printer_app.state.inventory.printer_form import PrinterFormState as F

    loaded = make_printer(session, ip_address="127.30.5.1", serial_number="LOADED")
    other = make_printer(session, ip_address="127.30.5.9", serial_number="OTHER")
    session.commit()
    tab = tabs["anna"].state(F)
    run_handler(F.open_edit, tab, loaded.id)

    tab.editing_id = other.id  # a forged id: the dialog did not load that printer
    tab.ip_address, tab.serial_number = "127.30.5.9", "FORGED"
    run_handler(F.save, tab)

    session.expire_all()
    assert [p.serial_number for p in session.exec(select(Printer).order_by(Printer.id))] == ["LOADED", "OTHER"]


def test_printer_dialog_shows_an_editors_method_refusal(session: Session, tabs) -> None:
    from printer_app.state.inventory.printer_form import PrinterFormState as F

    printer = make_printer(session, ip_address="127.30.5.1")
    session.add(WebParsingRule(printer_id=printer.id, field_name="counter", xpath="//td"))
    session.commit()
    tab = tabs["erik"].state(F)
    run_handler(F.open_edit, tab, printer.id)

    tab.polling_method = "HYBRID"
    run_handler(F.save, tab)

    assert "Manage web parsing rules" in tab.errors["polling_method"] and tab.open
    assert _printer(session).polling_method == "SNMP"


@pytest.mark.parametrize("bad", ["abc", "7; drop table printer"])
def test_printer_dialog_with_a_text_organization_id_gets_a_message(session: Session, tabs, bad: str) -> None:
    from printer_app.state.inventory.printer_form import PrinterFormState as F

    tab = tabs["anna"].state(F)
    run_handler(F.open_new, tab)
    tab.ip_address, tab.organization_id = "127.30.5.1", bad
    run_handler(F.save, tab)

    assert tab.errors["organization_id"] == "Choose an organization from the list"
    assert session.exec(select(Printer)).all() == []


def test_organization_dialog_second_save_is_refused_and_reloaded(session: Session, tabs) -> None:
    from printer_app.state.inventory.organizations import OrganizationsState as O

    org = make_org(session, name="Angara", code="ANG")
    session.commit()
    first, second = tabs["anna"].state(O, "/organizations"), tabs["erik"].state(O, "/organizations")
    run_handler(O.open_edit, first, org.id)
    run_handler(O.open_edit, second, org.id)

    first.name = "Angara Logistics"
    run_handler(O.save, first)
    second.code = "AL"
    run_handler(O.save, second)

    assert "changed by Anna Petrova" in second.errors["form"]
    assert (second.name, second.code, second.unsaved) == ("Angara Logistics", "ANG", ["Code: AL"])
    session.expire_all()
    assert [(o.name, o.code) for o in session.exec(select(Organization))] == [("Angara Logistics", "ANG")]


def test_whitelist_dialog_second_save_is_refused(session: Session, tabs) -> None:
    from printer_app.state.access.whitelist import WhitelistState as W

    save_allowed_user(session, username="sso.user", full_name="Before", notes="n")
    session.commit()
    first, second = tabs["anna"].state(W, "/users"), tabs["anna"].state(W, "/users")
    run_handler(W.open_edit, first, "sso_user")
    run_handler(W.open_edit, second, "sso_user")

    first.form = {**first.form, "notes": "from the first tab"}
    run_handler(W.save, first)
    second.form = {**second.form, "full_name": "After"}
    run_handler(W.save, second)

    assert "changed by Anna Petrova" in second.errors["form"]
    assert second.form["notes"] == "from the first tab"
    assert second.unsaved == ["Full name: After"]
    session.expire_all()
    [entry] = session.exec(select(AllowedUser)).all()
    assert (entry.username, entry.full_name, entry.notes) == ("sso_user", "Before", "from the first tab")


def test_groups_dialog_second_save_is_refused(session: Session, tabs) -> None:
    from printer_app.models import User
    from printer_app.state.access.users import UsersState as U

    target = auth.create_local_user(session, username="target", password=PASSWORD)
    session.commit()
    first, second = tabs["anna"].state(U, "/users"), tabs["anna"].state(U, "/users")
    run_handler(U.open_groups, first, target.id)
    run_handler(U.open_groups, second, target.id)

    first.chosen_groups = ["Viewer"]
    run_handler(U.save_groups, first)
    second.chosen_groups = ["Inventory — Editor"]
    run_handler(U.save_groups, second)

    assert "changed by Anna Petrova" in second.groups_error
    assert second.chosen_groups == ["Viewer"]
    assert second.groups_unsaved == ["Groups: Inventory — Editor"]
    assert second.groups_open
    session.expire_all()
    assert session.get(User, target.id).version == 2


def test_rule_editor_second_save_is_refused_and_reloaded(session: Session, tabs) -> None:
    from printer_app.services.web.rule_store import RuleInput, create_rule
    from printer_app.state.web.rule_editor import WebRuleEditorState as E

    printer = make_printer(session, ip_address="127.30.5.1")
    rule = create_rule(session, printer_id=printer.id, data=RuleInput(field_name="counter", xpath="//td[1]"))
    session.commit()
    route = ("/printers/1/web", {"id": str(printer.id)})
    first, second = tabs["anna"].state(E, *route), tabs["anna"].state(E, *route)
    for tab in (first, second):
        run_handler(E.open_rule, tab, rule.id)

    first.xpath = "//td[2]"
    run_handler(E.save, first)
    second.regex_pattern = r"(\d+)"
    run_handler(E.save, second)
    first.xpath = "//td[3]"  # the first tab goes on saving from the version its own save produced
    run_handler(E.save, first)

    assert "changed by Anna Petrova" in second.errors["form"]
    assert (second.xpath, second.regex_pattern) == ("//td[2]", "")
    assert second.unsaved == [r"Regex: (\d+)"]
    assert first.errors == {}
    session.expire_all()
    stored = session.get(WebParsingRule, rule.id)
    assert (stored.xpath, stored.regex_pattern, stored.version) == ("//td[3]", "", 3)
