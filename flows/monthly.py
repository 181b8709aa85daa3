"""The monthly consolidation of one district (or commune): its cells' workbooks through the
walk (flows/walk.py) at the district's level (services.levels.DistrictLevel)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from pydantic import Field

from core.periods import InvalidPeriod, due_period, parse_period, period_of
from core.registry import Registry
from core.run import RunRow, RunSummary
from core.settings import Settings
from flows.common import prepare_warehouse
from flows.runners import deployed_settings
from flows.walk import walk_month
from services.levels import DistrictLevel
from services.reporting import deadline_day

__all__ = ["FLOW_NAME", "RunRow", "RunSummary", "consolidate_month",
           "deployed_monthly_consolidation", "monthly_consolidation", "scheduled_period"]


FLOW_NAME = "monthly-consolidation"
# What the deployment's "Custom run" form offers, and all it offers: the month
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Field(pattern=PERIOD_PATTERN)]


def monthly_run_name() -> str:
    """The run's name: ``monthly-BL-2024-03``, the unit and the month, also for a run without
    a period (the month due, worked out as the run will). Prefect names the run with it when
    the run starts: in the list, a scheduled run keeps Prefect's random name until then."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    try:
        settings = parameters.get("settings") or Settings()
        return (f"monthly-{settings.district_code}-"
                f"{_period_label(parameters.get('period'), settings)}")
    except Exception:  # settings or rules the run cannot read: the run itself says why
        return "monthly-unreadable-settings"


def _period_label(period: str | None, settings: Settings) -> str:
    if not period:
        return scheduled_period(settings)
    try:
        return parse_period(period)
    except InvalidPeriod:
        return "not-a-month"  # the run fails saying so; its name does not repeat the text


@flow(name=FLOW_NAME, flow_run_name=monthly_run_name, log_prints=False)
def monthly_consolidation(period: str | None = None,
                          settings: Settings | None = None) -> RunSummary:
    """Consolidate one month: collect → read → validate → load → report. Without a period
    (a scheduled run), the month whose deadline has passed (core.periods.due_period).
    In-process (``cellreports run``, the tests): Prefect records ``settings`` only as a
    sentence (core.settings.SETTINGS_NOT_SENT)."""
    return consolidate_month(period, settings or Settings())


@flow(name=FLOW_NAME, flow_run_name=monthly_run_name, log_prints=False)
def deployed_monthly_consolidation(period: Month = None) -> RunSummary:
    """The month's consolidation as its deployment runs it (``cellreports serve``, a worker
    of a work pool): the month is the operator's one choice, the settings are those of the
    process that runs it (its environment, flows.runners.deployed_settings).

    Args:
        period: The month to consolidate, YYYY-MM. Empty: the month whose deadline has
            passed, as a scheduled run does.
    """
    return consolidate_month(period, deployed_settings())


def consolidate_month(period: str | None, settings: Settings) -> RunSummary:
    log = get_run_logger()
    if period:
        period = parse_period(period)
        log.info("consolidating %s (the month asked for)", period)
    else:
        period = scheduled_period(settings)
        log.info("consolidating %s (the month due: no month was given)", period)
    registry = Registry.load(settings.registry_dir)
    prepare_warehouse(settings, registry)
    return walk_month(DistrictLevel.of(settings, registry), period)


def scheduled_period(settings: Settings, today: date | None = None) -> str:
    zone = ZoneInfo(settings.timezone)
    today = today or datetime.now(zone).date()
    return due_period(today, deadline_day(settings, period_of(today)))
