"""What became of requested polls, read from the database: the answer when a result's live update never came."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from printer_app.models import InventoryTask, Printer
from printer_app.services.polling.pipeline import result_payload


def results_since(session: Session, requested: dict[int, datetime]) -> dict[int, dict]:
    """For each printer, the live-update payload of its latest poll stored at or after the time it was requested.

    A printer polled since has the payload its result event carried (`status` set); one not polled since has
    `status` None; a printer that no longer exists is left out.
    """
    answers = {}
    for printer_id, since in requested.items():
        printer = session.get(Printer, printer_id)
        if printer is None:
            continue
        task = session.exec(
            select(InventoryTask)
            .where(InventoryTask.printer_id == printer_id, InventoryTask.task_timestamp >= since)
            .order_by(InventoryTask.task_timestamp.desc(), InventoryTask.id.desc())
        ).first()
        if task is None:
            answers[printer_id] = {"printer_id": printer_id, "ip": printer.ip_address, "status": None}
        else:
            answers[printer_id] = result_payload(session, printer, task)
    return answers
