"""State of the discovery page: scan ranges in the background, show what answers, add the chosen printers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx

from printer_app.i18n import format_number, gettext, ngettext
from printer_app.models.choices import TaskStatus
from printer_app.services import events
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.organizations import active_organizations
from printer_app.services.polling.discovery import (
    Found,
    add_found_printer,
    added_since,
    count_targets,
    known_addresses,
    parse_communities,
)
from printer_app.state.live.hub import batches, hub
from printer_app.state.session import SessionState, in_thread, requires, requires_page, with_session

NONE = "none"


@dataclass
class FoundView:
    ip: str = ""
    manufacturer: str = ""
    model: str = ""
    serial: str = ""
    mac: str = ""
    total_pages: str = ""
    community: str = ""  # the one the device answered to (stored on the printer when it is added)
    known: bool = False
    selected: bool = False
    printer_id: int = 0  # added from this page: its first poll's status shows beside it
    poll: str = ""  # "" (not polled from here), "polling", or the poll's status label
    poll_ok: bool = False


class DiscoveryState(SessionState):
    targets: str = ""
    community: str = "public"
    port: str = "161"
    version: str = "2c"
    organization_id: str = NONE
    org_options: list[list[str]] = []
    error: str = ""
    job_id: str = ""
    scanned: int = 0
    total: int = 0
    found: list[FoundView] = []
    _scan: dict = {}  # the settings of the scan shown (what its finds are added with), server side only

    @rx.var
    def running(self) -> bool:
        return bool(self.job_id) and self.scanned < self.total

    @rx.var
    def percent(self) -> int:
        return round(100 * self.scanned / self.total) if self.total else 0

    @rx.var
    def selected_count(self) -> int:
        return sum(1 for f in self.found if f.selected)

    @rx.event
    @requires_page("inventory.access_inventory_app", "inventory.run_inventory")
    async def load(self):
        """The page attaches to this user's latest scan while it lives (running or finished): a reload loses nothing."""
        from workers import jobs

        self.org_options = [[str(i), n] for i, n in await with_session(active_organizations)]
        attached = await in_thread(jobs.discovery_of, self._owner())
        if attached is not None:
            settings, progress = attached
            self._scan = settings
            self.targets = ", ".join(settings.get("specs", []))
            self.community = ", ".join(settings.get("communities", []))
            self.port, self.version = str(settings.get("port", 161)), settings.get("version", "2c")
            self.job_id, self.found, self.error = progress.get("job_id", ""), [], ""
            self.scanned, self.total = 0, settings.get("total", 0)
            port = settings.get("port", 161)
            known = await with_session(known_addresses, port)
            self._apply(progress, known)
            if started := settings.get("started_at"):
                ips = [f.ip for f in self.found if f.known]
                added = await with_session(added_since, ips, datetime.fromtimestamp(started, UTC), port)
                self._show_added(added)
        return DiscoveryState.listen

    def _show_added(self, added: dict[str, tuple[int, str | None]]) -> None:
        """After a reload: the finds added from this page since the scan started, with their latest poll."""
        rows = []
        for f in self.found:
            if f.ip in added:
                printer_id, status = added[f.ip]
                if status is None:
                    label = "polling" if RUN in self.permissions else ""
                else:
                    label = TaskStatus(status).text if status in {s.value for s in TaskStatus} else status
                f = FoundView(**{**vars(f), "printer_id": printer_id, "poll": label, "poll_ok": status == "SUCCESS"})
            rows.append(f)
        self.found = rows

    def _owner(self) -> str:
        return f"user:{self._user_id}" if self._user_id else f"name:{self.username}"

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in ("targets", "community", "port", "version", "organization_id"):
            setattr(self, name, value)
            self.error = ""

    @rx.event
    @requires("inventory.run_inventory")
    async def start(self):
        """Validate the input here (no I/O), then hand the scan to a worker."""
        try:
            total = count_targets([self.targets])
            if not total:
                raise DomainValidationError({"targets": gettext("Enter at least one address, range or CIDR")})
            communities = parse_communities(self.community)
            try:
                port = int(self.port)
            except ValueError:
                port = 0
            if not 1 <= port <= 65535:
                raise ValueError(gettext("Port must be between 1 and 65535"))
            if self.version not in ("1", "2c"):
                raise ValueError(gettext("SNMP version must be 1 or 2c"))
        except (DomainValidationError, ValueError) as exc:
            self.error = str(exc)
            return None
        from workers import jobs

        self.job_id, self.scanned, self.total, self.found, self.error = uuid.uuid4().hex, 0, total, [], ""
        self._scan = {"specs": [self.targets], "communities": communities, "port": port, "version": self.version}
        await in_thread(
            jobs.discover,
            self.job_id,
            [self.targets],
            communities,
            port,
            self.version,
            owner=self._owner(),
            total=total,
        )
        return None

    @rx.event(background=True)
    @requires("inventory.run_inventory")
    async def listen(self):
        """Show the progress of this tab's scan; which found devices are known already is read off the state lock."""
        queue = hub.attach()
        try:
            async for batch in batches(queue, window=0.2):
                polled = {p.get("printer_id"): p for kind, p in batch if kind == events.INVENTORY_UPDATE}
                if polled:
                    async with self:
                        self._show_polls(polled)
                progress = [p for kind, p in batch if kind == events.DISCOVERY_PROGRESS]
                if not progress:
                    continue
                async with self:
                    mine = [p for p in progress if p.get("job_id") == self.job_id]
                    port = (self._scan or {}).get("port", 161)
                if not mine:
                    continue
                wanted = any(not p.get("error") for p in mine)
                known = await with_session(known_addresses, port) if wanted else set()
                async with self:
                    for payload in mine:
                        if payload.get("job_id") == self.job_id:  # not a new scan started meanwhile
                            self._apply(payload, known)
        finally:
            hub.detach(queue)

    def _show_polls(self, polled: dict) -> None:
        """The first polls of the printers added from this page, as their results arrive."""
        if not any(f.printer_id in polled for f in self.found if f.printer_id):
            return
        rows = []
        for f in self.found:
            result = polled.get(f.printer_id) if f.printer_id else None
            if result is not None:
                status = str(result.get("status", ""))
                label = TaskStatus(status).text if status in {s.value for s in TaskStatus} else status
                f = FoundView(**{**vars(f), "poll": label, "poll_ok": status == TaskStatus.SUCCESS})
            rows.append(f)
        self.found = rows

    def _apply(self, payload: dict, known: set[str]) -> None:
        if payload.get("error"):
            self.error, self.job_id = payload["error"], ""
            return
        self.scanned, self.total = payload["scanned"], payload["total"]
        shown = {f.ip: f.selected for f in self.found}  # a choice made keeps, a new find of a new printer is chosen
        polls = {f.ip: (f.printer_id, f.poll, f.poll_ok) for f in self.found}
        self.found = [
            FoundView(
                ip=f["ip"],
                manufacturer=f["manufacturer"],
                model=f["model"],
                serial=f["serial"],
                mac=f["mac"],
                total_pages="—" if f["total_pages"] is None else format_number(f["total_pages"]),
                community=f.get("community", ""),
                known=f["ip"] in known,
                selected=f["ip"] not in known and shown.get(f["ip"], True),
                printer_id=polls.get(f["ip"], (0, "", False))[0],
                poll=polls.get(f["ip"], (0, "", False))[1],
                poll_ok=polls.get(f["ip"], (0, "", False))[2],
            )
            for f in payload["found"]
        ]

    @rx.event
    def toggle(self, ip: str) -> None:
        self.found = [FoundView(**{**vars(f), "selected": not f.selected}) if f.ip == ip else f for f in self.found]

    @rx.event
    def select_all(self) -> None:
        """Every found printer not in the inventory yet."""
        self.found = [FoundView(**{**vars(f), "selected": not f.known}) for f in self.found]

    @rx.event
    def select_none(self) -> None:
        self.found = [FoundView(**{**vars(f), "selected": False}) for f in self.found]

    @rx.event
    @requires("inventory.add_printer")
    async def add_selected(self):
        """Store the chosen finds with the settings of their scan (each with the community it answered to), then
        poll each one right away."""
        try:
            org_id = None if self.organization_id == NONE else int(self.organization_id)
        except ValueError:
            return rx.toast.error(gettext("Choose an organization from the list"))
        scan = self._scan or {}
        communities = scan.get("communities") or ["public"]
        port, version = int(scan.get("port", 161)), scan.get("version", "2c")
        added, problems, actor = [], [], self._actor()
        for f in self.found:
            if not f.selected or f.known:
                continue
            found = Found(
                ip=f.ip,
                manufacturer=f.manufacturer,
                model=f.model,
                serial=f.serial,
                mac=f.mac,
                total_pages=None,
                sys_descr="",
                community=f.community,
            )
            try:
                printer = await with_session(
                    add_found_printer,
                    found=found,
                    community=communities[0],
                    port=port,
                    version=version,
                    organization_id=org_id,
                    actor=actor,
                )
                added.append(printer.id)
                f.known, f.selected, f.printer_id = True, False, printer.id
                f.poll = "polling" if RUN in self.permissions else ""
            except DomainValidationError as exc:
                problems.append(f"{f.ip}: {exc}")
        self.found = list(self.found)
        if RUN in self.permissions and added:  # polled at once (high priority); each row shows its result
            from workers import jobs

            for printer_id in added:
                await in_thread(jobs.request_poll, printer_id)
        if problems:
            n = format_number(len(added))
            return rx.toast.error(gettext("Added {n}; not added: ", n=n) + "; ".join(problems)[:400])
        return rx.toast.success(ngettext("Added {n} printer", "Added {n} printers", len(added)))


RUN = "inventory.run_inventory"
