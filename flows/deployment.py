"""The district's two Prefect deployments, their schedules, and the two ways to run them.

- ``monthly-consolidation/monthly-BL``: the month's consolidation, on a monthly cron schedule
  (06:00 the day after the cells' deadline); a run without a month consolidates the month
  whose deadline has passed.
- ``reminders/reminders-BL``: every morning, the reminders due that day.
- ``intake/intake-BL``: every ``intake_minutes`` (10), the files that have arrived, read,
  checked, loaded and answered while the month is open (flows/intake.py).

``serve`` registers both with the Prefect server of ``PREFECT_API_URL`` and runs their runs
itself until it is stopped (one process: ``cellreports serve``). ``deploy`` registers them
on a process work pool instead, whose workers run them (``cellreports deploy --pool``, then
``prefect worker start``). Either creates the officer's alerts (flows/alerts.py).

What a deployment takes from whoever starts a run is its parameter schema: the month for
the consolidation, nothing for the reminders. Everything else comes from the environment of
the process that runs it (flows/runners.py, ``deployed_settings``): nothing of the settings
travels through the Prefect API.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from core.errors import CellreportsError
from core.periods import period_of
from core.settings import Settings
from services.reporting import deadline_day

if TYPE_CHECKING:
    from uuid import UUID

    from prefect.client.orchestration import SyncPrefectClient
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Schedule

    from flows.alerts import AlertsOutcome

FLOW_NAME = "monthly-consolidation"
REMINDERS_FLOW = "reminders"
INTAKE_FLOW = "intake"
RUN_HOUR = 6
# the last day every month has: a later run day would skip the shorter months
LAST_COMMON_DAY = 28


def deployment_name(settings: Settings) -> str:
    """The monthly deployment's own name: ``monthly-BL``. Prefect's list of deployments
    shows this name first, so the two deployments of a unit must differ in it."""
    return f"monthly-{settings.district_code}"


def reminders_name(settings: Settings) -> str:
    return f"reminders-{settings.district_code}"


def full_name(settings: Settings) -> str:
    """``flow/deployment``, as ``prefect deployment run`` and run_deployment want it."""
    return f"{FLOW_NAME}/{deployment_name(settings)}"


def reminders_full_name(settings: Settings) -> str:
    return f"{REMINDERS_FLOW}/{reminders_name(settings)}"


def intake_name(settings: Settings) -> str:
    return f"intake-{settings.district_code}"


def intake_full_name(settings: Settings) -> str:
    return f"{INTAKE_FLOW}/{intake_name(settings)}"


def all_full_names(settings: Settings) -> list[str]:
    """Every deployment of the unit, as ``flow/deployment``."""
    return [full_name(settings), reminders_full_name(settings), intake_full_name(settings)]


def legacy_names(settings: Settings) -> list[str]:
    """What versions before these names called the deployments: both ``BL``."""
    return [f"{FLOW_NAME}/{settings.district_code}",
            f"{REMINDERS_FLOW}/{settings.district_code}"]


def default_cron(settings: Settings, today: date | None = None) -> str:
    """06:00 on the day after the cells' deadline of the current month (limits.csv,
    ``deadline_day``: 25 → ``0 6 26 * *``). A deadline from the 28th on runs on the 1st of the
    next month instead: every month has that day, and the month is still the one consolidated
    (core.periods.due_period)."""
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
    """The schedule in words, for the monthly form ``M H D * *`` and the daily ``M H * * *``."""
    monthly = re.fullmatch(r"(\d{1,2}) (\d{1,2}) (\d{1,2}) \* \*", cron.strip())
    daily = re.fullmatch(r"(\d{1,2}) (\d{1,2}) \* \* \*", cron.strip())
    if monthly is not None:
        minute, hour, day = (int(g) for g in monthly.groups())
        return f"every month on day {day} at {hour:02d}:{minute:02d} {timezone} time"
    if daily is not None:
        minute, hour = (int(g) for g in daily.groups())
        return f"every day at {hour:02d}:{minute:02d} {timezone} time"
    return f"cron '{cron}' ({timezone} time)"


def utc_offset(timezone: str) -> str:
    """``UTC+07:00`` for Asia/Ho_Chi_Minh (now; the zone has no summer time)."""
    offset = datetime.now(ZoneInfo(timezone)).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def schedule_words(cron: str, timezone: str) -> str:
    """For a deployment's description: the dashboard shows a schedule's times in the
    browser's time zone, so the description says the zone the cron is in."""
    return (f"Runs {describe(cron, timezone)} ({utc_offset(timezone)}; cron '{cron}' in "
            f"{timezone}). The dashboard shows times in your browser's time zone.")


def next_runs(cron: str, timezone: str, count: int = 3,
              after: datetime | None = None) -> list[datetime]:
    """The next start times, computed by the Prefect server's own schedule code."""
    from prefect.server.schemas.schedules import CronSchedule

    dates = asyncio.run(CronSchedule(cron=cron, timezone=timezone).get_dates(n=count,
                                                                             start=after))
    zone = ZoneInfo(timezone)
    return [datetime.fromtimestamp(d.timestamp(), zone) for d in dates]


def strict_parameters(deployment: RunnerDeployment) -> RunnerDeployment:
    """The deployment's parameter schema with ``additionalProperties: false``. Prefect
    enforces the schema (``enforce_parameter_schema``, on by default) when a run is created:
    with the flag, a parameter the flow does not have is refused (HTTP 409) and never stored
    or shown; without it, JSON Schema allows it. The dashboard's form is drawn from the
    same schema."""
    from prefect.utilities.callables import ParameterSchema

    class Strict(ParameterSchema):
        additionalProperties: bool = False  # noqa: N815 (JSON Schema's own word)

    # set explicitly: Prefect sends the schema with exclude_unset
    deployment._parameter_openapi_schema = Strict(
        **deployment._parameter_openapi_schema.model_dump(), additionalProperties=False)
    deployment.enforce_parameter_schema = True
    return deployment


def build_deployment(settings: Settings, cron: str | None = None) -> RunnerDeployment:
    """The deployment of the month's consolidation: one parameter, the month (empty: the
    month due), one cron schedule in the settings' time zone. Its entrypoint is
    ``flows.runners.configured_monthly_consolidation``: each run's process builds the flow
    (``deployed_monthly_consolidation``) with the task runner of its own settings — the Dask
    cluster of ``CELLREPORTS_DASK_ADDRESS`` when it is set — and reads every setting from its
    own environment (``serve`` exports the settings it was given to its runs)."""
    from prefect.types.entrypoint import EntrypointType

    from flows.runners import MONTHLY_ENTRYPOINT, deployed_monthly_flow_for

    chosen = cron or default_cron(settings)
    deployment = deployed_monthly_flow_for(settings).to_deployment(
        name=deployment_name(settings),
        schedules=[monthly_schedule(settings, chosen)],
        description=(f"Monthly consolidation of {settings.district_code}'s cell reports. "
                     f"{schedule_words(chosen, settings.timezone)} A run without a month "
                     "consolidates the month whose deadline has passed."),
        tags=["cellreports", settings.district_code],
        # runs import flows.runners wherever the package is installed, from any directory
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    deployment.entrypoint = MONTHLY_ENTRYPOINT
    return strict_parameters(deployment)


REMINDER_CRON = "0 7 * * *"  # every morning: the flow decides whether anything is due


def build_reminders_deployment(settings: Settings) -> RunnerDeployment:
    """The daily reminders (flows.reminders.deployed_reminders, no parameter): before the
    deadline to the cells that have not reported, after it the officer's list of missing
    units and the escalation."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.reminders import deployed_reminders

    deployment = deployed_reminders.to_deployment(
        name=reminders_name(settings),
        schedules=[Cron(REMINDER_CRON, timezone=settings.timezone)],
        description=(f"Reminders of {settings.district_code}'s reporting deadline. "
                     f"{schedule_words(REMINDER_CRON, settings.timezone)} Before the "
                     f"deadline ({settings.reminder_days} days), to the cells without an "
                     "accepted report; after it, the list of those cells to the officer and "
                     "the unit above. Each notice goes once."),
        tags=["cellreports", settings.district_code],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return strict_parameters(deployment)


def build_intake_deployment(settings: Settings) -> RunnerDeployment:
    """Intake on arrival (flows.intake.deployed_intake, no parameter) every
    ``intake_minutes``."""
    from datetime import timedelta

    from prefect.schedules import Interval
    from prefect.types.entrypoint import EntrypointType

    from flows.intake import deployed_intake

    minutes = settings.intake_minutes
    every = timedelta(minutes=minutes)
    # counted from one interval after registration: a (re)started serve does not take the
    # inbox the moment it starts, under an operator's feet
    first = datetime.now(ZoneInfo(settings.timezone)).replace(second=0, microsecond=0) + every
    deployment = deployed_intake.to_deployment(
        name=intake_name(settings),
        schedules=[Interval(every, anchor_date=first, timezone=settings.timezone)],
        description=(f"Intake of {settings.district_code}'s cell reports as they arrive: "
                     f"every {minutes} minutes, the files that have arrived are read, "
                     "checked, loaded and answered while the month is still open. The "
                     "month's reports are built by the monthly consolidation."),
        tags=["cellreports", settings.district_code],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return strict_parameters(deployment)


def export_settings(settings: Settings) -> None:
    """Put the settings given to ``serve`` into the environment: each flow run is a child
    process that builds its own ``Settings()`` from it (the deployments take no settings,
    and the key must not travel through the Prefect API). The data folder always, as an
    absolute path (a deployed run refuses a relative one)."""
    for name in sorted(settings.model_fields_set | {"data_dir"}):
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, Path):
            value = value.resolve()
        os.environ[f"CELLREPORTS_{name.upper()}"] = str(value)


def remove_legacy(client: SyncPrefectClient, settings: Settings) -> list[str]:
    """Delete the deployments that earlier versions registered as ``monthly-consolidation/BL``
    and ``reminders/BL``: their schedules would go on creating runs that nothing runs
    (each one Late, an alert). Returns the names removed."""
    from prefect.exceptions import ObjectNotFound

    removed = []
    for name in legacy_names(settings):
        try:
            old = client.read_deployment_by_name(name)
        except ObjectNotFound:
            continue
        client.delete_deployment(old.id)
        removed.append(name)
    return removed


class OnAWorkPool(CellreportsError):
    """``serve`` would take over deployments registered on a work pool: its workers would
    run them too (Prefect keeps a deployment's pool when it is registered again without
    one)."""

    heading = "Not served"
    exit_code = 2


def refuse_pool_deployments(client: SyncPrefectClient, settings: Settings) -> None:
    """OnAWorkPool naming the first deployment of the unit that is on a work pool."""
    from prefect.exceptions import ObjectNotFound

    for name in all_full_names(settings):
        try:
            existing = client.read_deployment_by_name(name)
        except ObjectNotFound:
            continue
        if existing.work_pool_name:
            raise OnAWorkPool(
                f"{name} is registered on the work pool {existing.work_pool_name!r}, whose "
                "workers run it (cellreports deploy). Serve it here or run it on the pool, "
                "not both: to serve it, stop the workers and delete the deployments ("
                + "; ".join(f"prefect deployment delete '{n}'" for n in all_full_names(settings))
                + "), then start serve again.")


@dataclass(frozen=True)
class Registered:
    """What ``register`` did: the deployments' ids, the legacy ones removed, the alerts."""

    monthly_id: UUID
    reminders_id: UUID
    intake_id: UUID
    removed: list[str]
    alerts: AlertsOutcome


def register(settings: Settings, cron: str | None = None, *,
             work_pool: str | None = None) -> tuple[Registered, list[RunnerDeployment]]:
    """Register both deployments (on ``work_pool``, or for ``serve`` without one: refused
    with OnAWorkPool while they are on a pool), remove the legacy ones, and create or update
    the alerts."""
    from prefect.client.orchestration import get_client

    from flows.alerts import ensure_alerts

    deployments = [build_deployment(settings, cron), build_reminders_deployment(settings),
                   build_intake_deployment(settings)]
    with get_client(sync_client=True) as client:
        if not work_pool:
            refuse_pool_deployments(client, settings)
        removed = remove_legacy(client, settings)
    ids = [d.apply(work_pool_name=work_pool) if work_pool else d.apply() for d in deployments]
    # a Late intake is made up by the next one: mailing one every interval while serve is
    # down would bury the officer (its failures are mailed like the others')
    alerts = ensure_alerts(settings, ids, late_ids=ids[:2])
    return Registered(ids[0], ids[1], ids[2], removed, alerts), deployments


def serve(settings: Settings, cron: str | None = None,
          on_registered: Callable[[Registered], None] | None = None) -> None:
    """Register the deployments and execute their runs until the process is stopped. One run
    at a time; the schedules stay active while this process is down, so a run missed then is
    started (Late) when it comes back."""
    from prefect import serve as prefect_serve

    export_settings(settings)
    registered, deployments = register(settings, cron)
    if on_registered is not None:
        on_registered(registered)
    prefect_serve(*deployments, limit=1, pause_on_shutdown=False,
                  print_starting_message=False)


# The process work pool's job template, locked: a run's "job variables" (the dashboard's
# custom run offers them too) could otherwise set the run's environment (CELLREPORTS_* among
# it), command or working directory. Here the worker's own environment is the only one; a run
# may still name itself, label itself and choose whether the worker streams its output.
LOCKED_PROCESS_TEMPLATE_VARIABLES = ("name", "labels", "stream_output")


def locked_process_template() -> dict[str, Any]:
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    config = template["job_configuration"]
    config["env"], config["command"], config["working_dir"] = {}, None, None
    properties = template["variables"]["properties"]
    template["variables"]["properties"] = {k: v for k, v in properties.items()
                                           if k in LOCKED_PROCESS_TEMPLATE_VARIABLES}
    # and the server refuses a run that names any other (an "env", say) before storing it
    template["variables"]["additionalProperties"] = False
    return template


def ensure_work_pool(name: str) -> str:
    """The process work pool ``name`` with the locked job template: created, or its template
    replaced. Returns "created" or "updated"; ValueError for a pool of another type."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectNotFound

    template = locked_process_template()
    with get_client(sync_client=True) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process",
                                                   base_job_template=template))
            return "created"
        if pool.type != "process":
            raise ValueError(f"work pool {name!r} is of type {pool.type!r}, not 'process'")
        client.update_work_pool(name, WorkPoolUpdate(base_job_template=template))
        return "updated"


def deploy(settings: Settings, work_pool: str, cron: str | None = None) -> Registered:
    """The work-pool path: the pool (locked), both deployments on it, the alerts. The
    pool's workers run the runs, each in a new process with the worker's environment."""
    ensure_work_pool(work_pool)
    registered, _ = register(settings, cron, work_pool=work_pool)
    return registered
