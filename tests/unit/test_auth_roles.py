"""The docs/access.md §11 role catalogue: every group is built from known permissions and the tiers nest."""

from __future__ import annotations

from printer_app.services.access.roles import DEFAULT_GROUP, MONTHLY, PERMISSIONS, ROLES

ROLE = {r.name: r for r in ROLES}


def test_every_role_uses_catalogue_permissions_and_has_unique_names() -> None:
    assert len(ROLE) == len(ROLES)
    assert len({r.label_ru for r in ROLES}) == len(ROLES)
    for role in ROLES:
        assert role.permissions, role.name
        assert role.permissions <= set(PERMISSIONS), role.name


def test_catalogue_holds_the_custom_codenames_and_crud() -> None:
    for perm in (
        "inventory.access_inventory_app",
        "inventory.view_api_docs",
        "contracts.import_contracts",
        "monthly_report.override_auto_lock",
        "access.manage_users",
        "access.view_entity_changes",
        "dashboard.access_dashboard_app",
        "inventory.change_printer",
        "contracts.delete_contractdevice",
    ):
        assert perm in PERMISSIONS


def test_tiers_nest_viewer_editor_administrator() -> None:
    for app in ("Inventory", "Contracts"):
        viewer, editor, admin = (ROLE[f"{app} — {tier}"].permissions for tier in ("Viewer", "Editor", "Administrator"))
        assert viewer < editor < admin
    assert "inventory.run_inventory" in ROLE["Inventory — Administrator"].permissions
    assert "inventory.run_inventory" not in ROLE["Inventory — Editor"].permissions
    for admins in ("Inventory — Administrator", "Inventory operator", "Application administrator"):
        assert "inventory.manage_supply_alerts" in ROLE[admins].permissions
    assert "inventory.manage_supply_alerts" not in ROLE["Inventory — Editor"].permissions
    assert "inventory.manage_supply_alerts" not in ROLE[DEFAULT_GROUP].permissions
    assert "inventory.add_printer" in ROLE["Inventory — Editor"].permissions


def test_russian_labels_are_kept_for_display() -> None:
    assert ROLE["Inventory — Viewer"].label_ru == "Инвентаризация — Просмотр"
    assert ROLE[DEFAULT_GROUP].label_ru == "Наблюдатель"
    assert ROLE["Users — Management"].permissions == {"access.manage_users", "access.view_entity_changes"}


def test_monthly_groups_are_access_plus_their_codename_and_managers_all_but_override() -> None:
    upload = ROLE["Monthly reports — Upload"].permissions
    assert upload == {"monthly_report.access_monthly_report", "monthly_report.upload_monthly_report"}
    assert ROLE["Monthly reports — Managers"].permissions == MONTHLY - {"monthly_report.override_auto_lock"}


def test_default_viewer_only_views() -> None:
    viewer = ROLE[DEFAULT_GROUP].permissions
    assert "inventory.access_inventory_app" in viewer
    assert "inventory.view_printer" in viewer
    assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_", "export_", "run_")) for p in viewer)
    assert "access.manage_users" not in viewer
    assert ROLE["Application administrator"].permissions == set(PERMISSIONS)


def test_every_permission_name_is_a_message_with_a_russian_translation() -> None:
    from printer_app import i18n
    from printer_app.state.session import permission_label

    for perm, name in PERMISSIONS.items():
        assert i18n.catalogued(name), perm
        with i18n.use_language("ru"):
            assert permission_label(perm) != name, perm
        with i18n.use_language("en"):
            assert permission_label(perm) == name
    with i18n.use_language("ru"):
        assert permission_label("inventory.change_printer") == "Изменение принтеров"
        assert permission_label("access.manage_users") == "Управление пользователями и ролями"
