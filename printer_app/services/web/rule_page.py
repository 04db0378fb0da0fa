"""What the rule builder page (/printers/<id>/web) reads: its printer and stored rules, the inputs of a test run,
and the printer's latest poll. One call each, so the page's states run them in a worker thread with one session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from printer_app.models import InventoryTask, PageCounter, Printer, WebParsingRule
from printer_app.services.inventory.device_models import model_label
from printer_app.services.inventory.printers import get_printer
from printer_app.services.web.rule_store import list_rules
from printer_app.services.web.rules import RuleSpec, load_web_rules


@dataclass(frozen=True)
class RulePage:
    """The printer whose rules are edited (detached: read after the session closed) and its rules in order."""

    printer: Printer
    model: str
    rules: list[WebParsingRule]


@dataclass(frozen=True)
class LastPoll:
    """The printer's latest inventory task and the page counter it stored, if any."""

    task: InventoryTask
    counter: PageCounter | None


def rule_page(session: Session, *, printer_id: int) -> RulePage:
    """The printer, its model as the page names it, and its stored rules; NotFoundError when there is no printer."""
    printer = get_printer(session, printer_id=printer_id)
    model = model_label(session, printer).model or "no model set"
    return RulePage(printer=printer, model=model, rules=list_rules(session, printer_id=printer.id))


def rules_for_test_run(session: Session, *, printer_id: int) -> tuple[Printer, list[RuleSpec]]:
    """The printer and its stored rules, ready to run with no session open; NotFoundError when there is no printer."""
    printer = get_printer(session, printer_id=printer_id)
    return printer, load_web_rules(session, printer.id)


def last_poll(session: Session, *, printer_id: int) -> LastPoll | None:
    """The printer's latest inventory task (newest timestamp, then newest id) and its counter; None before any."""
    task = session.exec(
        select(InventoryTask)
        .where(InventoryTask.printer_id == printer_id)
        .order_by(InventoryTask.task_timestamp.desc(), InventoryTask.id.desc())
    ).first()
    if task is None:
        return None
    counter = session.exec(select(PageCounter).where(PageCounter.task_id == task.id)).first()
    return LastPoll(task=task, counter=counter)
