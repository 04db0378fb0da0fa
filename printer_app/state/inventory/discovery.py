"""State of the discovery page: scan ranges in the background, show what answers, add the chosen printers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import reflex as rx

from printer_app.i18n import format_number, gettext, ngettext
from printer_app.services import events
from printer_app.services.errors import DomainValidationError
from printer_app.services.inventory.organizations import active_organizations
from printer_app.services.polling.discovery import Found, add_found_printer, count_targets, known_addresses
from printer_app.services.validators import check_community
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
    known: bool = False
    selected: bool = False


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
        self.org_options = [[str(i), n] for i, n in await with_session(active_organizations)]
        return DiscoveryState.listen

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
            community = check_community(self.community)
            port = int(self.port)
            if not 1 <= port <= 65535:
                raise ValueError(gettext("Port must be between 1 and 65535"))
        except (DomainValidationError, ValueError) as exc:
            self.error = str(exc)
            return None
        from workers import jobs

        self.job_id, self.scanned, self.total, self.found, self.error = uuid.uuid4().hex, 0, total, [], ""
        await in_thread(jobs.discover, self.job_id, [self.targets], community, port, self.version)
        return None

    @rx.event(background=True)
    @requires("inventory.run_inventory")
    async def listen(self):
        """Show the progress of this tab's scan; which found devices are known already is read off the state lock."""
        queue = hub.attach()
        try:
            async for batch in batches(queue, window=0.2):
                progress = [p for kind, p in batch if kind == events.DISCOVERY_PROGRESS]
                if not progress:
                    continue
                async with self:
                    mine = [p for p in progress if p.get("job_id") == self.job_id]
                if not mine:
                    continue
                known = await with_session(known_addresses) if any(not p.get("error") for p in mine) else set()
                async with self:
                    for payload in mine:
                        if payload.get("job_id") == self.job_id:  # not a new scan started meanwhile
                            self._apply(payload, known)
        finally:
            hub.detach(queue)

    def _apply(self, payload: dict, known: set[str]) -> None:
        if payload.get("error"):
            self.error, self.job_id = payload["error"], ""
            return
        self.scanned, self.total = payload["scanned"], payload["total"]
        chosen = {f.ip for f in self.found if f.selected}
        self.found = [
            FoundView(
                ip=f["ip"],
                manufacturer=f["manufacturer"],
                model=f["model"],
                serial=f["serial"],
                mac=f["mac"],
                total_pages="—" if f["total_pages"] is None else format_number(f["total_pages"]),
                known=f["ip"] in known,
                selected=f["ip"] in chosen or f["ip"] not in known,
            )
            for f in payload["found"]
        ]

    @rx.event
    def toggle(self, ip: str) -> None:
        self.found = [FoundView(**{**vars(f), "selected": not f.selected}) if f.ip == ip else f for f in self.found]

    @rx.event
    @requires("inventory.add_printer")
    async def add_selected(self):
        org_id = None if self.organization_id == NONE else int(self.organization_id)
        added, problems, actor = 0, [], self._actor()
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
            )
            try:
                await with_session(
                    add_found_printer,
                    found=found,
                    community=self.community,
                    port=int(self.port),
                    version=self.version,
                    organization_id=org_id,
                    actor=actor,
                )
                added += 1
                f.known, f.selected = True, False
            except DomainValidationError as exc:
                problems.append(f"{f.ip}: {exc}")
        self.found = list(self.found)
        if problems:
            return rx.toast.error(gettext("Added {n}; not added: ", n=added) + "; ".join(problems)[:400])
        return rx.toast.success(ngettext("Added {n} printer", "Added {n} printers", added))
