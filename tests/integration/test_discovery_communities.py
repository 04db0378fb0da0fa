"""Discovery with several SNMP communities (snmpsim agents: the community selects the recording), the community
that answered stored on the added printer, select all / none, a scan kept server-side so a reloaded page attaches to
it, and the printers added from a scan polled right away."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from printer_app.models import Printer
from printer_app.services.errors import DomainValidationError
from printer_app.services.polling.discovery import add_found_printer, discover, parse_communities
from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
from tests.integration.state_fixtures import app_db, run_handler, signed_in, tab  # noqa: F401
from tests.snmpsim_server import SnmpSimServer

BROTHER, JETDIRECT = "brother_hl5370dw", "jetdirect_m130nw"


def test_communities_are_parsed_in_order_each_once_and_checked() -> None:
    assert parse_communities("public, private\nbrother_hl5370dw;public") == ["public", "private", "brother_hl5370dw"]
    for text, words in (("", "at least one"), ("good, b@d", "b@d"), (",".join(f"c{i}" for i in range(9)), "At most")):
        with pytest.raises(DomainValidationError) as refused:
            parse_communities(text)
        assert words in str(refused.value)


def test_each_address_is_asked_with_the_communities_in_order(snmpsim: SnmpSimServer, session: Session) -> None:  # noqa: F811
    [found] = discover([snmpsim.host], community=["wrong-one", BROTHER, JETDIRECT], port=snmpsim.port, timeout=0.5)
    assert found.community == BROTHER and found.serial == "B9J154306"  # the first that answered, not the last

    [only_second] = discover([snmpsim.host], community=["wrong-one", JETDIRECT], port=snmpsim.port, timeout=0.5)
    assert only_second.community == JETDIRECT

    assert discover([snmpsim.host], community=["wrong-one", "wrong-two"], port=snmpsim.port, timeout=0.5) == []

    printer = add_found_printer(
        session, found=found, community="public", port=snmpsim.port, version="2c", organization_id=None
    )
    assert printer.snmp_community == BROTHER  # the community it answered to, not the first one typed


def test_the_discovery_page_reattaches_to_its_scan_after_a_reload(signed_in: str, session: Session, snmpsim) -> None:  # noqa: F811
    from printer_app.state.inventory.discovery import DiscoveryState
    from workers import actors
    from workers.broker import broker

    broker.flush_all()
    first = tab(DiscoveryState, signed_in, "/discover")
    first.targets, first.community, first.port = snmpsim.host, f"wrong-one, {BROTHER}", str(snmpsim.port)
    run_handler(DiscoveryState.start, first)
    assert first.error == "" and first.job_id
    job_id = first.job_id

    # The worker runs the scan (its actor, as the broker would call it): its progress is kept server-side.
    [message] = [m for name in broker.queues for m in iter_queue(broker, name)]
    assert message.actor_name == "discover_printers" and message.args[2] == ["wrong-one", BROTHER]
    broker.flush_all()
    actors.discover_printers.fn(*message.args)

    reloaded = tab(DiscoveryState, signed_in, "/discover")  # a new tab of the same user: nothing in its state yet
    run_handler(DiscoveryState.load, reloaded)
    assert reloaded.job_id == job_id and reloaded.targets == snmpsim.host
    assert reloaded.community == f"wrong-one, {BROTHER}" and reloaded.port == str(snmpsim.port)
    assert (reloaded.scanned, reloaded.total) == (1, 1)
    assert [(f.ip, f.community, f.selected) for f in reloaded.found] == [(snmpsim.host, BROTHER, True)]

    run_handler(DiscoveryState.select_none, reloaded)
    assert reloaded.selected_count == 0
    run_handler(DiscoveryState.select_all, reloaded)
    assert reloaded.selected_count == 1

    run_handler(DiscoveryState.add_selected, reloaded)
    printer = session.exec(select(Printer).where(Printer.ip_address == snmpsim.host)).one()
    assert printer.snmp_community == BROTHER and printer.snmp_port == snmpsim.port
    [poll] = [m for name in broker.queues for m in iter_queue(broker, name)]  # polled right away
    assert (poll.actor_name, poll.args) == ("poll_printer_now", (printer.id,))
    assert reloaded.found[0].known and reloaded.selected_count == 0
    assert (reloaded.found[0].printer_id, reloaded.found[0].poll) == (printer.id, "polling")
    run_handler(DiscoveryState.select_all, reloaded)
    assert reloaded.selected_count == 0  # a printer in the inventory is not chosen again

    other = tab(DiscoveryState, signed_in, "/discover")
    run_handler(DiscoveryState.load, other)
    assert other.found[0].known  # the scan is still there, and knows the printer is added now


def test_another_users_scan_is_not_shown(app_db: str, session: Session, signed_in: str) -> None:  # noqa: F811
    from printer_app.state.inventory.discovery import DiscoveryState
    from tests.integration.state_fixtures import session_cookie
    from workers.broker import broker

    broker.flush_all()
    mine = tab(DiscoveryState, signed_in, "/discover")
    mine.targets = "127.30.1.1-3"
    run_handler(DiscoveryState.start, mine)
    broker.flush_all()
    engineer = session_cookie(session, username="engineer", groups=("Inventory — Administrator",))
    theirs = tab(DiscoveryState, engineer, "/discover")
    run_handler(DiscoveryState.load, theirs)
    assert theirs.job_id == "" and theirs.targets == ""


def iter_queue(broker, name: str) -> list:
    queue = broker.queues[name]
    items = []
    while not queue.empty():
        raw = queue.get_nowait()
        from dramatiq import Message

        items.append(Message.decode(raw) if isinstance(raw, bytes) else raw)
    return items
