"""Start/stop an ``snmpsim-command-responder`` serving the real printer recordings (loopback only).

The community string (SNMP v1/v2c) or the SNMPv3 context name selects the recording
(``<file name without .snmprec>``); snmpsim's default SNMPv3 user is ``simulator`` with auth MD5
``auctoritas`` and priv DES ``privatus``.

Usage::

    with SnmpSimServer() as sim:
        sim.host, sim.port       # 127.0.0.1, <free UDP port>

    with SnmpSimFarm([(hosts_a, data_dir_a), (hosts_b, data_dir_b)]) as farm:  # load tests
        farm.port, farm.pids
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TESTDATA_DIR = Path(__file__).resolve().parent / "data" / "snmp"  # copied from shared/testdata (tests/data/README.md)
RECORDINGS_DIR = TESTDATA_DIR / "recordings"

V3_USER = "simulator"
V3_AUTH_KEY = "auctoritas"  # MD5
V3_PRIV_KEY = "privatus"  # DES


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _responder_executable() -> str:
    candidate = Path(sys.executable).parent / "snmpsim-command-responder"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("snmpsim-command-responder")
    if not found:
        raise RuntimeError("snmpsim-command-responder not found (pip install snmpsim pysmi)")
    return found


def _probe(host: str, port: int, community: str, timeout: float = 0.5) -> bool:
    """True when the agent answers a sysDescr GET (raw UDP, SNMPv2c, no pysnmp engine needed)."""
    from pyasn1.codec.ber import decoder
    from pysnmp.proto import api

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(_request(community, [(1, 3, 6, 1, 2, 1, 1, 1, 0)]), (host, port))
            data, _ = sock.recvfrom(65535)
        except OSError:
            return False
    try:
        decoder.decode(data, asn1Spec=api.PROTOCOL_MODULES[api.SNMP_VERSION_2C].Message())
    except Exception:
        return False
    return True


def _request(community: str, oids: list[tuple[int, ...]], bulk_repetitions: int = 0) -> bytes:
    """An encoded SNMPv2c GET (or GETBULK when ``bulk_repetitions``) of ``oids``."""
    from pyasn1.codec.ber import encoder
    from pysnmp.proto import api

    proto = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = proto.GetBulkRequestPDU() if bulk_repetitions else proto.GetRequestPDU()
    proto.apiPDU.set_defaults(pdu)
    if bulk_repetitions:
        proto.apiBulkPDU.set_non_repeaters(pdu, 0)
        proto.apiBulkPDU.set_max_repetitions(pdu, bulk_repetitions)
    proto.apiPDU.set_varbinds(pdu, [(oid, proto.Null("")) for oid in oids])
    msg = proto.Message()
    proto.apiMessage.set_defaults(msg)
    proto.apiMessage.set_community(msg, community)
    proto.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


class SnmpSimServer:
    """An snmpsim command responder on one or several loopback endpoints (same UDP port)."""

    def __init__(
        self,
        data_dir: Path = RECORDINGS_DIR,
        hosts: tuple[str, ...] = ("127.0.0.1",),
        port: int | None = None,
        probe_community: str = "ricoh_mpc3002",
        start_timeout: float = 60.0,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = Path(data_dir)
        self.hosts = hosts
        self.port = port or free_udp_port(hosts[0])
        self.probe_community = probe_community
        self.start_timeout = start_timeout
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    @property
    def host(self) -> str:
        return self.hosts[0]

    @property
    def log_path(self) -> Path | None:
        return Path(self._tmp.name) / "snmpsim.log" if self._tmp else None

    def log_text(self) -> str:
        path = self.log_path
        return path.read_text(errors="replace") if path and path.exists() else ""

    def start(self) -> SnmpSimServer:
        self.launch()
        return self.wait_ready()

    def launch(self) -> None:
        """Start the process without waiting for it to answer (see ``wait_ready``)."""
        if not self.data_dir.is_dir():
            raise RuntimeError(f"recordings not found: {self.data_dir}")
        self._tmp = tempfile.TemporaryDirectory(prefix="snmpsim-")
        cache_dir = Path(self._tmp.name) / "cache"
        cache_dir.mkdir()
        cmd = [
            _responder_executable(),
            f"--data-dir={self.data_dir}",
            f"--cache-dir={cache_dir}",
            "--log-level=error",
        ]
        cmd += [f"--agent-udpv4-endpoint={h}:{self.port}" for h in self.hosts]
        cmd += list(self.extra_args)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd += ["--process-user=root", "--process-group=root"]
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._deadline = time.monotonic() + self.start_timeout

    def wait_ready(self) -> SnmpSimServer:
        """Wait until every endpoint answers; stops the process and raises when it does not."""
        while time.monotonic() < self._deadline:
            if self.proc.poll() is not None:
                out = self.log_text()
                self.stop()
                raise RuntimeError(f"snmpsim exited with code {self.proc.returncode}:\n{out[-4000:]}")
            if all(_probe(h, self.port, self.probe_community) for h in self.hosts):
                return self
            time.sleep(0.2)
        out = self.log_text()
        self.stop()
        raise RuntimeError(f"snmpsim did not answer within {self.start_timeout} s:\n{out[-4000:]}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
            self._log = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SnmpSimServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def host_slices(hosts: Sequence[str], processes: int) -> list[tuple[str, ...]]:
    """``hosts`` cut into at most ``processes`` contiguous slices of (nearly) equal size."""
    size = -(-len(hosts) // max(1, min(processes, len(hosts))))
    return [tuple(hosts[start : start + size]) for start in range(0, len(hosts), size)]


class SnmpSimFarm:
    """Several snmpsim processes on one UDP port, each serving its own endpoints from its own data directory.

    One snmpsim process is single-threaded pure Python, so a load test needs several to keep the simulator
    from being the bottleneck. Every endpoint of a process answers every community of its data directory
    (snmpsim 1.2's per-endpoint data selection is dead code with pysnmp 7, so give each simulated device a
    community of its own: see ``write_device_recording``).
    """

    def __init__(
        self, slices: Sequence[tuple[tuple[str, ...], Path]], port: int | None = None, start_timeout: float = 120.0
    ) -> None:
        self.port = port or free_udp_port(slices[0][0][0])
        self.servers = [
            SnmpSimServer(
                data_dir=data_dir,
                hosts=hosts,
                port=self.port,
                probe_community=next(data_dir.glob("*.snmprec")).stem,
                start_timeout=start_timeout,
            )
            for hosts, data_dir in slices
        ]

    @property
    def pids(self) -> list[int]:
        return [s.proc.pid for s in self.servers if s.proc is not None]

    def start(self) -> SnmpSimFarm:
        try:
            for server in self.servers:  # launched together: each spends a while indexing its data files
                server.launch()
            for server in self.servers:
                server.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> SnmpSimFarm:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def write_device_recording(
    data_dir: Path, community: str, recording: str, replace: dict[bytes, bytes], add: dict[str, str] | None = None
) -> Path:
    """Write ``<data_dir>/<community>.snmprec``: a copy of ``recording`` made into a device of its own.

    String values have ``replace`` applied (e.g. serial number and MAC; changed values are written
    hex-encoded) and ``add`` ({oid: "tag|value"}) fills OIDs the recording lacks, in OID order.
    """
    lines = []
    for line in (RECORDINGS_DIR / f"{recording}.snmprec").read_text().splitlines():
        oid, tag, value = line.split("|", 2)
        if tag in ("4", "4x"):
            raw = bytes.fromhex(value) if tag == "4x" else value.encode()
            new = raw
            for old, replacement in replace.items():
                new = new.replace(old, replacement)
            if new != raw:
                line = f"{oid}|4x|{new.hex()}"
        lines.append(line)
    for oid, record in sorted((add or {}).items(), key=lambda item: _oid_key(item[0])):
        at = next((i for i, line in enumerate(lines) if _oid_key(line) >= _oid_key(oid)), len(lines))
        if at == len(lines) or _oid_key(lines[at]) != _oid_key(oid):
            lines.insert(at, f"{oid}|{record}")
    path = data_dir / f"{community}.snmprec"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def _oid_key(line: str) -> tuple[int, ...]:
    return tuple(int(part) for part in line.split("|", 1)[0].strip(".").split("."))


def measure_capacity(
    targets: Sequence[tuple[str, str]], port: int, *, seconds: float = 2.0, in_flight: int = 2
) -> tuple[float, float]:
    """Answers per second of the simulator(s) at (host, community) ``targets``: (GETs, GETBULKs).

    The GET asks for sysDescr, the GETBULK for the six prtMarkerSuppliesTable columns x 8 repetitions (48
    varbinds, one request of our poller). A raw UDP client keeps ``in_flight`` requests outstanding per
    endpoint and resends on every answer, so the client costs next to nothing and the figure is the simulator's.
    """
    supplies = [(1, 3, 6, 1, 2, 1, 43, 11, 1, 1, column) for column in (3, 5, 6, 7, 8, 9)]

    class Flood(asyncio.DatagramProtocol):
        def __init__(self, message: bytes, answers: list[int]) -> None:
            self.message, self.answers = message, answers

        def connection_made(self, transport) -> None:
            self.transport = transport
            for _ in range(in_flight):
                transport.sendto(self.message)

        def datagram_received(self, data: bytes, addr) -> None:
            self.answers[0] += 1
            self.transport.sendto(self.message)

    async def flood(bulk: bool) -> float:
        loop = asyncio.get_running_loop()
        answers = [0]
        endpoints = []
        for host, community in targets:
            message = _request(community, supplies, 8) if bulk else _request(community, [(1, 3, 6, 1, 2, 1, 1, 1, 0)])
            protocol = Flood(message, answers)
            endpoints.append(await loop.create_datagram_endpoint(lambda p=protocol: p, remote_addr=(host, port)))
        await asyncio.sleep(min(0.5, seconds / 4))  # warm-up
        answers[0], started = 0, time.monotonic()
        await asyncio.sleep(seconds)
        rate = answers[0] / (time.monotonic() - started)
        for transport, _ in endpoints:
            transport.close()
        await asyncio.sleep(0.5)  # let the simulators drain what is still queued
        return rate

    return asyncio.run(flood(bulk=False)), asyncio.run(flood(bulk=True))


if __name__ == "__main__":  # manual use: python -m tests.snmpsim_server [port]
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 1161
    with SnmpSimServer(port=port) as sim:
        print(f"snmpsim serving {RECORDINGS_DIR} on {sim.host}:{sim.port} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
