"""Poll many printers with several processes: SNMP decoding is CPU-bound, so one process uses one core."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import Counter
from collections.abc import Callable

from printer_app.models.choices import TriggeredBy
from printer_app.services.polling.batch import BatchStats, LockFactory, poll_printers


def _child(ids: list[int], concurrency: int, triggered_by: str, lock: LockFactory | None, out) -> None:
    from printer_app.db import session_scope

    seen = Counter()

    def report(stats: BatchStats) -> None:
        out.put(("progress", stats.done - sum(seen.values()), dict(stats.statuses - seen)))
        seen.update(stats.statuses - seen)

    try:
        stats = poll_printers(
            ids,
            concurrency=concurrency,
            triggered_by=triggered_by,
            progress=report,
            sessions=lambda: session_scope(write=True),
            lock=lock,
        )
        report(stats)
        out.put(("done", 0, {}))
    except BaseException as exc:
        out.put(("error", 0, {"error": repr(exc)}))


def poll_printers_parallel(
    printer_ids: list[int],
    *,
    processes: int | None = None,
    concurrency: int = 64,
    triggered_by: str = TriggeredBy.AUTO_POLL,
    progress: Callable[[BatchStats], None] | None = None,
    lock: LockFactory | None = None,
) -> BatchStats:
    """Split the printers over `processes` (default: one per core) and merge their counts.

    `lock` (the workers' per-printer lock, a module-level function so child processes can import it) leaves a
    printer being polled elsewhere to that poll.
    """
    processes = max(1, min(processes or os.cpu_count() or 1, len(printer_ids) // 8 or 1))
    if processes == 1:
        return poll_printers(
            printer_ids, concurrency=concurrency, triggered_by=triggered_by, progress=progress, lock=lock
        )
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    slices = [printer_ids[i::processes] for i in range(processes)]
    workers = [
        ctx.Process(target=_child, args=(s, max(4, concurrency // processes), triggered_by, lock, out), daemon=True)
        for s in slices
    ]
    for w in workers:
        w.start()
    stats, finished, errors = BatchStats(total=len(printer_ids)), 0, []
    while finished < len(workers):
        kind, done, statuses = out.get()
        if kind == "progress":
            stats.done += done
            stats.statuses.update(statuses)
            if progress:
                progress(stats)
        else:
            finished += 1
            if kind == "error":
                errors.append(statuses["error"])
    for w in workers:
        w.join()
    if errors:
        raise RuntimeError("a polling process failed: " + "; ".join(errors))
    return stats
