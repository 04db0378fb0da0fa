"""The Reflex app and its route table: every URL of the product in one place."""

import reflex as rx
from starlette.applications import Starlette

from printer_app.api import auth as auth_api
from printer_app.api import live_ack
from printer_app.api.v1 import app as api_v1
from printer_app.components.i18n import t
from printer_app.i18n import N_
from printer_app.pages.access.change_log import change_log_page
from printer_app.pages.access.profile import profile_page
from printer_app.pages.access.users import users_page
from printer_app.pages.contracts.contract_import import contract_import_page
from printer_app.pages.contracts.devices import contracts_page
from printer_app.pages.contracts.reference import reference_page
from printer_app.pages.inventory.dashboard import dashboard_page
from printer_app.pages.inventory.discover import discover_page
from printer_app.pages.inventory.organizations import organizations_page
from printer_app.pages.inventory.printer_detail import printer_detail_page
from printer_app.pages.inventory.printer_import import printer_import_page
from printer_app.pages.inventory.printers import printers_page
from printer_app.pages.reports.charts import charts_page
from printer_app.pages.reports.history import month_history_page
from printer_app.pages.reports.log import month_log_page
from printer_app.pages.reports.month_table import month_table_page
from printer_app.pages.reports.months import months_page
from printer_app.pages.reports.settings import settings_page
from printer_app.pages.reports.upload import report_upload_page
from printer_app.pages.supplies.alerts import alert_rules_page, alerts_page
from printer_app.pages.supplies.fleet import supplies_page
from printer_app.pages.web.rules import web_rules_page
from printer_app.state.access.change_log import ChangeLogState
from printer_app.state.access.profile import ProfileState
from printer_app.state.access.users import UsersState
from printer_app.state.access.whitelist import WhitelistState
from printer_app.state.contracts.contract_import import ContractImportState
from printer_app.state.contracts.devices import DevicesState
from printer_app.state.contracts.reference import ReferenceState
from printer_app.state.errors import backend_exception_handler
from printer_app.state.inventory.dashboard import DashboardState
from printer_app.state.inventory.discovery import DiscoveryState
from printer_app.state.inventory.organizations import OrganizationsState
from printer_app.state.inventory.printer_detail import PrinterDetailState
from printer_app.state.inventory.printer_import import PrinterImportState
from printer_app.state.inventory.printers import PrintersState
from printer_app.state.live.hub import live_updates
from printer_app.state.reports.charts import ChartsState
from printer_app.state.reports.month_history import MonthHistoryState
from printer_app.state.reports.month_log import MonthLogState
from printer_app.state.reports.month_table import MonthTableState
from printer_app.state.reports.months import MonthsState
from printer_app.state.reports.settings_overrides import OverridesState
from printer_app.state.reports.settings_specs import SpecsState
from printer_app.state.reports.upload import ReportUploadState
from printer_app.state.sockets import adopt as keep_sessions_across_backend_crashes
from printer_app.state.supplies.alert_rules import AlertRulesState
from printer_app.state.supplies.alerts import SupplyAlertsState
from printer_app.state.supplies.fleet import SuppliesState
from printer_app.state.supplies.printer_supplies import PrinterSuppliesState
from printer_app.state.supplies.runs_out import RunsOutState
from printer_app.state.web.rules import WebRulesState


def title(page: str) -> rx.Var[str]:
    """The browser tab's title in the user's language (React puts the page's <title> into the head as it changes)."""
    return t(page) + " · " + t("Printer Inventory")


api = Starlette()
auth_api.install(api)  # /auth/login, /auth/oidc/*, /auth/logout, /auth/me beside the pages (same origin)
api_v1.install(api)  # the JSON API: /api/v1/..., /api/health, /api/docs (after auth: it shares its sign-in)
live_ack.install(api)  # /_live/ack: a tab rendered a live update (backpressure of the live listeners)

app = rx.App(
    api_transformer=api,
    stylesheets=["/app.css"],
    head_components=[rx.script(src="/live_ack.js")],
    backend_exception_handler=backend_exception_handler,
)
keep_sessions_across_backend_crashes(app)  # production: a tab keeps its state when its backend dies (state/sockets.py)
app.register_lifespan_task(live_updates)
app.add_page(dashboard_page, route="/", title=title(N_("Dashboard")), on_load=[DashboardState.load, RunsOutState.load])
app.add_page(printers_page, route="/printers", title=title(N_("Printers")), on_load=PrintersState.load)
app.add_page(
    printer_import_page,
    route="/printers/import",
    title=title(N_("Import printers")),
    on_load=PrinterImportState.load,
)
app.add_page(
    printer_detail_page,
    route="/printers/[id]",
    title=rx.cond(PrinterDetailState.heading != "", PrinterDetailState.heading, t("Printer"))
    + " · "
    + t("Printer Inventory"),
    on_load=[PrinterDetailState.load, PrinterSuppliesState.load],
)
app.add_page(
    alerts_page, route="/supplies/alerts", title=title(N_("Low-supply alerts")), on_load=SupplyAlertsState.load
)
app.add_page(
    alert_rules_page, route="/supplies/alert-rules", title=title(N_("Alert rules")), on_load=AlertRulesState.load
)
app.add_page(supplies_page, route="/supplies", title=title(N_("Supplies")), on_load=SuppliesState.load)
app.add_page(discover_page, route="/discover", title=title(N_("Discover")), on_load=DiscoveryState.load)
app.add_page(
    organizations_page,
    route="/organizations",
    title=title(N_("Organizations")),
    on_load=OrganizationsState.load,
)
app.add_page(users_page, route="/users", title=title(N_("Users")), on_load=[UsersState.load, WhitelistState.load])
app.add_page(profile_page, route="/profile", title=title(N_("Profile")), on_load=ProfileState.load)
app.add_page(change_log_page, route="/changes", title=title(N_("Change log")), on_load=ChangeLogState.load)
app.add_page(web_rules_page, route="/printers/[id]/web", title=title(N_("Web rules")), on_load=WebRulesState.load)
app.add_page(contracts_page, route="/contracts", title=title(N_("Contracts")), on_load=DevicesState.load)
app.add_page(
    reference_page, route="/contracts/reference", title=title(N_("Reference data")), on_load=ReferenceState.load
)
app.add_page(
    contract_import_page,
    route="/contracts/import",
    title=title(N_("Contract import")),
    on_load=ContractImportState.load,
)
app.add_page(
    report_upload_page, route="/reports/upload", title=title(N_("Upload a month")), on_load=ReportUploadState.load
)
app.add_page(months_page, route="/reports", title=title(N_("Monthly reports")), on_load=MonthsState.load)
app.add_page(
    settings_page,
    route="/reports/settings",
    title=title(N_("Report settings")),
    on_load=[OverridesState.load, SpecsState.load],
)
app.add_page(
    month_table_page,
    route="/reports/[month]",
    title=rx.cond(MonthTableState.month_title != "", MonthTableState.month_title, t("Monthly report"))
    + " · "
    + t("Printer Inventory"),
    on_load=MonthTableState.load,
)
app.add_page(charts_page, route="/reports/charts", title=title(N_("SLA charts")), on_load=ChartsState.load)
app.add_page(
    month_history_page,
    route="/reports/[month]/history",
    title=title(N_("Change history")),
    on_load=MonthHistoryState.load,
)
app.add_page(
    month_log_page, route="/reports/[month]/log", title=title(N_("Operations log")), on_load=MonthLogState.load
)
