"""Authorization: the permission catalogue, the role groups of docs/access.md §11, and who holds which permission."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, delete, select

from printer_app.i18n import N_, gettext, language
from printer_app.models import Group, GroupPermission, Permission, User, UserGroup
from printer_app.services.access.permission_names import CRUD_NAMES
from printer_app.services.audit import record_change
from printer_app.services.errors import DomainValidationError

CRUD = ("add", "change", "delete", "view")
INVENTORY_MODELS = ("printer", "organization", "inventorytask", "pagecounter", "webparsingrule")
CONTRACT_MODELS = (
    "contractdevice",
    "city",
    "manufacturer",
    "devicemodel",
    "cartridge",
    "devicemodelcartridge",
    "contractstatus",
    "serviceprovider",
)

CUSTOM_PERMISSIONS: dict[str, dict[str, str]] = {
    "inventory": {
        "access_inventory_app": N_("Open the inventory application"),
        "run_inventory": N_("Run inventory polls"),
        "export_printers": N_("Export printers"),
        "export_amb_report": N_("Export the AMB report"),
        "manage_web_parsing": N_("Manage web parsing rules"),
        "view_web_parsing": N_("View web parsing rules"),
        "can_create_public_templates": N_("Create public web parsing templates"),
        "view_api_docs": N_("View the API documentation"),
        "manage_supply_alerts": N_("Manage low-supply alert rules"),
    },
    "contracts": {
        "access_contracts_app": N_("Open the contracts application"),
        "export_contracts": N_("Export contracts"),
        "import_contracts": N_("Import contracts"),
    },
    "monthly_report": {
        "access_monthly_report": N_("Open monthly reports"),
        "upload_monthly_report": N_("Upload monthly reports"),
        "edit_counters_start": N_("Edit start counters"),
        "edit_counters_end": N_("Edit end counters"),
        "sync_from_inventory": N_("Sync counters from inventory"),
        "view_change_history": N_("View the change history"),
        "view_monthly_report_metrics": N_("View monthly report metrics"),
        "can_manage_month_visibility": N_("Manage month visibility"),
        "can_reset_auto_polling": N_("Reset automatic polling"),
        "can_poll_all_printers": N_("Poll all printers"),
        "can_delete_month": N_("Delete a month"),
        "override_auto_lock": N_("Override the automatic counter lock"),
    },
    "access": {"manage_users": N_("Manage users and roles"), "view_entity_changes": N_("View the change log")},
    "dashboard": {"access_dashboard_app": N_("Open the dashboard")},
}


def _crud(app: str, models: Iterable[str], actions: Iterable[str] = CRUD) -> set[str]:
    return {f"{app}.{action}_{model}" for model in models for action in actions}


def _catalogue() -> dict[str, str]:
    perms = {f"{app}.{code}": name for app, codes in CUSTOM_PERMISSIONS.items() for code, name in codes.items()}
    for app, models in (("inventory", INVENTORY_MODELS), ("contracts", CONTRACT_MODELS)):
        for perm in sorted(_crud(app, models)):
            perms[perm] = CRUD_NAMES[perm]  # a KeyError here: name the new model's permissions there
    return perms


PERMISSIONS: dict[str, str] = _catalogue()
"""Every permission: "app_label.codename" → English name (a catalogued message: `gettext` it where shown)."""

MONTHLY = {f"monthly_report.{code}" for code in CUSTOM_PERMISSIONS["monthly_report"]}
_INV_VIEW = {
    "inventory.access_inventory_app",
    "inventory.export_printers",
    "inventory.export_amb_report",
    "inventory.view_web_parsing",
} | _crud("inventory", INVENTORY_MODELS, ["view"])
_INV_EDIT = _INV_VIEW | _crud("inventory", ("printer", "organization", "inventorytask"), ("add", "change", "delete"))
_INV_ADMIN = (
    _INV_EDIT
    | {"inventory.run_inventory", "inventory.manage_web_parsing", "inventory.manage_supply_alerts"}
    | _crud("inventory", ["webparsingrule"], ("add", "change", "delete"))
)
_CON_VIEW = {"contracts.access_contracts_app", "contracts.export_contracts"} | _crud(
    "contracts", CONTRACT_MODELS, ["view"]
)
_CON_EDIT = _CON_VIEW | _crud("contracts", CONTRACT_MODELS)
_CON_ADMIN = _CON_EDIT | {"contracts.import_contracts"}
_VIEW_ONLY = {p for p in PERMISSIONS if p.split(".")[1].startswith(("access_", "view_"))} - {
    "access.view_entity_changes",
    "inventory.view_api_docs",
    "monthly_report.view_change_history",
    "monthly_report.view_monthly_report_metrics",
}


def _monthly(*codes: str) -> set[str]:
    return {"monthly_report.access_monthly_report", *(f"monthly_report.{c}" for c in codes)}


@dataclass(frozen=True)
class Role:
    """A bootstrapped group: English name (stored as Group.name), Russian label and its permissions."""

    name: str
    label_ru: str
    permissions: frozenset[str]


def _role(name: str, label_ru: str, perms: Iterable[str]) -> Role:
    return Role(name, label_ru, frozenset(perms))


ROLES: tuple[Role, ...] = (
    _role("Inventory — Viewer", "Инвентаризация — Просмотр", _INV_VIEW),
    _role("Inventory — Editor", "Инвентаризация — Редактор", _INV_EDIT),
    _role("Inventory — Administrator", "Инвентаризация — Администратор", _INV_ADMIN),
    _role("Contracts — Viewer", "Договоры — Просмотр", _CON_VIEW),
    _role("Contracts — Editor", "Договоры — Редактор", _CON_EDIT),
    _role("Contracts — Administrator", "Договоры — Администратор", _CON_ADMIN),
    _role("Monthly reports — Viewer", "Ежемесячные отчёты — Просмотр", _monthly()),
    _role("Monthly reports — Upload", "Ежемесячные отчёты — Загрузка", _monthly("upload_monthly_report")),
    _role(
        "Monthly reports — Editors (start)", "Ежемесячные отчёты — Редакторы (начало)", _monthly("edit_counters_start")
    ),
    _role("Monthly reports — Editors (end)", "Ежемесячные отчёты — Редакторы (конец)", _monthly("edit_counters_end")),
    _role(
        "Monthly reports — Editors (full)",
        "Ежемесячные отчёты — Редакторы (полные)",
        _monthly("edit_counters_start", "edit_counters_end"),
    ),
    _role("Monthly reports — Sync", "Ежемесячные отчёты — Синхронизация", _monthly("sync_from_inventory")),
    _role("Monthly reports — History", "Ежемесячные отчёты — История", _monthly("view_change_history")),
    _role("Monthly reports — Metrics", "Ежемесячные отчёты — Метрики", _monthly("view_monthly_report_metrics")),
    _role(
        "Monthly reports — Visibility",
        "Ежемесячные отчёты — Управление видимостью",
        _monthly("can_manage_month_visibility"),
    ),
    _role(
        "Monthly reports — Reset auto-polling",
        "Ежемесячные отчёты — Сброс автоопроса",
        _monthly("can_reset_auto_polling"),
    ),
    _role(
        "Monthly reports — Poll all printers",
        "Ежемесячные отчёты — Опрос всех принтеров",
        _monthly("can_poll_all_printers"),
    ),
    _role(
        "Monthly reports — Managers", "Ежемесячные отчёты — Менеджеры", MONTHLY - {"monthly_report.override_auto_lock"}
    ),
    _role("Users — Management", "Пользователи — Управление", {"access.manage_users", "access.view_entity_changes"}),
    _role("Dashboard — Viewer", "Дашборд — Просмотр", {"dashboard.access_dashboard_app"}),
    _role("API documentation", "API документация", {"inventory.view_api_docs"}),
    _role("Viewer", "Наблюдатель", _VIEW_ONLY),
    _role("Inventory operator", "Оператор инвентаризации", _INV_ADMIN | {"dashboard.access_dashboard_app"}),
    _role("Contracts content manager", "Контент-менеджер договоров", _CON_ADMIN),
    _role("Application administrator", "Администратор приложения", PERMISSIONS),
)
DEFAULT_GROUP = "Viewer"
"""The group of a new SSO user whose whitelist entry names no initial groups (legacy "Наблюдатель")."""


@dataclass
class BootstrapResult:
    permissions_created: int = 0
    groups_created: int = 0
    grants_added: int = 0
    grants_removed: int = 0


def bootstrap_roles(session: Session) -> BootstrapResult:
    """Create or update the catalogue's permissions and groups; each group ends with exactly its permissions."""
    result = BootstrapResult()
    perm_ids: dict[str, int] = {}
    existing = {f"{p.app_label}.{p.codename}": p for p in session.exec(select(Permission)).all()}
    for key, name in PERMISSIONS.items():
        perm = existing.get(key)
        if perm is None:
            app_label, codename = key.split(".", 1)
            perm = Permission(app_label=app_label, codename=codename, name=name)
            session.add(perm)
            result.permissions_created += 1
        perm.name = name
        session.flush()
        perm_ids[key] = perm.id
    groups = {g.name: g for g in session.exec(select(Group)).all()}
    for role in ROLES:
        group = groups.get(role.name)
        if group is None:
            group = Group(name=role.name)
            session.add(group)
            result.groups_created += 1
        group.label_ru = role.label_ru
        session.flush()
        have = set(session.exec(select(GroupPermission.permission_id).where(GroupPermission.group_id == group.id)))
        want = {perm_ids[p] for p in role.permissions}
        for perm_id in want - have:
            session.add(GroupPermission(group_id=group.id, permission_id=perm_id))
        if have - want:
            session.exec(
                delete(GroupPermission).where(
                    GroupPermission.group_id == group.id, GroupPermission.permission_id.in_(have - want)
                )
            )
        result.grants_added += len(want - have)
        result.grants_removed += len(have - want)
    session.flush()
    return result


def group_label(name: str, label_ru: str) -> str:
    """A group's name in the current language: the Russian label in Russian (when it has one), else the name."""
    return label_ru if language() == "ru" and label_ru else name


def find_groups(session: Session, names: Iterable[str], *, strict: bool = True) -> list[Group]:
    """Groups by English name or Russian label (ignoring case); unknown names are an error unless not `strict`."""
    wanted = {n.strip().casefold(): n.strip() for n in names if n and n.strip()}
    if not wanted:
        return []
    # Matched in Python: SQLite's lower() folds ASCII only, and the labels are Cyrillic.
    found = [g for g in session.exec(select(Group)).all() if {g.name.casefold(), g.label_ru.casefold()} & set(wanted)]
    known = {g.name.casefold() for g in found} | {g.label_ru.casefold() for g in found}
    missing = sorted(wanted[k] for k in wanted if k not in known)
    if missing and strict:
        unknown = ", ".join(missing)
        raise DomainValidationError(
            {"groups": gettext("Unknown group(s): {names} (run `roles bootstrap`?)", names=unknown)}
        )
    return sorted(found, key=lambda g: g.name)


def user_group_names(session: Session, user_id: int) -> list[str]:
    """The names of the user's groups, sorted."""
    query = select(Group.name).join(UserGroup, UserGroup.group_id == Group.id).where(UserGroup.user_id == user_id)
    return sorted(session.exec(query).all())


def set_user_groups(
    session: Session,
    *,
    user: User,
    group_names: Iterable[str],
    actor_id: int | None,
    ip: str | None = None,
    user_agent: str = "",
) -> list[str]:
    """Replace the user's groups (the user-management page's save), audited; returns the new names."""
    groups = find_groups(session, group_names)
    before = user_group_names(session, user.id)
    session.exec(delete(UserGroup).where(UserGroup.user_id == user.id))
    for group in groups:
        session.add(UserGroup(user_id=user.id, group_id=group.id))
    session.flush()
    after = [g.name for g in groups]
    if before != after:
        change = {"groups": {"old": before, "new": after, "label": N_("Groups")}}
        record_change(
            session, obj=user, action="update", user_id=actor_id, changes=change, ip=ip, user_agent=user_agent
        )
    return after


def user_permissions(session: Session, user: User) -> set[str]:
    """Every "app_label.codename" the user holds through groups; a superuser holds all, an inactive user none."""
    if not user.is_active:
        return set()
    if user.is_superuser:
        rows = session.exec(select(Permission.app_label, Permission.codename)).all()
        return set(PERMISSIONS) | {f"{a}.{c}" for a, c in rows}
    query = (
        select(Permission.app_label, Permission.codename)
        .join(GroupPermission, GroupPermission.permission_id == Permission.id)
        .join(UserGroup, UserGroup.group_id == GroupPermission.group_id)
        .where(UserGroup.user_id == user.id)
    )
    return {f"{a}.{c}" for a, c in session.exec(query).all()}
