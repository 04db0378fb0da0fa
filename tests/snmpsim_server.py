"""Start/stop an ``snmpsim-command-responder`` serving the real printer recordings (loopback only).

The community string (SNMP v1/v2c) or the SNMPv3 context name selects the recording
(``<file name without .snmprec>``); snmpsim's default SNMPv3 user is ``simulator`` with auth MD5
``auctoritas`` and priv DES ``privatus``.

Usage::

    with SnmpSimServer() as sim:
        sim.host, sim.port       # 127.0.0.1, <free UDP port>
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTDATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "snmp"
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
    from pyasn1.codec.ber import decoder, encoder
    from pysnmp.proto import api

    proto = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    pdu = proto.GetRequestPDU()
    proto.apiPDU.set_defaults(pdu)
    proto.apiPDU.set_varbinds(pdu, [((1, 3, 6, 1, 2, 1, 1, 1, 0), proto.Null(""))])
    msg = proto.Message()
    proto.apiMessage.set_defaults(msg)
    proto.apiMessage.set_community(msg, community)
    proto.apiMessage.set_pdu(msg, pdu)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(encoder.encode(msg), (host, port))
            data, _ = sock.recvfrom(65535)
        except OSError:
            return False
    try:
        decoder.decode(data, asn1Spec=proto.Message())
    except Exception:
        return False
    return True


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
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
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


if __name__ == "__main__":  # manual use: python -m tests.snmpsim_server [port]
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 1161
    with SnmpSimServer(port=port) as sim:
        print(f"snmpsim serving {RECORDINGS_DIR} on {sim.host}:{sim.port} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
