"""The code layout the README's code map promises: no import circle, no room holding most of the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("import reflex", "from reflex", "import dramatiq", "from dramatiq", "import workers", "from workers")


def test_no_import_circle_and_no_overfull_room() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "import_graph.py"), str(ROOT), "printer_app", "workers"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_services_import_neither_reflex_nor_dramatiq() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "printer_app" / "services").rglob("*.py")
        for line in path.read_text().splitlines()
        if line.lstrip().startswith(FORBIDDEN)
    ]
    assert offenders == []
