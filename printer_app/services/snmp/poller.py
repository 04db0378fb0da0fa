"""Native SNMP poller for network printers (pysnmp 7, asyncio). Pure domain code: no DB, no Reflex.

One poll = one GET of the system group (an unreachable host costs exactly one timeout x attempts), then
one concurrent round of GETBULK walks (GETNEXT for SNMPv1) over the needed subtrees plus one GET of the
scalar/vendor OIDs. Broken agents (error status, endOfMibView, non-increasing or duplicate OIDs, missing
tables, undecodable values) never make a poll fail: whatever was read is kept and the rest is listed in
``PollResult.errors``. Only an unreachable agent raises ``SnmpUnreachable``.

Public API: ``SnmpTarget``, ``PollResult``, ``Supply``, ``SnmpUnreachable``, ``poll_printer``,
``poll_printer_sync``, ``poll_many``, ``poll_json``. The requests live in ``snmp_transport``, the reading
of the answers in ``snmp_assemble``, pure helpers in ``snmp_decode`` (``map_counters``, ``normalize_mac``,
``pick_mac``, ...) and vendor OID tables in ``snmp_vendors``.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
from collections.abc import Callable, Iterable
from typing import Any

# ObjectType, WALKS, WALK_GROUPS and _supplies stay importable from here as before the split (tests use them).
from pysnmp.hlapi.v3arch.asyncio import ObjectType as ObjectType
from pysnmp.hlapi.v3arch.asyncio import SnmpEngine, UdpTransportTarget, bulk_cmd, get_cmd, next_cmd

from printer_app.services.snmp.assemble import (
    SYS_OIDS,
    PollResult,
    Supply,
    assemble,
    identify_vendor,
    reads_for,
    result_from_system,
)
from printer_app.services.snmp.assemble import WALK_GROUPS as WALK_GROUPS
from printer_app.services.snmp.assemble import WALKS as WALKS
from printer_app.services.snmp.assemble import supplies_from_columns as _supplies  # noqa: F401
from printer_app.services.snmp.transport import (
    Session,
    SnmpTarget,
    SnmpUnreachable,
    open_transport,
    prepare_engine,
    unreachable_message,
)

FIRST_GET_FACTOR = 4  # first GETs in flight per allowed poll

__all__ = [
    "PollResult",
    "SnmpTarget",
    "SnmpUnreachable",
    "Supply",
    "poll_json",
    "poll_many",
    "poll_printer",
    "poll_printer_sync",
]


class _Session(Session):
    """A transport session sending through this module's ``get_cmd``/``bulk_cmd``/``next_cmd``.

    They are looked up when the session is made, so a test can script a broken agent by patching them here.
    """

    def __init__(self, engine: SnmpEngine, target: SnmpTarget, transport: UdpTransportTarget) -> None:
        super().__init__(engine, target, transport, get=get_cmd, bulk=bulk_cmd, getnext=next_cmd)


async def poll_printer(target: SnmpTarget, *, engine: SnmpEngine | None = None) -> PollResult:
    """Poll one printer. Raises ``SnmpUnreachable`` only when the agent does not answer the first GET."""
    own_engine = engine is None
    engine = prepare_engine(engine)
    try:
        session, result = await _read_system(target, engine)
        return await _read_device(session, result)
    finally:
        if own_engine:
            engine.close_dispatcher()


async def _read_system(target: SnmpTarget, engine: SnmpEngine) -> tuple[_Session, PollResult]:
    """Open a session and GET the system group: the one step at which an unreachable agent fails."""
    session = _Session(engine, target, await open_transport(target))
    system, error = await session.get(list(SYS_OIDS.values()), "system")
    if not system:
        raise SnmpUnreachable(unreachable_message(target, error))
    if error:  # SNMPv1 reads the system group one OID at a time: one may fail on its own
        session.errors.append(error)
    return session, result_from_system(target.host, int(target.port), system)


async def _read_device(session: _Session, result: PollResult) -> PollResult:
    """Read the scalars and walk the tables the manufacturer calls for, concurrently, and assemble them."""
    manufacturer, vendor = identify_vendor(result)
    scalar_oids, groups = reads_for(manufacturer, vendor)
    gathered = await asyncio.gather(
        session.get(scalar_oids, "scalars"),
        *(session.walk_columns(columns, label) for label, columns in groups.items()),
    )
    scalars, scalar_error = gathered[0]
    tables = {name: rows for group_rows in gathered[1:] for name, rows in group_rows.items()}
    if scalar_error:
        session.errors.append(scalar_error)
    assemble(result, manufacturer, vendor, scalars, tables)
    result.errors = session.errors + result.errors
    return result


async def poll_many(
    targets: Iterable[SnmpTarget],
    concurrency: int = 64,
    *,
    engine: SnmpEngine | None = None,
    on_result: Callable[[int, PollResult | SnmpUnreachable], None] | None = None,
) -> list[PollResult | SnmpUnreachable]:
    """Poll many printers with one shared SnmpEngine and at most ``concurrency`` polls in flight.

    The first GET of each poll (one small request) is let out ``FIRST_GET_FACTOR`` times as wide, so that
    unreachable printers wait for their timeouts together, all at the start, without taking a poll's place.
    Returns one item per target, in order: a ``PollResult`` or the ``SnmpUnreachable`` exception;
    ``on_result(position, item)`` is called as each one is done.
    """
    own_engine = engine is None
    engine = prepare_engine(engine)
    width = max(1, int(concurrency))
    first_gets, polls = asyncio.Semaphore(width * FIRST_GET_FACTOR), asyncio.Semaphore(width)

    async def one(position: int, target: SnmpTarget) -> PollResult | SnmpUnreachable:
        try:
            async with first_gets:
                session, result = await _read_system(target, engine)
            async with polls:
                outcome: PollResult | SnmpUnreachable = await _read_device(session, result)
        except SnmpUnreachable as exc:
            outcome = exc
        if on_result is not None:
            on_result(position, outcome)
        return outcome

    try:
        return list(await asyncio.gather(*(one(i, t) for i, t in enumerate(targets))))
    finally:
        if own_engine:
            engine.close_dispatcher()


class _ThreadEngine(threading.local):
    """One event loop and SnmpEngine per thread, reused by every blocking poll of that thread.

    Building an SnmpEngine costs ~70 ms of CPU, three times the poll itself: a worker thread that polls printer
    after printer keeps its engine (its dispatcher lives on the thread's loop). Closed at process exit.
    """

    loop: asyncio.AbstractEventLoop | None = None
    engine: SnmpEngine | None = None


_per_thread = _ThreadEngine()
_opened: list[tuple[asyncio.AbstractEventLoop, SnmpEngine]] = []
_opened_lock = threading.Lock()


def _thread_engine() -> tuple[asyncio.AbstractEventLoop, SnmpEngine]:
    if _per_thread.loop is None or _per_thread.loop.is_closed():
        _per_thread.loop = asyncio.new_event_loop()
        _per_thread.engine = prepare_engine(None)
        with _opened_lock:
            _opened.append((_per_thread.loop, _per_thread.engine))
    return _per_thread.loop, _per_thread.engine


@atexit.register
def _close_thread_engines() -> None:
    with _opened_lock:
        opened, _opened[:] = list(_opened), []
    for loop, engine in opened:
        if loop.is_closed() or loop.is_running():
            continue
        try:
            engine.close_dispatcher()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            loop.close()


def poll_printer_sync(target: SnmpTarget) -> PollResult:
    """Blocking wrapper of ``poll_printer`` (safe to call from inside a running event loop too)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop, engine = _thread_engine()
        return loop.run_until_complete(poll_printer(target, engine=engine))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(poll_printer(target))).result()


def poll_json(target: SnmpTarget | str, **target_options: Any) -> dict[str, Any]:
    """Poll and return the JSON contract dict (``PollResult.to_json_dict``). Raises ``SnmpUnreachable``.

    ``target`` may be a host name; ``target_options`` are then ``SnmpTarget`` fields (community, port, ...).
    """
    if isinstance(target, str):
        target = SnmpTarget(host=target, **target_options)
    return poll_printer_sync(target).to_json_dict()
