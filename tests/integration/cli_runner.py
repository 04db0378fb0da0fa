"""In-process `python -m printer_app ...` against the test database (import the fixture into a test module).

from tests.integration.cli_runner import app_cli  # noqa: F401

The settings and the engine are re-read for the test's database; Redis is off (embedded mode: in-process events
and per-printer locks, which the test can hold itself).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from printer_app.cli.main import app as cli_app
from printer_app.config import get_settings
from printer_app.db import get_engine

RunCli = Callable[..., Result]


@pytest.fixture
def app_cli(db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunCli]:
    """`app_cli("poll", "--printer-id", "3", "--json")` → click's Result (exit_code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli_app, [str(a) for a in args])
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def json_out(result: Result) -> Any:
    """The JSON object a command printed, with its output shown when it is not one."""
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {result.output}"
    return json.loads(result.stdout)
