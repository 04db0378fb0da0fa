"""Session-scoped snmpsim fixture serving the real printer recordings (import it into test modules).

from tests.integration.snmp_fixtures import snmpsim  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import unavailable
from tests.snmpsim_server import RECORDINGS_DIR, SnmpSimServer


@pytest.fixture(scope="session")
def snmpsim() -> Iterator[SnmpSimServer]:
    """An snmpsim command responder on 127.0.0.1:<free port>; the community selects the recording."""
    if not RECORDINGS_DIR.is_dir():
        unavailable(f"SNMP recordings not found at {RECORDINGS_DIR}")
    with SnmpSimServer() as server:
        yield server
