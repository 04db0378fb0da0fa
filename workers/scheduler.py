"""The scheduler: only sends messages. Run one or several (`make scheduler`); a Redis lock per time slot means
two schedulers never double the work. In embedded mode the same jobs run inside the app (`workers.embedded`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from dramatiq import Actor

from printer_app.config import Settings, get_settings
from printer_app.redis_client import key as rkey
from workers import coordination
from workers.actors import daily_cleanup, daily_contract_autolink, daily_supplies_refresh, scheduled_dispatch
from workers.alert_actors import daily_supply_alert_digest

log = logging.getLogger(__name__)
DAY_S = 86_400
MISFIRE_GRACE_S = 300  # a run this late (scheduler busy or paused) still happens, unless its slot is shorter


@dataclass(frozen=True)
class Job:
    """A message sent on the clock of TIME_ZONE: `cron` fields, one slot every `period_s` seconds."""

    name: str
    actor: Actor
    cron: dict[str, str | int]
    period_s: int


def poll_cron(minutes: int) -> dict[str, str | int]:
    """Cron fields for every `minutes` on the clock: minute slots of the hour, or hour slots of the day."""
    if minutes < 60:
        return {"minute": f"*/{minutes}"}
    hours = minutes // 60
    return {"hour": f"*/{hours}" if hours < 24 else 0, "minute": 0}


def jobs(settings: Settings) -> list[Job]:
    """What the scheduler sends and when: the scheduled poll every POLL_INTERVAL_MINUTES, the daily maintenance,
    the low-supply alert digest at 08:00 (the start of a working day)."""
    interval = settings.poll_interval_minutes
    return [
        Job("scheduled_dispatch", scheduled_dispatch, poll_cron(interval), interval * 60),
        Job("daily_cleanup", daily_cleanup, {"hour": 3, "minute": 0}, DAY_S),
        Job("daily_contract_autolink", daily_contract_autolink, {"hour": 4, "minute": 0}, DAY_S),
        Job("daily_supplies_refresh", daily_supplies_refresh, {"hour": 3, "minute": 30}, DAY_S),  # after the cleanup
        Job("daily_supply_alert_digest", daily_supply_alert_digest, {"hour": 8, "minute": 0}, DAY_S),
    ]


def slot_of(job: Job, now: datetime) -> int:
    """The job's time slot a run at `now` belongs to: the nearest slot start on the local clock, so two schedulers
    whose clocks differ by seconds (or one running late within the grace time) name the same slot."""
    local = now.astimezone(get_settings().tz)
    local_epoch = now.timestamp() + local.utcoffset().total_seconds()
    return round(local_epoch / job.period_s)


def _send_once(job: Job) -> None:
    """Send the job's message unless another scheduler already did for this time slot."""
    slot = slot_of(job, datetime.now(UTC))
    r = coordination.client()
    if r is not None and not r.set(rkey("sched", job.name, slot), "1", nx=True, ex=job.period_s):
        log.info("%s for slot %s already sent by another scheduler", job.name, slot)
        return
    job.actor.send()
    log.info("sent %s", job.name)


def configure(scheduler) -> None:
    settings = get_settings()
    for job in jobs(settings):
        scheduler.add_job(
            _send_once,
            CronTrigger(timezone=settings.tz, **job.cron),
            args=[job],
            id=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=min(MISFIRE_GRACE_S, job.period_s // 2),
        )


def background_scheduler() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=get_settings().tz)
    configure(scheduler)
    return scheduler


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if not settings.redis_url:
        raise SystemExit("The scheduler process is for production (REDIS_URL); embedded mode schedules in the app.")
    scheduler = BlockingScheduler(timezone=settings.tz)
    configure(scheduler)
    log.info("scheduler started: %s", ", ".join(f"{j.name} {j.cron}" for j in jobs(settings)))
    scheduler.start()


if __name__ == "__main__":
    main()
