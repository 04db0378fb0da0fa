"""The command layer: every job the app can be asked for, in one place for the pages, the CLI and the API.

A caller asks here and never sends a Dramatiq message or takes a lock itself, so a "Poll now" from a page and a
`poll --printer-id` from the CLI get the same guarantees: one poll of a printer at a time (a page's request meets a
running poll and is folded into it, the CLI's is refused), results published after their commit, every poll
remembered so a request just after it is answered by it (workers/polls.py), one poll-all run at a time with its
progress published to every tab (workers/coordination.py).

- Queued for the workers: `request_poll`, `poll_all`, `discover`, `apply_contract_import`, `import_month_report`,
  `sync_month` (one run per month: the month's lock is taken here, SyncRefused otherwise; the CLI runs
  `services.reports.sync_month.sync_month` itself).
- What is going on: `discovery_of` (a user's latest scan, for a page reloaded while it runs).
- Run in this process (the CLI, which has no worker to wait for): `poll_here`, `poll_all_here` (over
  `printers_to_poll`).
- What is going on: `current_run` (the poll-all run going now), `latest_run` (the last one, finished or not),
  `run_failures` (the printers that failed in a run).

Commands still to come go here too, as a function that sends the message of a thin actor in workers/actors.py
and, where the CLI needs it, a `_here` variant: `import_contracts` (a contracts workbook).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from printer_app.db import session_scope
from printer_app.models import InventoryTask
from printer_app.models.choices import TriggeredBy
from printer_app.services.polling.batch import SCHEDULED_METHODS, BatchStats, pollable_printer_ids
from printer_app.services.polling.parallel import poll_printers_parallel
from workers import actors, coordination, polls

Run = tuple[str, dict[str, int]]  # a poll-all run: its id and totals (total, done, failed)


class PrinterBusy(Exception):
    """A poll of this printer is running right now (in a worker or another command)."""


class ImportApplying(Exception):
    """An apply of this contract import session is queued or running."""


class UploadImporting(Exception):
    """This month upload is queued, being imported or imported already (the message says which)."""


class RunGoing(Exception):
    """A poll-all run is going; `run` is its id and progress."""

    def __init__(self, run: Run) -> None:
        super().__init__(f"Poll all is already running ({run[1]['done']} / {run[1]['total']} printers done)")
        self.run = run


def request_poll(printer_id: int) -> tuple[str, int]:
    """Queue a high-priority poll of a printer; its result is published when a worker stored it (or folded it).

    Returns the message's id and enqueue time (ms): the poll stored for it carries that id (the API's task id)."""
    message = actors.poll_printer_now.send(int(printer_id))
    return message.message_id, message.message_timestamp


def poll_result_time_limit_s() -> float:
    """Seconds a worker may spend on a requested poll before the broker gives up on it."""
    return actors.poll_printer_now.options["time_limit"] / 1000


def poll_all(printer_ids: list[int] | None = None) -> Run | None:
    """Queue a poll of every pollable printer (only those of `printer_ids`, when given: the ones a filtered list
    shows, found by the server), unless a run is going: then that run is returned and nothing is queued (one run at
    a time; the worker checks again, for two requests that race past this check)."""
    running = coordination.running_batch()
    if running is not None:
        return running
    if printer_ids is None:
        actors.poll_all.send()
    else:
        actors.poll_all.send(sorted(printer_ids))
    return None


def run_failures(run_id: str) -> list[int]:
    """The printers whose poll failed in a poll-all run (the list's "N failed" link)."""
    return coordination.batch_failures(run_id)


def current_run() -> Run | None:
    """The poll-all run going now, if any (one that made no progress for BATCH_IDLE_TTL_S no longer counts)."""
    return coordination.running_batch()


def latest_run() -> Run | None:
    """The latest poll-all run, finished or not: what a page attaching now shows."""
    return coordination.current_batch()


def discover(
    job_id: str, specs: list[str], communities: list[str], port: int, version: str, *, owner: str, total: int
) -> None:
    """Queue a scan of address ranges with these communities (tried in order); its progress and findings are
    published under `job_id` and remembered as `owner`'s latest scan (`discovery_of`) while it lives."""
    settings = {
        "specs": specs,
        "communities": communities,
        "port": port,
        "version": version,
        "total": total,
        "started_at": time.time(),  # the printers added from its page since then are its finds' additions
    }
    coordination.start_scan(job_id, owner=owner, settings=settings)
    actors.discover_printers.send(job_id, specs, communities, port, version)


def discovery_of(owner: str) -> tuple[dict, dict] | None:
    """The latest scan of `owner` that still lives (running or finished): its settings and latest progress."""
    return coordination.scan_of(owner)


def poll_here(printer_id: int) -> InventoryTask:
    """Poll a stored printer in this process through the whole pipeline, under its lock; its result is published
    after the commit. Raises PrinterBusy while a poll of it runs, LookupError when it does not exist."""
    with coordination.printer_lock(printer_id) as mine:
        if not mine:
            raise PrinterBusy(f"printer #{printer_id} is being polled right now; try again when it is done")
        return polls.poll_and_remember(printer_id, triggered_by=TriggeredBy.MANUAL)


def printers_to_poll() -> list[int]:
    """The printers a poll-all run covers: active ones of an active (or no) organization, by any polling method."""
    with session_scope() as session:
        return pollable_printer_ids(session, methods=SCHEDULED_METHODS)


def poll_all_here(
    printer_ids: list[int],
    *,
    concurrency: int = 64,
    processes: int | None = None,
    progress: Callable[[BatchStats], None] | None = None,
) -> BatchStats:
    """Poll these printers in this process (over several with `processes`), end to end, each result published after
    its commit; a printer being polled elsewhere (its lock held) is left to that poll. Raises RunGoing, polling
    nothing, while a poll-all run of the workers is going (it covers them already)."""
    running = coordination.running_batch()
    if running is not None:
        raise RunGoing(running)
    return poll_printers_parallel(
        printer_ids, processes=processes, concurrency=concurrency, progress=progress, lock=coordination.printer_lock
    )


def apply_contract_import(import_id: int, user_id: int | None) -> None:
    """Queue the apply of a contract import session; its progress is published (CONTRACT_IMPORT_PROGRESS) and kept
    on the session. Raises ImportApplying, queueing nothing, while an apply of the same session is queued or running
    (the worker releases it when done, or it lapses after the actor's time limit)."""
    if not coordination.claim_import(int(import_id)):
        raise ImportApplying(f"import session #{import_id} is being applied right now")
    try:
        actors.apply_contract_import.send(int(import_id), user_id)
    except Exception:
        coordination.release_import(int(import_id))
        raise


def import_month_report(upload_id: int, user_id: int | None) -> None:
    """Queue the import of an analysed month upload (a large one: the page follows REPORT_UPLOAD_PROGRESS). The
    upload is marked queued first, in one UPDATE, so a second request raises UploadImporting and queues nothing."""
    from printer_app.models.choices import ReportUploadStatus
    from printer_app.services.reports import importing

    with session_scope(write=True) as session:
        taken = importing.claim(session, upload_id, to=ReportUploadStatus.QUEUED.value)
    if not taken:
        raise UploadImporting(f"month upload #{upload_id} is queued, being imported or imported already")
    try:
        actors.import_month_report.send(int(upload_id), user_id)
    except Exception:
        with session_scope(write=True) as session:
            importing.claim(
                session, upload_id, to=ReportUploadStatus.ANALYSED.value, allowed=(ReportUploadStatus.QUEUED.value,)
            )
        raise


def sync_month(month: date, user_id: int | None) -> None:
    """Queue a sync of the month from the inventory polls; its progress is published (REPORT_SYNC_PROGRESS) to every
    tab. The month's lock is taken here first, so a second request raises SyncRefused ("already running"), as does a
    missing, closed or not auto-synced month; nothing is queued then."""
    from printer_app.services.reports import sync_run as service
    from printer_app.services.reports.months import month_key

    token = service.reserve(month)
    try:
        actors.sync_month_report.send(month_key(month), token, user_id)
    except Exception:
        service.cancel(month, token)
        raise
