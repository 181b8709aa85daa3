"""Intake on arrival: the walk without the month's reports, every few minutes.

A cell learns within one interval (``intake_minutes``, default 10) whether its file was
accepted, while the month is still open: whatever has arrived through the folder inbox or
the mailbox is archived, read, checked against its own month, loaded and answered, exactly
as the month's consolidation would (flows/walk.py, the same level and services). On time is
decided by arrival, as always. The consolidation after the deadline builds the month's
reports from what intake loaded and takes whatever is left.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from prefect import flow

from core.periods import period_of
from core.registry import Registry
from core.run import RunSummary
from core.settings import Settings
from flows.common import prepare_warehouse
from flows.runners import deployed_settings
from flows.walk import walk_arrivals
from services.levels import DistrictLevel

FLOW_NAME = "intake"


def intake_run_name() -> str:
    """``intake-BL-2024-03-20T08:10``: the unit and the minute the run started."""
    from prefect.runtime import flow_run

    try:
        settings = flow_run.parameters.get("settings") or Settings()
        now = datetime.now(ZoneInfo(settings.timezone))
        return f"intake-{settings.district_code}-{now:%Y-%m-%dT%H:%M}"
    except Exception:  # settings the run cannot read: the run itself says why
        return "intake-unreadable-settings"


@flow(name=FLOW_NAME, flow_run_name=intake_run_name, log_prints=False)
def intake(settings: Settings | None = None) -> RunSummary:
    """Take in whatever has arrived (in-process: ``cellreports intake``, the tests)."""
    return take_in(settings or Settings())


@flow(name=FLOW_NAME, flow_run_name=intake_run_name, log_prints=False)
def deployed_intake() -> RunSummary:
    """Intake as its deployment runs it: no parameter, the settings of the process."""
    return take_in(deployed_settings())


def take_in(settings: Settings) -> RunSummary:
    registry = Registry.load(settings.registry_dir)
    prepare_warehouse(settings, registry)
    today = period_of(datetime.now(ZoneInfo(settings.timezone)).date())
    return walk_arrivals(DistrictLevel.of(settings, registry), today)
