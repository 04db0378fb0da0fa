"""Native SNMP poller for network printers (pysnmp 7, asyncio). Pure domain code: no DB, no Reflex.

One poll = one GET of the system group (an unreachable host costs exactly one timeout x attempts), then
one concurrent round of GETBULK walks (GETNEXT for SNMPv1) over the needed subtrees plus one GET of the
scalar/vendor OIDs. Broken agents (error status, endOfMibView, non-increasing or duplicate OIDs, missing
tables, undecodable values) never make a poll fail: whatever was read is kept and the rest is listed in
``PollResult.errors``. Only an unreachable agent raises ``SnmpUnreachable``.

Public API: ``SnmpTarget``, ``PollResult``, ``Supply``, ``SnmpUnreachable``, ``poll_printer``,
``poll_printer_sync``, ``poll_many``, ``poll_json``; pure helpers live in ``snmp_decode`` (``map_counters``,
``normalize_mac``, ``pick_mac``, ...) and vendor OID tables in ``snmp_vendors``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyasn1.type import univ
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

from printer_app.services import snmp_vendors as vendors
from printer_app.services.snmp_decode import (
    clean_model,
    clean_serial,
    decode_text,
    has_counters,
    is_color_device,
    map_counters,
    normalize_mac,
    parse_device_id,
    pick_mac,
    supply_color,
    supply_kind,
    supply_percent,
)

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

MAX_BULK_VARBINDS = 48  # varbinds asked per GETBULK (max-repetitions = this / columns still walked)
GET_CHUNK = 24  # varbinds per GET request
MAX_WALK_ROWS = 5000  # per column
MAX_REQUESTS_IN_FLIGHT = 4  # per poll: embedded agents drop packets when flooded

SYS_OIDS = {
    "sys_descr": "1.3.6.1.2.1.1.1.0",
    "sys_object_id": "1.3.6.1.2.1.1.2.0",
    "sys_uptime": "1.3.6.1.2.1.1.3.0",
    "sys_name": "1.3.6.1.2.1.1.5.0",
    "sys_location": "1.3.6.1.2.1.1.6.0",
}
PRT_GENERAL_SERIAL = "1.3.6.1.2.1.43.5.1.1.17.1"
PRT_GENERAL_PRINTER_NAME = "1.3.6.1.2.1.43.5.1.1.16.1"
PRT_MARKER_LIFE_COUNT = "1.3.6.1.2.1.43.10.2.1.4.1.1"
HR_DEVICE_PRINTER = "1.3.6.1.2.1.25.3.1.5"

# Columns walked together (one GETBULK carries every column of a group, like snmptable); groups run
# concurrently. Only the needed columns are walked, never whole tables or MIB branches.
WALK_GROUPS: dict[str, dict[str, str]] = {
    "ifTable": {
        "ifDescr": "1.3.6.1.2.1.2.2.1.2",
        "ifType": "1.3.6.1.2.1.2.2.1.3",
        "ifPhysAddress": "1.3.6.1.2.1.2.2.1.6",
    },
    "ifXTable": {"ifName": "1.3.6.1.2.1.31.1.1.1.1"},
    "hrDeviceTable": {
        "hrDeviceType": "1.3.6.1.2.1.25.3.2.1.2",
        "hrDeviceDescr": "1.3.6.1.2.1.25.3.2.1.3",
    },
    "entPhysicalTable": {"entPhysicalSerialNum": "1.3.6.1.2.1.47.1.1.1.1.11"},
    "prtMarkerSuppliesTable": {
        "prtMarkerSuppliesColorantIndex": "1.3.6.1.2.1.43.11.1.1.3",
        "prtMarkerSuppliesType": "1.3.6.1.2.1.43.11.1.1.5",
        "prtMarkerSuppliesDescription": "1.3.6.1.2.1.43.11.1.1.6",
        "prtMarkerSuppliesSupplyUnit": "1.3.6.1.2.1.43.11.1.1.7",
        "prtMarkerSuppliesMaxCapacity": "1.3.6.1.2.1.43.11.1.1.8",
        "prtMarkerSuppliesLevel": "1.3.6.1.2.1.43.11.1.1.9",
    },
    "prtMarkerColorantTable": {"prtMarkerColorantValue": "1.3.6.1.2.1.43.12.1.1.4"},
}
WALKS: dict[str, str] = {name: oid for group in WALK_GROUPS.values() for name, oid in group.items()}

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
_NO_VALUE = (rfc1905.NoSuchObject, rfc1905.NoSuchInstance, rfc1905.EndOfMibView)


_shared_mib_view: Any = None


def _prepare_engine(engine: SnmpEngine | None) -> SnmpEngine:
    """A new engine sharing one process-wide MIB view (a caller's engine is returned untouched).

    pysnmp builds a MIB view per engine and, on its first request, a pysmi parser (~0.4 s of CPU) that
    would be paid by every ``poll_printer`` call and spoil the unreachable-host timing. Numeric OIDs only
    need SNMPv2-SMI, so one shared view is enough.
    """
    global _shared_mib_view
    if engine is not None:
        return engine
    engine = SnmpEngine()
    if _shared_mib_view is None:
        from pysnmp.smi import builder, view

        shared = view.MibViewController(builder.MibBuilder())
        ObjectType(ObjectIdentity("1.3.6.1.2.1.1.1.0")).resolve_with_mib(shared)  # load it once, now
        _shared_mib_view = shared
    engine.cache["mibViewController"] = _shared_mib_view
    return engine


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


@dataclass
class Supply:
    index: int | None  # row of prtMarkerSuppliesTable (None for a vendor-only supply)
    description: str
    kind: str  # toner|drum|developer|waste|fuser|transfer|ink|staples|other
    color: str | None  # black|cyan|magenta|yellow|other|None
    level: int | None
    max: int | None
    percent: int | None  # 0-100, None when unknown / special level
    state: str  # ok|unknown|some_remaining|other
    type_code: int | None = None  # prtMarkerSuppliesType (not in the JSON contract)
    unit: int | None = None  # prtMarkerSuppliesSupplyUnit (not in the JSON contract)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "description": self.description,
            "kind": self.kind,
            "color": self.color,
            "level": self.level,
            "max": self.max,
            "percent": self.percent,
            "state": self.state,
        }


@dataclass
class PollResult:
    host: str
    sys_descr: str | None = None
    sys_object_id: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    mac: str | None = None
    is_color: bool = False
    counters: dict[str, Any] = field(default_factory=dict)
    supplies: list[Supply] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # extras (not in the JSON contract)
    port: int = 161
    sys_name: str | None = None
    sys_location: str | None = None
    sys_uptime: int | None = None  # hundredths of a second
    mac_candidates: list[dict[str, Any]] = field(default_factory=list)  # ifIndex, ifDescr, ifName, ifType, mac

    def to_json_dict(self) -> dict[str, Any]:
        counters = {key: self.counters.get(key) for key in ("total", "bw_a4", "bw_a3", "color_a4", "color_a3")}
        counters["raw"] = dict(self.counters.get("raw") or {})
        return {
            "host": self.host,
            "sys_descr": self.sys_descr,
            "sys_object_id": self.sys_object_id,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "serial": self.serial,
            "mac": self.mac,
            "is_color": self.is_color,
            "counters": counters,
            "supplies": [s.to_json_dict() for s in self.supplies],
            "errors": list(self.errors),
        }


# --------------------------------------------------------------------------------------------
# Value helpers (pysnmp types → Python)
# --------------------------------------------------------------------------------------------


def _oid_tuple(oid: str | Sequence[int]) -> tuple[int, ...]:
    if isinstance(oid, str):
        return tuple(int(x) for x in oid.strip(".").split("."))
    return tuple(int(x) for x in oid)


def _oid_str(oid: Sequence[int]) -> str:
    return ".".join(str(x) for x in oid)


def _as_bytes(value: Any) -> bytes | None:
    if value is None or isinstance(value, _NO_VALUE):
        return None
    if hasattr(value, "asOctets"):
        try:
            return value.asOctets()
        except Exception:
            return None
    return str(value).encode()


def _as_int(value: Any) -> int | None:
    if value is None or isinstance(value, _NO_VALUE):
        return None
    if isinstance(value, univ.OctetString):  # some agents send numbers as strings
        text = decode_text(value.asOctets())
        return int(text) if text.lstrip("-").isdigit() else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_text(value: Any, *, collapse_spaces: bool = True) -> str | None:
    raw = _as_bytes(value)
    return decode_text(raw, collapse_spaces=collapse_spaces) if raw is not None else None


def _as_oid(value: Any) -> str | None:
    if value is None or isinstance(value, _NO_VALUE):
        return None
    try:
        return _oid_str(tuple(value))
    except (TypeError, ValueError):
        return str(value)


def _status_text(status: Any) -> str:
    return status.prettyPrint() if hasattr(status, "prettyPrint") else str(status)


# --------------------------------------------------------------------------------------------
# SNMP session
# --------------------------------------------------------------------------------------------


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


class _Session:
    def __init__(self, engine: SnmpEngine, target: SnmpTarget, transport: UdpTransportTarget) -> None:
        self.engine = engine
        self.target = target
        self.transport = transport
        self.auth = _auth_data(target)
        self.context = ContextData(contextName=target.v3_context or "") if target.v3_context else ContextData()
        self.v1 = target.snmp_version == "1"
        self.errors: list[str] = []
        self.limit = asyncio.Semaphore(MAX_REQUESTS_IN_FLIGHT)

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
                err_ind, err_status, _err_index, var_binds = await get_cmd(
                    self.engine,
                    self.auth,
                    self.transport,
                    self.context,
                    *(ObjectType(ObjectIdentity(oid)) for oid in oids),
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
        return {_oid_str(tuple(oid)): val for oid, val in var_binds if not isinstance(val, _NO_VALUE)}, None

    async def walk_columns(self, columns: dict[str, str], label: str) -> dict[str, list[tuple[tuple[int, ...], Any]]]:
        """Walk several table columns together: ``{name: [(index suffix, value), ...]}``.

        GETBULK (v2c/v3) carries one repeater per unfinished column; GETNEXT is used for SNMPv1 and as the
        fallback when an agent rejects or drops GETBULK. A column ends at endOfMibView, when its OIDs leave
        the subtree, or at a non-increasing OID (duplicates are skipped); problems go to ``errors`` and
        the rows read so far are kept.
        """
        roots = {name: _oid_tuple(oid) for name, oid in columns.items()}
        last = dict(roots)
        rows: dict[str, list[tuple[tuple[int, ...], Any]]] = {name: [] for name in columns}
        active = list(columns)
        use_bulk = not self.v1
        max_varbinds = MAX_BULK_VARBINDS

        def stop(message: str) -> dict[str, list[tuple[tuple[int, ...], Any]]]:
            read = sum(len(r) for r in rows.values())
            self.errors.append(f"{label}: {message}; kept {read} values, missing {', '.join(active)}")
            return rows

        while active:
            request = [ObjectType(ObjectIdentity(_oid_str(last[name]))) for name in active]
            try:
                async with self.limit:
                    if use_bulk:
                        repetitions = max(1, max_varbinds // len(active))
                        resp = await bulk_cmd(
                            self.engine, self.auth, self.transport, self.context, 0, repetitions, *request,
                            lookupMib=False,
                        )  # fmt: skip
                    else:
                        resp = await next_cmd(
                            self.engine, self.auth, self.transport, self.context, *request, lookupMib=False
                        )
            except Exception as exc:  # malformed response, encoding error...
                if use_bulk:
                    use_bulk = False
                    continue
                return stop(f"walk failed: {exc}")
            err_ind, err_status, err_index, var_binds = resp
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
                    self.errors.append(f"{label}: {name}: agent returned a non-increasing OID {_oid_str(oid_t)}")
                    finished.add(name)
                    continue
                last[name] = oid_t
                progressed = True
                if not isinstance(value, _NO_VALUE):
                    rows[name].append((oid_t[len(root) :], value))
                    if len(rows[name]) >= MAX_WALK_ROWS:
                        self.errors.append(f"{label}: {name}: more than {MAX_WALK_ROWS} rows, truncated")
                        finished.add(name)
            active = [name for name in active if name not in finished]
            if not progressed and active:
                return stop("agent does not advance (repeats the same OIDs)")
        return rows


# --------------------------------------------------------------------------------------------
# Polling
# --------------------------------------------------------------------------------------------


def _unreachable_message(target: SnmpTarget, detail: str | None = None) -> str:
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


async def poll_printer(target: SnmpTarget, *, engine: SnmpEngine | None = None) -> PollResult:
    """Poll one printer. Raises ``SnmpUnreachable`` only when the agent does not answer the first GET."""
    own_engine = engine is None
    engine = _prepare_engine(engine)
    try:
        try:
            transport = await UdpTransportTarget.create(
                (target.host, int(target.port)), timeout=float(target.timeout), retries=int(target.retries)
            )
        except Exception as exc:
            raise SnmpUnreachable(f"Cannot resolve SNMP host {target.host}:{target.port}: {exc}") from exc
        session = _Session(engine, target, transport)

        system, error = await session.get(list(SYS_OIDS.values()), "system")
        if error or not system:
            raise SnmpUnreachable(_unreachable_message(target, error))

        result = PollResult(host=target.host, port=int(target.port))
        result.sys_descr = _as_text(system.get(SYS_OIDS["sys_descr"]), collapse_spaces=False)
        result.sys_object_id = _as_oid(system.get(SYS_OIDS["sys_object_id"]))
        result.sys_name = _as_text(system.get(SYS_OIDS["sys_name"]))
        result.sys_location = _as_text(system.get(SYS_OIDS["sys_location"]))
        result.sys_uptime = _as_int(system.get(SYS_OIDS["sys_uptime"]))
        manufacturer = vendors.manufacturer_from_sys_object_id(result.sys_object_id)
        manufacturer = manufacturer or vendors.manufacturer_from_text(result.sys_descr)
        vendor = vendors.VENDORS.get(manufacturer or "", vendors.VendorOids())

        scalar_oids = [PRT_GENERAL_SERIAL, PRT_GENERAL_PRINTER_NAME, PRT_MARKER_LIFE_COUNT, *vendors.DEVICE_ID_OIDS]
        scalar_oids += [*vendor.model, *vendor.serial, *vendor.counters.values()]
        groups = dict(WALK_GROUPS)
        if manufacturer == "Ricoh":
            groups["ricohEngCounterTable"] = {
                "ricohEngCounterType": vendors.RICOH_COUNTER_TYPE_OID,
                "ricohEngCounterValue": vendors.RICOH_COUNTER_VALUE_OID,
            }
        gathered = await asyncio.gather(
            session.get(list(dict.fromkeys(scalar_oids)), "scalars"),
            *(session.walk_columns(columns, label) for label, columns in groups.items()),
        )
        scalars, scalar_error = gathered[0]
        tables = {name: rows for group_rows in gathered[1:] for name, rows in group_rows.items()}
        if scalar_error:
            session.errors.append(scalar_error)
        _assemble(result, manufacturer, vendor, scalars, tables)
        result.errors = session.errors + result.errors
        return result
    finally:
        if own_engine:
            engine.close_dispatcher()


def _column(rows: list[tuple[tuple[int, ...], Any]]) -> dict[tuple[int, ...], Any]:
    out: dict[tuple[int, ...], Any] = {}
    for index, value in rows:
        out.setdefault(index, value)  # first wins on duplicate rows
    return out


def _assemble(
    result: PollResult,
    manufacturer: str | None,
    vendor: vendors.VendorOids,
    scalars: dict[str, Any],
    tables: dict[str, list[tuple[tuple[int, ...], Any]]],
) -> None:
    errors = result.errors
    col = {name: _column(rows) for name, rows in tables.items()}

    # Interfaces and MAC (DOMAIN 4.2)
    if_indexes = sorted(set(col["ifDescr"]) | set(col["ifPhysAddress"]) | set(col["ifName"]))
    for idx in if_indexes:
        raw_mac = _as_bytes(col["ifPhysAddress"].get(idx))
        result.mac_candidates.append(
            {
                "ifIndex": idx[0] if len(idx) == 1 else _oid_str(idx),
                "ifDescr": _as_text(col["ifDescr"].get(idx)),
                "ifName": _as_text(col["ifName"].get(idx)),
                "ifType": _as_int(col["ifType"].get(idx)),
                "mac": normalize_mac(raw_mac) if raw_mac else None,
            }
        )
    result.mac = pick_mac(result.mac_candidates)
    if not result.mac:
        errors.append("mac: no interface with a valid MAC address" + ("" if if_indexes else " (no ifTable)"))

    # Identity
    device_ids = [parse_device_id(_as_text(scalars.get(oid))) for oid in vendors.DEVICE_ID_OIDS]
    hr_types = {idx: _as_oid(v) for idx, v in col["hrDeviceType"].items()}
    hr_descrs = {idx: _as_text(v) for idx, v in col["hrDeviceDescr"].items()}
    printer_descrs = [d for idx, d in sorted(hr_descrs.items()) if d and hr_types.get(idx) == HR_DEVICE_PRINTER]
    sysdescr_fields: dict[str, str] = {}
    for pattern in vendor.sysdescr:
        m = pattern.search(result.sys_descr or "")
        if m:
            for key, value in m.groupdict().items():
                if value and value.strip():
                    sysdescr_fields.setdefault(key, value.strip())

    result.manufacturer = manufacturer or vendors.manufacturer_from_text(
        *(d.get("MFG") or d.get("MANUFACTURER") for d in device_ids), *hr_descrs.values()
    )

    model_candidates = [
        *printer_descrs,
        *(_as_text(scalars.get(oid)) for oid in vendor.model),
        *(d.get("MDL") or d.get("MODEL") for d in device_ids),
        _as_text(scalars.get(PRT_GENERAL_PRINTER_NAME)),
        sysdescr_fields.get("model"),
        *(d for _, d in sorted(hr_descrs.items()) if d),
    ]
    result.model = next((m for m in map(clean_model, model_candidates) if m), None)
    if not result.model:
        errors.append("model: not reported (no hrDevicePrinter description, vendor model OID or device ID)")

    serial_candidates = [
        _as_text(scalars.get(PRT_GENERAL_SERIAL)),
        *(_as_text(v) for _, v in sorted(col["entPhysicalSerialNum"].items())),
        *(_as_text(scalars.get(oid)) for oid in vendor.serial),
        sysdescr_fields.get("serial"),
    ]
    result.serial = next((s for s in map(clean_serial, serial_candidates) if s), None)
    if not result.serial:
        errors.append("serial: not reported (no prtGeneralSerialNumber, entPhysicalSerialNum or vendor serial)")

    # Page counters
    raw: dict[str, int] = {}
    life = _as_int(scalars.get(PRT_MARKER_LIFE_COUNT))
    if life is not None and life >= 0:
        raw["TOTAL"] = life
    for name, oid in vendor.counters.items():
        if oid not in scalars:
            continue
        value = _as_int(scalars[oid])
        if value is None or value < 0:
            errors.append(f"counter {name}: unreadable value {scalars[oid].prettyPrint()!r} at {oid}")
            continue
        raw.setdefault(name, value)
    if "ricohEngCounterType" in col:
        values = col.get("ricohEngCounterValue", {})
        for idx, type_value in sorted(col["ricohEngCounterType"].items()):
            name = vendors.RICOH_COUNTER_TYPES.get(_as_int(type_value) or -1)
            count = _as_int(values.get(idx))
            if not name or count is None or count < 0:
                continue
            if _as_int(type_value) in vendors.RICOH_SUMMED_TYPES and name in raw and name != "TOTAL":
                raw[name] += count
            else:
                raw.setdefault(name, count)
    if "COLOR" not in raw and ("PRINT_COLOR" in raw or "COPY_COLOR" in raw):
        raw["COLOR"] = raw.get("PRINT_COLOR", 0) + raw.get("COPY_COLOR", 0)
    if "TOTAL" not in raw:
        errors.append("total pages: prtMarkerLifeCount not available and no vendor total counter")

    # Supplies
    result.supplies = _supplies(col, errors)
    result.is_color = is_color_device((s.color for s in result.supplies), raw)
    if not result.is_color:  # a mono device's colourless marking supplies are black (as GLPI/FusionInventory)
        for supply in result.supplies:
            if supply.color is None and supply.kind in ("toner", "ink", "drum", "developer"):
                supply.color = "black"

    mapped = map_counters(raw, result.is_color) if has_counters(raw) else {}
    result.counters = {
        "total": raw.get("TOTAL"),
        "bw_a4": mapped.get("bw_a4"),
        "bw_a3": mapped.get("bw_a3"),
        "color_a4": mapped.get("color_a4"),
        "color_a3": mapped.get("color_a3"),
        "raw": raw,
    }


def _supplies(col: dict[str, dict[tuple[int, ...], Any]], errors: list[str]) -> list[Supply]:
    names = (
        "prtMarkerSuppliesDescription",
        "prtMarkerSuppliesType",
        "prtMarkerSuppliesLevel",
        "prtMarkerSuppliesMaxCapacity",
    )
    rows = sorted(set().union(*(col[n] for n in names)))
    colorants = {idx: _as_text(v) for idx, v in col["prtMarkerColorantValue"].items()}
    supplies = []
    for row in rows:
        description = _as_text(col["prtMarkerSuppliesDescription"].get(row)) or ""
        type_code = _as_int(col["prtMarkerSuppliesType"].get(row))
        level = _as_int(col["prtMarkerSuppliesLevel"].get(row))
        max_capacity = _as_int(col["prtMarkerSuppliesMaxCapacity"].get(row))
        unit = _as_int(col["prtMarkerSuppliesSupplyUnit"].get(row))
        colorant_index = _as_int(col["prtMarkerSuppliesColorantIndex"].get(row))
        colorant = None
        if colorant_index and len(row) == 2:  # rows are (hrDeviceIndex, prtMarkerSuppliesIndex)
            colorant = colorants.get((row[0], colorant_index))
        if row in col["prtMarkerSuppliesLevel"] and level is None:
            errors.append(f"supply {_oid_str(row)}: unreadable level")
        percent, state = supply_percent(level, max_capacity, unit)
        supplies.append(
            Supply(
                index=row[-1],
                description=description,
                kind=supply_kind(type_code, description),
                color=supply_color(colorant, description),
                level=level,
                max=max_capacity,
                percent=percent,
                state=state,
                type_code=type_code,
                unit=unit,
            )
        )
    if not supplies:
        errors.append("supplies: prtMarkerSuppliesTable is empty or missing")
    return supplies


async def poll_many(
    targets: Iterable[SnmpTarget], concurrency: int = 64, *, engine: SnmpEngine | None = None
) -> list[PollResult | SnmpUnreachable]:
    """Poll many printers with one shared SnmpEngine and at most ``concurrency`` polls in flight.

    Returns one item per target, in order: a ``PollResult`` or the ``SnmpUnreachable`` exception.
    """
    own_engine = engine is None
    engine = _prepare_engine(engine)
    semaphore = asyncio.Semaphore(max(1, int(concurrency)))

    async def one(target: SnmpTarget) -> PollResult | SnmpUnreachable:
        async with semaphore:
            try:
                return await poll_printer(target, engine=engine)
            except SnmpUnreachable as exc:
                return exc

    try:
        return list(await asyncio.gather(*(one(t) for t in targets)))
    finally:
        if own_engine:
            engine.close_dispatcher()


def poll_printer_sync(target: SnmpTarget) -> PollResult:
    """Blocking wrapper of ``poll_printer`` (safe to call from inside a running event loop too)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(poll_printer(target))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(poll_printer(target))).result()


def poll_json(target: SnmpTarget | str, **target_options: Any) -> dict[str, Any]:
    """Poll and return the JSON contract dict (``PollResult.to_json_dict``). Raises ``SnmpUnreachable``.

    ``target`` may be a host name; ``target_options`` are then ``SnmpTarget`` fields (community, port, ...).
    """
    if isinstance(target, str):
        target = SnmpTarget(host=target, **target_options)
    return poll_printer_sync(target).to_json_dict()
