"""Where readings come from: SNMP, web pages, or both merged (HYBRID), chosen per printer
(docs/inventory-and-polling.md §3.2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from printer_app.config import get_settings
from printer_app.models import Printer
from printer_app.models.choices import DataSource, PollingMethod, SupplyState, WebField
from printer_app.services.inventory.device_models import ModelLabel
from printer_app.services.polling.history import SupplyReading, summary_key, supply_rank, supply_summary
from printer_app.services.polling.reading import AcquisitionError, DeviceReading
from printer_app.services.snmp.poller import PollResult, SnmpTarget, SnmpUnreachable, poll_printer_sync
from printer_app.services.validators import normalize_mac
from printer_app.services.web.export import write_web_export
from printer_app.services.web.parser import COUNTER_KEYS, SUPPLY_FIELDS, RuleLike, run_rules
from printer_app.services.web.rules import RuleSpec

COLOUR_SUPPLIES = {name for name, (_kind, colour) in SUPPLY_FIELDS.items() if colour != "black"}


def snmp_target_for(printer: Printer) -> SnmpTarget:
    """The SNMP address and credentials of a stored printer, with timeouts from the settings."""
    settings = get_settings()
    return SnmpTarget(
        host=printer.ip_address,
        port=printer.snmp_port,
        community=printer.snmp_community,
        version=printer.snmp_version,
        timeout=settings.snmp_timeout,
        retries=settings.snmp_retries,
        v3_user=printer.snmp_v3_user,
        v3_auth_protocol=printer.snmp_v3_auth_protocol,
        v3_auth_key=printer.snmp_v3_auth_key,
        v3_priv_protocol=printer.snmp_v3_priv_protocol,
        v3_priv_key=printer.snmp_v3_priv_key,
        v3_context=printer.snmp_v3_context,
    )


def reading_from_snmp(result: PollResult) -> DeviceReading:
    """Turn the poller's result into the pipeline's source-independent reading."""
    return DeviceReading(
        serial=(result.serial or "").strip(),
        mac=normalize_mac(result.mac),
        raw_counters={k: int(v) for k, v in (result.counters.get("raw") or {}).items() if v is not None},
        is_color=result.is_color,
        supplies=[
            SupplyReading(
                description=(s.description or "")[:255],
                kind=s.kind,
                color=s.color,
                level=s.level,
                max_capacity=s.max,
                percent=s.percent,
                state=s.state,
                supply_index=s.index,
            )
            for s in result.supplies
        ],
        manufacturer=result.manufacturer,
        model=result.model,
        location=" ".join((result.sys_location or "").split())[:255],
        errors=list(result.errors),
    )


def snmp_source(printer: Printer) -> DeviceReading:
    """Read one printer with the native SNMP poller."""
    try:
        return reading_from_snmp(poll_printer_sync(snmp_target_for(printer)))
    except SnmpUnreachable as exc:
        raise AcquisitionError(str(exc)) from None


def web_reading(printer: Printer, rules: Iterable[RuleLike], *, export: ModelLabel | None = None) -> DeviceReading:
    """Read one printer from its web pages; no field at all → AcquisitionError with the joined errors.

    With `export` (the model names for the document) the fields are also saved as the printer's XML export.
    """
    result = run_rules(printer, rules)
    if not result.success:
        message = f"Web parsing produced no data: {result.error_text()}"
        raise AcquisitionError(message, data_source=DataSource.WEB_SCRAPING)
    if export is not None:
        write_web_export(printer, result.fields, export)
    return reading_from_fields(result.fields, errors=[f"{k}: {v}" for k, v in result.errors.items()])


def reading_from_fields(fields: Mapping[str, Any], *, errors: Sequence[str] = ()) -> DeviceReading:
    """Web fields → the pipeline's reading: counters under GLPI raw names, toner/drum levels, identity
    (docs/inventory-and-polling.md §4.1)."""
    raw = {key: int(fields[name]) for name, key in COUNTER_KEYS.items() if name in fields}
    supplies = [_supply(name, fields[name]) for name in SUPPLY_FIELDS if name in fields]
    colour_counter = any(raw.get(k, 0) > 0 for k in ("COLOR_A4", "COLOR_A3"))
    return DeviceReading(
        serial=str(fields.get(WebField.SERIAL_NUMBER, "") or "").strip(),
        mac=fields.get(WebField.MAC_ADDRESS) or None,
        raw_counters=raw,
        is_color=colour_counter or any(name in fields for name in COLOUR_SUPPLIES),
        supplies=supplies,
        data_source=DataSource.WEB_SCRAPING,
        errors=list(errors),
    )


def _supply(name: str, value: int | str) -> SupplyReading:
    """A web level 0-100 is a percentage; a status word (`web_rules.supply_state_word`) is a state, never 0 %."""
    kind, colour = SUPPLY_FIELDS[name]
    description = f"{colour.title()} {kind.title()}"
    if isinstance(value, str) and not value.isdigit():
        state = value if value in SupplyState._value2member_map_ else SupplyState.UNKNOWN
        return SupplyReading(description=description, kind=kind, color=colour, state=state)
    value = int(value)
    if 0 <= value <= 100:
        return SupplyReading(
            description=description, kind=kind, color=colour, level=value, max_capacity=100, percent=value
        )
    return SupplyReading(description=description, kind=kind, color=colour, level=value, state="unknown")


def polling_method_for(printer: Printer, web_rules: Sequence[RuleSpec]) -> str:
    """docs/inventory-and-polling.md §3.2: HYBRID stays HYBRID; otherwise WEB when the printer has web rules, else
    SNMP."""
    if printer.polling_method == PollingMethod.HYBRID:
        return PollingMethod.HYBRID
    return PollingMethod.WEB if web_rules else PollingMethod.SNMP


def store_polling_method(session: Session, *, printer_id: int, method: str) -> None:
    """Persist the method the poll used (WEB or SNMP switch), in the poll's own transaction."""
    printer = session.get(Printer, printer_id)
    if printer is not None and printer.polling_method != method:
        printer.polling_method = method
        session.add(printer)
        session.flush()  # the pipeline may expire the session after an error; keep the switch


def read_printer(
    printer: Printer, web_rules: Sequence[RuleSpec] = (), *, export: ModelLabel | None = None
) -> DeviceReading | AcquisitionError:
    """Read a printer by its polling method; a failure is returned, not raised, so it can be recorded.

    `export`: write the web fields as the printer's XML export (see `web_reading`).
    """
    method = polling_method_for(printer, web_rules)
    try:
        if method == PollingMethod.HYBRID:
            return hybrid_reading(printer, web_rules, export=export)
        if method == PollingMethod.WEB:
            return web_reading(printer, web_rules, export=export)
        return snmp_source(printer)
    except AcquisitionError as exc:
        return exc


def hybrid_reading(
    printer: Printer, web_rules: Sequence[RuleSpec], *, export: ModelLabel | None = None
) -> DeviceReading:
    """docs/inventory-and-polling.md §3.5: SNMP, then the web pages, merged; every failure is recorded as a HYBRID poll.

    A web side that yields nothing leaves the SNMP reading, with a note saying so, rather than failing the poll.
    """
    if not web_rules:
        raise AcquisitionError("HYBRID mode requires web parsing rules", data_source=DataSource.HYBRID)
    try:
        snmp = snmp_source(printer)
    except AcquisitionError as exc:
        raise AcquisitionError(str(exc), data_source=DataSource.HYBRID) from None
    try:
        web = web_reading(printer, web_rules, export=export)
    except AcquisitionError as exc:
        return replace(snmp, data_source=DataSource.HYBRID, notes=[*snmp.notes, f"web side failed: {exc}"])
    return merge_readings(snmp, web)


def merge_readings(snmp: DeviceReading, web: DeviceReading) -> DeviceReading:
    """docs/web-rules.md §5.6: SNMP is the base and every web value overrides it, unless the two disagree on a field."""
    conflicts = [f"{name}: SNMP='{a}' vs Web='{b}'" for name, a, b in _overlaps(snmp, web) if str(a) != str(b)]
    if conflicts:
        raise AcquisitionError("Data merge failed: " + "; ".join(conflicts), data_source=DataSource.HYBRID)
    return DeviceReading(
        serial=web.serial or snmp.serial,
        mac=web.mac or snmp.mac,
        raw_counters={**snmp.raw_counters, **web.raw_counters},
        is_color=snmp.is_color or web.is_color,
        supplies=_merge_supplies(snmp.supplies, web.supplies),
        manufacturer=snmp.manufacturer,
        model=snmp.model,
        data_source=DataSource.HYBRID,
        errors=snmp.errors + web.errors,
        notes=snmp.notes + web.notes,
    )


def _merge_supplies(snmp: list[SupplyReading], web: list[SupplyReading]) -> list[SupplyReading]:
    """Per summary field the more informative side wins, the web on a tie: a web status word ("OK", "low") never
    replaces an SNMP percentage, while a web level replaces an SNMP state such as "some remaining"."""

    def best(supplies: list[SupplyReading]) -> dict[str, int]:
        ranks: dict[str, int] = {}
        for s in supplies:
            if (key := summary_key(s)) is not None:
                ranks[key] = max(ranks.get(key, -1), supply_rank(s))
        return ranks

    snmp_best, web_best = best(snmp), best(web)
    kept_snmp = [s for s in snmp if (k := summary_key(s)) not in web_best or snmp_best[k] > web_best[k]]
    kept_web = [s for s in web if (k := summary_key(s)) not in snmp_best or web_best[k] >= snmp_best[k]]
    return kept_snmp + kept_web


def _overlaps(snmp: DeviceReading, web: DeviceReading) -> list[tuple[str, object, object]]:
    """(field, SNMP value, web value) for every field both report with a usable value."""
    pairs: list[tuple[str, object, object]] = []
    if snmp.serial.strip() and web.serial.strip():
        pairs.append(("serial_number", snmp.serial.strip(), web.serial.strip()))
    if snmp.mac and web.mac:
        pairs.append(("mac_address", snmp.mac, web.mac))
    for name, key in COUNTER_KEYS.items():
        a, b = snmp.raw_counters.get(key), web.raw_counters.get(key)
        if _counter_ok(a) and _counter_ok(b):
            pairs.append((str(name), a, b))
    snmp_levels, web_levels = supply_summary(snmp.supplies), supply_summary(web.supplies)
    for name in SUPPLY_FIELDS:
        a, b = snmp_levels.get(name, ""), web_levels.get(name, "")
        # Levels only: status words and Printer-MIB states never conflict, nor does 0 (docs/web-rules.md §5.6 "error
        # value").
        if a.isdigit() and b.isdigit() and "0" not in (a, b):
            pairs.append((name, a, b))
    return pairs


def _counter_ok(value: object) -> bool:
    """A counter both sides can be compared on: an integer ≥ 0 ("0" is valid)."""
    try:
        return value is not None and str(value).strip() != "" and int(str(value).strip()) >= 0
    except ValueError:
        return False
