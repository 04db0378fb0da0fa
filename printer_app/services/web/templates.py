"""Web rule templates (docs/web-rules.md §2.3): save a printer's rules for its model, apply them to another.

Formulas name fields, not rule ids (docs/web-rules.md §5.3), so applied calculated rules work unchanged;
`source_rules` ids are carried as field names (`source_rules_fields`) and mapped to the new rules' ids on apply.
Who may save a public template or delete one is the caller's check (it knows the user's permissions).
"""

from __future__ import annotations

from sqlmodel import Session, select

from printer_app.i18n import format_number, gettext
from printer_app.models import Printer, User, WebParsingRule, WebParsingTemplate
from printer_app.services.audit import Actor, audit
from printer_app.services.errors import DomainValidationError, NotFoundError
from printer_app.services.web.rule_store import list_rules

NAME_MAX = 200
DESCRIPTION_MAX = 2000

RULE_KEYS = (
    "protocol",
    "url_path",
    "field_name",
    "xpath",
    "regex_pattern",
    "regex_replacement",
    "is_calculated",
    "calculation_formula",
    "actions_chain",
)


def save_template(
    session: Session,
    *,
    printer_id: int,
    name: str,
    description: str = "",
    is_public: bool = False,
    user_id: int | None = None,
) -> WebParsingTemplate:
    """A template of the printer's current rules, bound to the printer's device model."""
    printer = _printer(session, printer_id)
    name, description = name.strip(), description.strip()
    errors = {}
    if not name:
        errors["name"] = gettext("A template needs a name")
    elif len(name) > NAME_MAX:
        errors["name"] = _too_long(name, NAME_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _too_long(description, DESCRIPTION_MAX)
    if printer.device_model_id is None:
        errors["form"] = gettext("Set the printer's device model first: a template belongs to a model")
    rules = list_rules(session, printer_id=printer_id)
    if not rules:
        errors.setdefault("form", gettext("The printer has no web rules to save"))
    if errors:
        raise DomainValidationError(errors)
    field_of = {r.id: r.field_name for r in rules}
    config = [
        {key: getattr(r, key) for key in RULE_KEYS}
        | {"source_rules_fields": [field_of[i] for i in r.source_rules if i in field_of]}
        for r in rules
    ]
    template = WebParsingTemplate(
        name=name,
        device_model_id=printer.device_model_id,
        description=description,
        rules_config=config,
        created_by_id=user_id,
        is_public=is_public,
    )
    session.add(template)
    session.flush()
    return template


def _too_long(text: str, limit: int) -> str:
    return gettext(
        "At most {limit} characters (this one has {n})", limit=format_number(limit), n=format_number(len(text))
    )


def apply_template(
    session: Session, *, template_id: int, printer_id: int, overwrite: bool = False, actor: Actor | None = None
) -> list[WebParsingRule]:
    """Create the template's rules on a printer of the same model (plain first, then calculated).

    With `overwrite` the printer's rules are deleted first; every deleted and created rule is in the change log."""
    template = session.get(WebParsingTemplate, template_id)
    if template is None:
        raise NotFoundError(gettext("Template #{id} does not exist", id=template_id))
    printer = _printer(session, printer_id)
    if printer.device_model_id != template.device_model_id:
        raise DomainValidationError({"form": gettext("The template is for another device model than this printer's")})
    if overwrite:
        for rule in list_rules(session, printer_id=printer_id):
            audit(session, rule, "delete", actor)
            session.delete(rule)
        session.flush()
    created: list[WebParsingRule] = []
    ids_by_field: dict[str, int] = {}
    items = sorted(template.rules_config, key=lambda item: bool(item.get("is_calculated")))
    for item in items:
        sources = [ids_by_field[f] for f in item.get("source_rules_fields") or [] if f in ids_by_field]
        rule = WebParsingRule(
            printer_id=printer_id, source_rules=sources, **{k: item[k] for k in RULE_KEYS if k in item}
        )
        session.add(rule)
        session.flush()
        audit(session, rule, "create", actor)
        ids_by_field.setdefault(rule.field_name, rule.id)
        created.append(rule)
    template.usage_count += 1
    session.add(template)
    session.flush()
    return created


def _printer(session: Session, printer_id: int) -> Printer:
    printer = session.get(Printer, printer_id)
    if printer is None:
        raise NotFoundError(gettext("Printer #{id} does not exist", id=printer_id))
    return printer


def list_templates(
    session: Session, *, device_model_id: int | None, user_id: int | None, is_superuser: bool = False
) -> list[WebParsingTemplate]:
    """The templates of one device model a user may see: public ones and their own (a superuser sees all)."""
    if device_model_id is None:
        return []
    query = select(WebParsingTemplate).where(WebParsingTemplate.device_model_id == device_model_id)
    if not is_superuser:
        query = query.where(WebParsingTemplate.is_public | (WebParsingTemplate.created_by_id == user_id))
    return list(session.exec(query.order_by(WebParsingTemplate.name, WebParsingTemplate.id)).all())


def printer_templates(
    session: Session, *, printer_id: int, user_id: int | None, is_superuser: bool = False
) -> list[tuple[WebParsingTemplate, str]]:
    """The templates of the printer's model the user may see, each with its creator's username ("—" if unknown)."""
    printer = session.get(Printer, printer_id)
    model_id = printer.device_model_id if printer is not None else None
    templates = list_templates(session, device_model_id=model_id, user_id=user_id, is_superuser=is_superuser)
    creator_ids = {t.created_by_id for t in templates if t.created_by_id is not None}
    names = dict(session.exec(select(User.id, User.username).where(User.id.in_(creator_ids))).all())
    return [(t, names.get(t.created_by_id, "—")) for t in templates]


def delete_template(session: Session, *, template_id: int, user_id: int | None, is_superuser: bool = False) -> str:
    """Remove a template; only its creator or a superuser may (docs/inventory-and-polling.md §2). Returns its name."""
    template = session.get(WebParsingTemplate, template_id)
    if template is None:
        raise NotFoundError(gettext("Template #{id} does not exist", id=template_id))
    if not is_superuser and (user_id is None or template.created_by_id != user_id):
        raise DomainValidationError({"form": gettext("Only the template's creator or a superuser may delete it")})
    session.delete(template)
    session.flush()
    return template.name
