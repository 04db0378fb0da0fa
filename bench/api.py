"""How fast is the JSON API on a big fleet, through a real running server? Latency per list filter / sort and of
the detail route, then N concurrent clients for a while with no error allowed.

Builds (or reuses) a PostgreSQL database of N demo printers with about M polls (bench/printers_page.py `build`),
makes a superuser with a personal token, starts the app's backend as it runs in production
(`reflex run --env prod --backend-only`, granian; with REDIS_URL several workers and the Redis rate limiter), and
measures with httpx over HTTP on loopback:
- every list case of bench/printers_page.py (each filter, each sort both ways, far pages) as /api/v1/printers
  queries: p50 / p95 / max of `--runs` requests each, target p95 < 200 ms;
- /api/v1/printers/{id} for random printers: p95 target < 50 ms;
- `--clients` concurrent clients for `--seconds`, each looping over a mix (list page 1, a filter, a sort, a
  detail): requests/s, p50 / p95 / max, and every non-200 answer or transport error counted (target: none).

    .venv/bin/python bench/api.py --printers 10000 --polls 500000 --clients 200 --seconds 60 [--reuse] [--redis]

The load generator runs on the same machine as the server and the database: on 2 shared cores it competes with
them for CPU, so the figures are a lower bound of what the server does alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlmodel import Session, select

from bench.printers_page import Case, _prepare_postgresql, build, cases
from printer_app.db import make_engine
from printer_app.models import Printer, User
from printer_app.services.access import api_tokens, auth

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = os.environ.get("BENCH_API_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/pi_bench_api")
LIST_P95_MS, DETAIL_P95_MS = 200.0, 50.0


def _query(case: Case) -> str:
    f = case.filters
    params = {
        "search": f.search,
        "organization": f.organization,
        "model": f.model,
        "match_rule": f.match_rule,
        "status": f.status,
        "active": f.active,
        "sort": case.sort,
        "descending": str(case.descending).lower(),
        "page": case.page,
        "page_size": case.page_size,
    }
    return "/api/v1/printers?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _token(engine) -> str:
    with Session(engine, expire_on_commit=False) as session:
        user = session.exec(select(User).where(User.username == "bench-api")).first()
        if user is None:
            user = auth.create_local_user(session, username="bench-api", password="Bench-api-2026!", is_superuser=True)
        _, secret = api_tokens.create_token(session, user_id=user.id, name="bench", days=7)
        session.commit()
    return secret


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, redis_url: str | None, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DATABASE_URL=url,
        DATA_DIR=str(workdir),
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_WEB_WORKDIR=str(workdir / "web"),
        EMBEDDED_SCHEDULER="false",
        API_RATE_PER_MINUTE="10000000",  # the bench measures the server, not the limiter's refusals
        API_RATE_BURST="1000000",
        SECRET_KEY="bench-" + "k" * 40,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    reflex = str(Path(sys.executable).with_name("reflex"))
    command = [reflex, "run", "--env", "prod", "--backend-only", "--backend-port", str(port), "--loglevel", "warning"]
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}): see {workdir / 'server.log'}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code in (200, 503):
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not answer in 300 s")


def stop_server(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
            return
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(client: httpx.Client, path: str, runs: int) -> list[float]:
    client.get(path).raise_for_status()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _client_loop(base: str, headers: dict, paths: list[str], until: float, out: dict) -> None:
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        while time.monotonic() < until:
            path = random.choice(paths)
            start = time.perf_counter()
            try:
                answer = await client.get(path)
                if answer.status_code != 200:
                    out["errors"].append(f"{answer.status_code} {path}")
            except httpx.HTTPError as exc:
                out["errors"].append(f"{type(exc).__name__} {path}")
            out["times"].append((time.perf_counter() - start) * 1000)


async def concurrent(base: str, headers: dict, paths: list[str], clients: int, seconds: float) -> dict:
    out: dict = {"times": [], "errors": []}
    until = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_client_loop(base, headers, paths, until, out) for _ in range(clients)))
    out["elapsed"] = time.perf_counter() - started
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--printers", type=int, default=10_000)
    parser.add_argument("--polls", type=int, default=500_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the database if it exists")
    parser.add_argument("--redis", default=None, help="REDIS_URL for the server (several workers, Redis limiter)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()

    url = _prepare_postgresql(args.pg_url, args.reuse)
    engine = make_engine(url)
    print(f"database: {build(engine, url, args.printers, args.polls)}", flush=True)
    token = _token(engine)
    with Session(engine) as session:
        ids = list(session.exec(select(Printer.id)).all())
    bench_cases = cases(engine)
    engine.dispose()
    workdir = Path(tempfile.mkdtemp(prefix="pi_bench_api_"))
    proc, base = start_server(url, args.redis, workdir)
    headers = {"Authorization": f"Bearer {token}"}
    slow = 0
    try:
        print(f"server: {base} ({'Redis ' + args.redis if args.redis else 'embedded'}), log {workdir / 'server.log'}")
        print(f"\n{'case':48} {'p50':>8} {'p95':>8} {'max':>8}  (ms, {args.runs} requests each)")
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for case in bench_cases:
                times = latency(client, _query(case), args.runs)
                p95 = _pct(times, 0.95)
                flag = "  SLOW" if p95 > LIST_P95_MS else ""
                slow += bool(flag)
                print(f"{case.name[:48]:48} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}{flag}")
            detail = []
            for printer_id in random.sample(ids, min(len(ids), args.runs * 10)):
                start = time.perf_counter()
                client.get(f"/api/v1/printers/{printer_id}").raise_for_status()
                detail.append((time.perf_counter() - start) * 1000)
            d95 = _pct(detail, 0.95)
            flag = "  SLOW" if d95 > DETAIL_P95_MS else ""
            slow += bool(flag)
            d50, dmax = statistics.median(detail), max(detail)
            print(f"{'detail /printers/{id} (random)':48} {d50:8.1f} {d95:8.1f} {dmax:8.1f}{flag}")
        mix = [_query(c) for c in bench_cases[:12]] + [f"/api/v1/printers/{i}" for i in random.sample(ids, 50)]
        print(f"\n{args.clients} concurrent clients for {args.seconds:.0f} s ...", flush=True)
        result = asyncio.run(concurrent(base, headers, mix, args.clients, args.seconds))
        times, errors = result["times"], result["errors"]
        print(
            f"requests {len(times):,}  {len(times) / result['elapsed']:.1f} req/s"
            f"  p50 {statistics.median(times):.1f} ms"
            f"  p95 {_pct(times, 0.95):.1f} ms  max {max(times):.1f} ms  errors {len(errors)}"
        )
        for error in sorted(set(errors))[:10]:
            print(f"  error: {error}")
    finally:
        stop_server(proc)
    print(f"\n{'OK' if not slow and not errors else 'TARGETS MISSED'}: {slow} slow case(s), {len(errors)} error(s)")
    sys.exit(1 if slow or errors else 0)


if __name__ == "__main__":
    main()
