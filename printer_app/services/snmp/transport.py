"""SNMP transport for the poller: targets and credentials, the pysnmp engine, GET and column walks.

Everything that talks pysnmp's request API lives here; what the answers mean is ``snmp_assemble``'s job.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    next_cmd,
)
from pysnmp.hlapi.v3arch.asyncio import auth as _auth
from pysnmp.proto import rfc1905

MAX_BULK_VARBINDS = 48  # varbinds asked per GETBULK (max-repetitions = this / columns still walked)
FIRST_BULK_REPETITIONS = 8  # a printer's tables are short: a first GETBULK of 48 rows per column is mostly waste
GET_CHUNK = 24  # varbinds per GET request
MAX_WALK_ROWS = 5000  # per column
MAX_REQUESTS_IN_FLIGHT = 4  # per poll: embedded agents drop packets when flooded

_AUTH_PROTOCOLS = {
    "NONE": _auth.USM_AUTH_NONE,
    "MD5": _auth.USM_AUTH_HMAC96_MD5,
    "SHA": _auth.USM_AUTH_HMAC96_SHA,
    "SHA1": _auth.USM_AUTH_HMAC96_SHA,
    "SHA224": _auth.USM_AUTH_HMAC128_SHA224,
    "SHA256": _auth.USM_AUTH_HMAC192_SHA256,
    "SHA384": _auth.USM_AUTH_HMAC256_SHA384,
    "SHA512": _auth.USM_AUTH_HMAC384_SHA512,
}
_PRIV_PROTOCOLS = {
    "NONE": _auth.USM_PRIV_NONE,
    "DES": _auth.USM_PRIV_CBC56_DES,
    "3DES": _auth.USM_PRIV_CBC168_3DES,
    "AES": _auth.USM_PRIV_CFB128_AES,
    "AES128": _auth.USM_PRIV_CFB128_AES,
    "AES192": _auth.USM_PRIV_CFB192_AES,  # Reeder key localization (pysnmp/snmpsim "AES192", Cisco "AES192C")
    "AES256": _auth.USM_PRIV_CFB256_AES,
    "AES192C": _auth.USM_PRIV_CFB192_AES,
    "AES256C": _auth.USM_PRIV_CFB256_AES,
    "AES192B": _auth.USM_PRIV_CFB192_AES_BLUMENTHAL,  # Blumenthal draft (Net-SNMP "AES-192"/"AES-256")
    "AES256B": _auth.USM_PRIV_CFB256_AES_BLUMENTHAL,
}
NO_VALUE = (rfc1905.NoSuchObject, rfc1905.NoSuchInstance, rfc1905.EndOfMibView)

Rows = list[tuple[tuple[int, ...], Any]]  # (index suffix, value) of one walked column


class SnmpUnreachable(Exception):
    """The agent did not answer the first GET (timeout, wrong community/credentials, bad host)."""


@dataclass(repr=False)
class SnmpTarget:
    host: str
    port: int = 161
    community: str = "public"
    version: str = "2c"  # "1", "2c" or "3"
    timeout: float = 2.0  # seconds per attempt
    retries: int = 1  # extra attempts: total wait for a dead host = timeout * (retries + 1)
    v3_user: str | None = None
    v3_auth_protocol: str | None = None  # MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512 (None: MD5 if key)
    v3_auth_key: str | None = None
    v3_priv_protocol: str | None = None  # DES, 3DES, AES/AES128, AES192, AES256 (None: DES if key)
    v3_priv_key: str | None = None
    v3_context: str | None = None

    @property
    def snmp_version(self) -> str:
        v = str(self.version).lower().lstrip("v")
        return {"1": "1", "2": "2c", "2c": "2c", "3": "3"}.get(v, "2c")

    def __repr__(self) -> str:
        def mask(value: str | None) -> str:
            return "None" if value is None else "'***'"

        return (
            f"SnmpTarget(host={self.host!r}, port={self.port}, community={mask(self.community)}, "
            f"version={self.version!r}, timeout={self.timeout}, retries={self.retries}, "
            f"v3_user={self.v3_user!r}, v3_auth_protocol={self.v3_auth_protocol!r}, "
            f"v3_auth_key={mask(self.v3_auth_key)}, v3_priv_protocol={self.v3_priv_protocol!r}, "
            f"v3_priv_key={mask(self.v3_priv_key)}, v3_context={self.v3_context!r})"
        )

    __str__ = __repr__


def oid_tuple(oid: str | Sequence[int]) -> tuple[int, ...]:
    if isinstance(oid, str):
        return tuple(int(x) for x in oid.strip(".").split("."))
    return tuple(int(x) for x in oid)


def oid_str(oid: Sequence[int]) -> str:
    return ".".join(str(x) for x in oid)


def _status_text(status: Any) -> str:
    return status.prettyPrint() if hasattr(status, "prettyPrint") else str(status)


_shared_mib_view: Any = None


def _mib_view() -> Any:
    """The process-wide MIB view: numeric OIDs only need SNMPv2-SMI, loaded once."""
    global _shared_mib_view
    if _shared_mib_view is None:
        from pysnmp.smi import builder, view

        shared = view.MibViewController(builder.MibBuilder())
        ObjectType(ObjectIdentity("1.3.6.1.2.1.1.1.0")).resolve_with_mib(shared)  # load it once, now
        _shared_mib_view = shared
    return _shared_mib_view


def prepare_engine(engine: SnmpEngine | None) -> SnmpEngine:
    """A new engine sharing one process-wide MIB view (a caller's engine is returned untouched).

    pysnmp builds a MIB view per engine and, on its first request, a pysmi parser (~0.4 s of CPU) that
    would be paid by every ``poll_printer`` call and spoil the unreachable-host timing.
    """
    if engine is not None:
        return engine
    engine = SnmpEngine()
    engine.cache["mibViewController"] = _mib_view()
    return engine


@functools.lru_cache(maxsize=4096)
def _varbind(oid: str) -> ObjectType:
    """A request varbind resolved once per process: pysnmp resolves every varbind of every request otherwise."""
    return ObjectType(ObjectIdentity(oid)).resolve_with_mib(_mib_view())


async def open_transport(target: SnmpTarget) -> UdpTransportTarget:
    """The UDP transport of ``target``; an unresolvable host is ``SnmpUnreachable``."""
    try:
        return await UdpTransportTarget.create(
            (target.host, int(target.port)), timeout=float(target.timeout), retries=int(target.retries)
        )
    except Exception as exc:
        raise SnmpUnreachable(f"Cannot resolve SNMP host {target.host}:{target.port}: {exc}") from exc


def unreachable_message(target: SnmpTarget, detail: str | None = None) -> str:
    attempts = int(target.retries) + 1
    hint = (
        "wrong user/keys/context, closed port or host down"
        if target.snmp_version == "3"
        else "wrong community, closed port or host down"
    )
    detail = (detail or "").removeprefix("system: ")
    if detail and "timeout" not in detail.lower() and "timed out" not in detail.lower():
        return f"SNMP agent {target.host}:{target.port} did not accept the request: {detail} ({hint})"
    return (
        f"No SNMP response from {target.host}:{target.port} within {float(target.timeout)} s x "
        f"{attempts} attempt{'s' if attempts != 1 else ''} ({hint})"
    )


def _auth_data(target: SnmpTarget) -> CommunityData | UsmUserData:
    version = target.snmp_version
    if version != "3":
        return CommunityData(target.community, mpModel=0 if version == "1" else 1)
    if not target.v3_user:
        raise SnmpUnreachable(f"SNMPv3 target {target.host}:{target.port} has no v3_user")
    kwargs: dict[str, Any] = {}
    if target.v3_auth_key:
        kwargs["authKey"] = target.v3_auth_key
        if target.v3_auth_protocol:
            kwargs["authProtocol"] = _protocol(_AUTH_PROTOCOLS, target.v3_auth_protocol, "auth")
    if target.v3_priv_key:
        kwargs["privKey"] = target.v3_priv_key
        if target.v3_priv_protocol:
            kwargs["privProtocol"] = _protocol(_PRIV_PROTOCOLS, target.v3_priv_protocol, "priv")
    return UsmUserData(target.v3_user, **kwargs)


def _protocol(table: dict[str, Any], name: str, kind: str) -> Any:
    key = name.upper().replace("-", "").replace("_", "").replace("HMAC", "")
    if key not in table:
        raise SnmpUnreachable(f"Unsupported SNMPv3 {kind} protocol {name!r} (known: {', '.join(table)})")
    return table[key]


class Session:
    """One poll's requests to one agent; problems that do not end the poll are collected in ``errors``.

    ``get``/``bulk``/``getnext`` are pysnmp's ``get_cmd``/``bulk_cmd``/``next_cmd`` unless a caller (or a
    test scripting a broken agent) passes others.
    """

    def __init__(
        self,
        engine: SnmpEngine,
        target: SnmpTarget,
        transport: UdpTransportTarget,
        *,
        get: Callable[..., Any] = get_cmd,
        bulk: Callable[..., Any] = bulk_cmd,
        getnext: Callable[..., Any] = next_cmd,
    ) -> None:
        self.engine = engine
        self.target = target
        self.transport = transport
        self.auth = _auth_data(target)
        self.context = ContextData(contextName=target.v3_context or "") if target.v3_context else ContextData()
        self.v1 = target.snmp_version == "1"
        self.errors: list[str] = []
        self.limit = asyncio.Semaphore(MAX_REQUESTS_IN_FLIGHT)
        self._get, self._bulk, self._getnext = get, bulk, getnext

    async def get(self, oids: Sequence[str], label: str) -> tuple[dict[str, Any], str | None]:
        """GET ``oids``; returns ({oid: value} for the OIDs that exist, transport error or None)."""
        if self.v1 and len(oids) > 1:  # SNMPv1 fails the whole GET on one missing OID: ask one by one
            parts = await asyncio.gather(*(self._get_chunk([oid], label) for oid in oids))
        else:
            chunks = [list(oids[i : i + GET_CHUNK]) for i in range(0, len(oids), GET_CHUNK)]
            parts = await asyncio.gather(*(self._get_chunk(chunk, label) for chunk in chunks))
        values: dict[str, Any] = {}
        error = None
        for part, err in parts:
            values.update(part)
            error = error or err
        return values, error

    async def _get_chunk(self, oids: list[str], label: str) -> tuple[dict[str, Any], str | None]:
        try:
            async with self.limit:
                err_ind, err_status, _err_index, var_binds = await self._get(
                    self.engine,
                    self.auth,
                    self.transport,
                    self.context,
                    *(_varbind(oid) for oid in oids),
                    lookupMib=False,
                )
        except Exception as exc:  # pysnmp raises on malformed responses
            return {}, f"{label}: GET failed: {exc}"
        if err_ind:
            return {}, f"{label}: {err_ind}"
        if err_status and int(err_status):
            if len(oids) > 1:  # split to isolate the failing OID
                parts = await asyncio.gather(*(self._get_chunk([oid], label) for oid in oids))
                merged: dict[str, Any] = {}
                for part, _ in parts:
                    merged.update(part)
                return merged, None
            return {}, None  # noSuchName (v1) / genErr for a single OID: treat as absent
        return {oid_str(tuple(oid)): val for oid, val in var_binds if not isinstance(val, NO_VALUE)}, None

    async def walk_columns(self, columns: dict[str, str], label: str) -> dict[str, Rows]:
        """Walk several table columns together: ``{name: [(index suffix, value), ...]}``.

        GETBULK (v2c/v3) carries one repeater per unfinished column; GETNEXT is used for SNMPv1 and as the
        fallback when an agent rejects or drops GETBULK. A column ends at endOfMibView, when its OIDs leave
        the subtree, or at a non-increasing OID (duplicates are skipped); problems go to ``errors`` and
        the rows read so far are kept.
        """
        roots = {name: oid_tuple(oid) for name, oid in columns.items()}
        last = dict(roots)
        rows: dict[str, Rows] = {name: [] for name in columns}
        active = list(columns)
        use_bulk = not self.v1
        max_varbinds = MAX_BULK_VARBINDS
        first_round = True

        def stop(message: str) -> dict[str, Rows]:
            read = sum(len(r) for r in rows.values())
            self.errors.append(f"{label}: {message}; kept {read} values, missing {', '.join(active)}")
            return rows

        while active:
            request = [_varbind(oid_str(last[name])) for name in active]
            try:
                async with self.limit:
                    if use_bulk:
                        repetitions = max(1, max_varbinds // len(active))
                        if first_round:
                            repetitions = min(repetitions, FIRST_BULK_REPETITIONS)
                        resp = await self._bulk(
                            self.engine, self.auth, self.transport, self.context, 0, repetitions, *request,
                            lookupMib=False,
                        )  # fmt: skip
                    else:
                        resp = await self._getnext(
                            self.engine, self.auth, self.transport, self.context, *request, lookupMib=False
                        )
            except Exception as exc:  # malformed response, encoding error...
                if use_bulk:
                    use_bulk = False
                    continue
                return stop(f"walk failed: {exc}")
            err_ind, err_status, err_index, var_binds = resp
            first_round = False
            status = int(err_status) if err_status else 0
            if err_ind:
                # A big GETBULK response may be lost (IP fragments dropped, slow agent): retry once with one
                # repetition per column; a second timeout ends the walk (no endless retries on a dead link).
                if use_bulk and max_varbinds > len(active):
                    max_varbinds = len(active)
                    continue
                return stop(f"walk stopped: {err_ind}")
            if status:
                if use_bulk and status == 1 and max_varbinds > len(active):  # tooBig: ask for less
                    max_varbinds //= 2
                    continue
                if use_bulk:  # agent rejects GETBULK: continue from here with GETNEXT
                    use_bulk = False
                    continue
                if status == 2 and err_index and int(err_index) <= len(active):
                    active.pop(int(err_index) - 1)  # SNMPv1 noSuchName: that column reached the end of the MIB
                    continue
                return stop(f"walk stopped: {_status_text(err_status)}")
            if not var_binds:
                break
            finished: set[str] = set()
            progressed = False
            for position, (oid, value) in enumerate(var_binds):
                name = active[position % len(active)]
                if name in finished:
                    continue
                oid_t = tuple(oid)
                root = roots[name]
                if isinstance(value, rfc1905.EndOfMibView) or oid_t[: len(root)] != root:
                    finished.add(name)
                    continue
                if oid_t == last[name]:  # duplicate OID
                    continue
                if oid_t < last[name]:
                    self.errors.append(f"{label}: {name}: agent returned a non-increasing OID {oid_str(oid_t)}")
                    finished.add(name)
                    continue
                last[name] = oid_t
                progressed = True
                if not isinstance(value, NO_VALUE):
                    rows[name].append((oid_t[len(root) :], value))
                    if len(rows[name]) >= MAX_WALK_ROWS:
                        self.errors.append(f"{label}: {name}: more than {MAX_WALK_ROWS} rows, truncated")
                        finished.add(name)
            active = [name for name in active if name not in finished]
            if not progressed and active:
                return stop("agent does not advance (repeats the same OIDs)")
        return rows
