"""The scheduler: only sends messages. Run one or several (`make scheduler`); a Redis lock per time slot means
two schedulers never double the work. In embedded mode the same jobs run inside the app (`workers.embedded`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from printer_app.config import get_settings
from workers import coordination
from workers.actors import daily_cleanup, daily_contract_autolink, hourly_dispatch

log = logging.getLogger(__name__)

JOBS = [
    ("hourly_dispatch", hourly_dispatch, {"minute": 0}),
    ("daily_cleanup", daily_cleanup, {"hour": 3, "minute": 0}),
    ("daily_contract_autolink", daily_contract_autolink, {"hour": 4, "minute": 0}),
]


def _send_once(name: str, actor) -> None:
    """Send the job's message unless another scheduler already did for this time slot."""
    slot = datetime.now(UTC).strftime("%Y%m%d%H%M")
    r = coordination.client()
    if r is not None and not r.set(f"pi:sched:{name}:{slot}", "1", nx=True, ex=3600):
        log.info("%s for %s already sent by another scheduler", name, slot)
        return
    actor.send()
    log.info("sent %s", name)


def configure(scheduler) -> None:
    tz = get_settings().tz
    for name, actor, cron in JOBS:
        scheduler.add_job(
            _send_once,
            CronTrigger(timezone=tz, **cron),
            args=[name, actor],
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=300,
        )


def background_scheduler() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=get_settings().tz)
    configure(scheduler)
    return scheduler


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not get_settings().redis_url:
        raise SystemExit("The scheduler process is for production (REDIS_URL); embedded mode schedules in the app.")
    scheduler = BlockingScheduler(timezone=get_settings().tz)
    configure(scheduler)
    log.info("scheduler started: %s", ", ".join(name for name, _, _ in JOBS))
    scheduler.start()


if __name__ == "__main__":
    main()
