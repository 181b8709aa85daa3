"""The monthly consolidation as a Prefect deployment on a monthly cron schedule.

``serve`` registers the deployment with the Prefect server of ``PREFECT_API_URL`` and then
runs, until it is stopped, every flow run of it: the scheduled ones and those triggered by
hand (``prefect deployment run monthly-consolidation/BL``). A scheduled run has no period:
``monthly_consolidation`` then consolidates the month whose deadline has passed.
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from cellreports.periods import period_of
from cellreports.settings import Settings
from flows.reporting import deadline_day

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Schedule

FLOW_NAME = "monthly-consolidation"
RUN_HOUR = 6
# the last day every month has: a later run day would skip the shorter months
LAST_COMMON_DAY = 28


def deployment_name(settings: Settings) -> str:
    """The deployment's own name: the consolidating unit (``BL``)."""
    return settings.district_code


def full_name(settings: Settings) -> str:
    """``flow/deployment``, as ``prefect deployment run`` and run_deployment want it."""
    return f"{FLOW_NAME}/{deployment_name(settings)}"


def default_cron(settings: Settings, today: date | None = None) -> str:
    """06:00 on the day after the cells' deadline of the current month (limits.csv,
    ``deadline_day``: 25 → ``0 6 26 * *``). A deadline from the 28th on runs on the 1st of the
    next month instead: every month has that day, and the month is still the one consolidated
    (cellreports.periods.due_period)."""
    today = today or datetime.now(ZoneInfo(settings.timezone)).date()
    run_day = deadline_day(settings, period_of(today)) + 1
    if run_day > LAST_COMMON_DAY:
        run_day = 1
    return f"0 {RUN_HOUR} {run_day} * *"


def monthly_schedule(settings: Settings, cron: str | None = None) -> Schedule:
    """The cron schedule in the settings' time zone (Asia/Ho_Chi_Minh); ValueError for a cron
    expression Prefect does not accept."""
    from prefect.schedules import Cron

    return Cron(cron or default_cron(settings), timezone=settings.timezone)


def describe(cron: str, timezone: str) -> str:
    """The schedule in words, for the common monthly form ``M H D * *``."""
    found = re.fullmatch(r"(\d{1,2}) (\d{1,2}) (\d{1,2}) \* \*", cron.strip())
    if found is None:
        return f"cron '{cron}' ({timezone} time)"
    minute, hour, day = (int(g) for g in found.groups())
    return f"every month on day {day} at {hour:02d}:{minute:02d} {timezone} time"


def next_runs(cron: str, timezone: str, count: int = 3,
              after: datetime | None = None) -> list[datetime]:
    """The next start times, computed by the Prefect server's own schedule code."""
    from prefect.server.schemas.schedules import CronSchedule

    dates = asyncio.run(CronSchedule(cron=cron, timezone=timezone).get_dates(n=count,
                                                                             start=after))
    zone = ZoneInfo(timezone)
    return [datetime.fromtimestamp(d.timestamp(), zone) for d in dates]


def build_deployment(settings: Settings, cron: str | None = None) -> RunnerDeployment:
    """The deployment of ``monthly_consolidation``: no parameters (a run's period defaults to
    the month due), one cron schedule in the settings' time zone. Its entrypoint is
    ``flows.runners.configured_monthly_consolidation``: each run's process builds the flow with
    the task runner of its own settings — the Dask cluster of ``CELLREPORTS_DASK_ADDRESS``
    when it is set (``serve`` exports the settings it was given to its runs)."""
    from prefect.types.entrypoint import EntrypointType

    from flows.runners import MONTHLY_ENTRYPOINT, monthly_flow_for

    deployment = monthly_flow_for(settings).to_deployment(
        name=deployment_name(settings),
        schedules=[monthly_schedule(settings, cron)],
        description=(f"Monthly consolidation of {settings.district_code}: without a period, "
                     "the month whose deadline has passed."),
        tags=["cellreports", settings.district_code],
        # runs import flows.runners wherever the package is installed, from any directory
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    deployment.entrypoint = MONTHLY_ENTRYPOINT
    return deployment


REMINDER_CRON = "0 7 * * *"  # every morning: the flow decides whether anything is due


def build_reminders_deployment(settings: Settings) -> RunnerDeployment:
    """The daily reminders (flows.reminders): before the deadline to the cells that have not
    reported, after it the officer's list of missing units and the escalation."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.reminders import send_reminders

    return send_reminders.to_deployment(
        name=deployment_name(settings),
        schedules=[Cron(REMINDER_CRON, timezone=settings.timezone)],
        description=f"Daily reminders of {settings.district_code}'s reporting deadline.",
        tags=["cellreports", settings.district_code],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def export_settings(settings: Settings) -> None:
    """Put the settings given to ``serve`` into the environment: each flow run is a child
    process that builds its own ``Settings()`` from it (the deployment has no parameters, and
    the key must not travel through the Prefect API)."""
    for name in sorted(settings.model_fields_set):
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, Path):
            value = value.resolve()
        os.environ[f"CELLREPORTS_{name.upper()}"] = str(value)


def serve(settings: Settings, cron: str | None = None) -> None:
    """Register the deployment and execute its runs until the process is stopped. One run at a
    time; the schedule stays active while this process is down, so a run missed then is
    started when it comes back."""
    from prefect import serve as prefect_serve

    export_settings(settings)
    prefect_serve(build_deployment(settings, cron), build_reminders_deployment(settings),
                  limit=1, pause_on_shutdown=False,
                  print_starting_message=False)
