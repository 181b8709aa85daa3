"""``cellreports demo``: three months of demo workbooks through the monthly flow.

``--hierarchy 2024`` (the default): Jan–Mar 2024 of the four school cells of Bảo Lâm
district, consolidated by the district (``BL``) on the 2024 registry.

``--hierarchy 2025``: the same story in Jul–Sep 2025, after the districts were abolished,
on ``config/registry/lam-dong-2025``: each cell now reports to its commune (BLM101 → BLM1 …
BLM401 → BLM4). Each commune runs its own month (its own inbox folder under the demo's,
one warehouse): a run takes the cells of its own unit only (rule F04).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cellreports.console import console, show_outputs, show_runs
from core.registry import Registry
from core.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from core.run import RunSummary

HIERARCHIES = ("2024", "2025")
DEMO_PERIODS = ("2024-01", "2024-02", "2024-03")
REGISTRY_2025 = PROJECT_ROOT / "config" / "registry" / "lam-dong-2025"
# The 2025 demo never shares a warehouse or an inbox with the 2024 one.
DATA_DIR_2025 = Path("var") / "demo-2025"
COMMUNE_2025 = "BLM1"  # the installation that runs the monthly flow in the 2025 demo


def drop_in_inbox(inbox: Path, unit_code: str, filename: str, content: bytes,
                  received_at_ts: float) -> Path:
    """Place a file as its sender would: in the unit's inbox folder, arrival time as mtime."""
    folder = inbox / unit_code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_bytes(content)
    os.utime(path, (received_at_ts, received_at_ts))
    return path


def demo_settings(settings: Settings, hierarchy: str) -> Settings:
    """The settings a demo runs with: for 2025, the 2025 registry and the commune BLM1."""
    if hierarchy not in HIERARCHIES:
        raise ValueError(f"the demo hierarchies are {', '.join(HIERARCHIES)}, not {hierarchy!r}")
    if hierarchy == "2024":
        return settings
    return settings.model_copy(update={"registry_dir": REGISTRY_2025,
                                       "district_code": COMMUNE_2025})


def run_demo(settings: Settings, hierarchy: str = "2024") -> list[RunSummary]:
    from cellreports.demo import (
        DEMO_PERIODS_BY_HIERARCHY,
        demo_course_register,
        generate_month,
    )
    from flows.runners import monthly_flow_for

    settings = demo_settings(settings, hierarchy)
    monthly_consolidation = monthly_flow_for(settings)
    registry = Registry.load(settings.registry_dir)
    register = demo_course_register(registry, hierarchy=hierarchy)
    summaries: list[RunSummary] = []
    shown: list[RunSummary] = []  # one a month: the installation of the settings
    communes: dict[str, dict[str, tuple[Path, list[str]]]] = {}
    provinces: dict[str, object] = {}
    for period in DEMO_PERIODS_BY_HIERARCHY[hierarchy]:
        files = generate_month(registry, period, hierarchy=hierarchy)
        if register.received_at.strftime("%Y-%m") == period:  # it arrives in its own month
            files = [register, *files]
        runs = installations(settings, registry, hierarchy)
        for f in files:
            # a unit no demo run consolidates (the province's school) sends to the settings' one
            own = runs.get(_parent(registry, f.unit_code) or "", runs[settings.district_code])
            drop_in_inbox(own.inbox, f.unit_code, f.filename, f.content,
                          f.received_at.timestamp())
        with console.status(f"Consolidating {period} ({len(files)} files)…"):
            # each consolidating unit runs its own month: a run takes its own cells only
            month = {code: monthly_consolidation(period, own) for code, own in runs.items()}
        summaries.extend(month.values())
        shown.append(month[settings.district_code])
        communes[period] = {code: (s.report, s.missing)
                            for code, s in month.items() if s.report is not None}
        console.print(f"[green]✓[/] {period}: {len(files)} files handled")
        upward = {code: path.with_name(f"DuLieu_{code}_{period}.csv")
                  for code, (path, _missing) in communes[period].items()}
        with console.status(f"Province: consolidating {period}…"):
            provinces[period] = send_upward_and_consolidate(settings, period, upward,
                                                            hierarchy)
    show_runs(summaries)
    for summary in shown:
        show_outputs(summary)
        if hierarchy == "2025":
            console.print("  Commune reports:")
            for code, (path, missing) in communes[summary.period].items():
                lacking = f"  (no accepted report: {', '.join(missing)})" if missing else ""
                console.print(f"    {code}: {_shown(path)}{lacking}")
        province = provinces[summary.period]
        console.print(f"  Provincial report: {_shown(province.report)}")
        console.print("  Units without valid data at the province: "
                      f"{', '.join(province.missing) or 'none'}")
    return summaries


def installations(settings: Settings, registry: Registry, hierarchy: str,
                  ) -> dict[str, Settings]:
    """The consolidating units of the demo, each with its own inbox: in 2024 the district;
    in 2025 each commune of a demo cell (a commune's run takes its own cells only, F04)."""
    from cellreports.demo import DEMO_UNITS_BY_HIERARCHY

    if hierarchy != "2025":
        return {settings.district_code: settings}
    codes = sorted({p for c in DEMO_UNITS_BY_HIERARCHY[hierarchy]
                    if (p := _parent(registry, c)) is not None})
    return {code: settings.model_copy(update={"district_code": code,
                                              "inbox_dir": settings.inbox / code})
            for code in codes}


def _parent(registry: Registry, code: str) -> str | None:
    unit = registry.get(code)
    return unit.parent_code if unit else None


PROVINCE_REGISTRY_BY_HIERARCHY = {
    "2024": PROJECT_ROOT / "config" / "registry" / "lam-dong-2024-province",
    "2025": REGISTRY_2025,
}


def send_upward_and_consolidate(settings: Settings, period: str, files: dict[str, Path],
                                hierarchy: str):  # type: ignore[no-untyped-def]
    """The district (or communes) send their upward data file to the province on the
    25th; the province consolidates the month."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from flows.provincial import province_paths, provincial_consolidation

    sent = datetime(int(period[:4]), int(period[5:]), 25, 16, 30,
                    tzinfo=ZoneInfo(settings.timezone)).timestamp()
    inbox = province_paths(settings).inbox
    for sender, path in files.items():
        drop_in_inbox(inbox, sender, path.name, path.read_bytes(), sent)
    return provincial_consolidation(period, settings,
                                    registry_dir=PROVINCE_REGISTRY_BY_HIERARCHY[hierarchy])


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
