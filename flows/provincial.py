"""The monthly consolidation of one province: its districts' (or communes') upward data
files (shared spec EXPORT.md) through the same walk as a district's (flows/walk.py), at the
province's level (services.levels.ProvinceLevel). Its folders are ``Settings.paths(PROVINCE)``
(under ``DATA_DIR/province``); its registry is ``province_registry_dir`` unless told."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from core.periods import InvalidPeriod, parse_period
from core.registry import Registry
from core.run import RunSummary
from core.settings import DEFAULT_PROVINCE_REGISTRY, PROVINCE, LevelPaths, Settings
from flows.common import prepare_warehouse
from flows.walk import walk_month
from services.levels import ProvinceLevel
from services.reporting import province_of


def province_paths(settings: Settings) -> LevelPaths:
    return settings.paths(PROVINCE)


def provincial_run_name() -> str:
    """``province-LD-2024-03``: the province and the month, as the district runs are named."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    try:
        period = parse_period(parameters.get("period") or "")
    except InvalidPeriod:
        period = "not-a-month"  # the run fails saying so
    code = parameters.get("province_code")
    if not code:
        try:
            code = province_of(Registry.load(parameters.get("registry_dir")
                                             or DEFAULT_PROVINCE_REGISTRY))
        except Exception:  # the run itself reports a registry it cannot read
            code = "province"
    return f"province-{code}-{period}"


@flow(name="provincial-consolidation", flow_run_name=provincial_run_name, log_prints=False)
def provincial_consolidation(period: str, settings: Settings | None = None,
                             registry_dir: Path | None = None,
                             province_code: str | None = None) -> RunSummary:
    """Consolidate the districts' data files of one month: collect → read → validate →
    load → report."""
    period = parse_period(period)
    settings = settings or Settings()
    level = ProvinceLevel.of(settings, registry_dir, province_code)
    prepare_warehouse(settings, level.registry)
    return walk_month(level, period)
