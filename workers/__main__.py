"""`python -m workers`: run this machine's Dramatiq workers against REDIS_URL.

Two groups of processes, so user requests (queue "high") never wait behind the schedule (queue "low").
Run it on as many machines as you like; each needs DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from printer_app.config import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--high-processes", type=int, default=1)
    parser.add_argument("--high-threads", type=int, default=4)
    parser.add_argument("--low-processes", type=int, default=2)
    parser.add_argument("--low-threads", type=int, default=8)
    args = parser.parse_args()
    if not get_settings().redis_url:
        sys.exit("REDIS_URL is not set: in embedded mode the workers run inside the app (make run).")
    dramatiq = str(Path(sys.executable).with_name("dramatiq"))
    groups = [("high", args.high_processes, args.high_threads), ("low", args.low_processes, args.low_threads)]
    procs = [
        subprocess.Popen(
            [dramatiq, "workers.actors", "--queues", queue, "--processes", str(n), "--threads", str(threads)],
            env=os.environ.copy(),
        )
        for queue, n, threads in groups
        if n > 0
    ]

    def forward(signum, _frame) -> None:
        for proc in procs:
            proc.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    sys.exit(max(proc.wait() for proc in procs))


if __name__ == "__main__":
    main()
