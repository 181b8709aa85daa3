"""The figures an accepted submission contributes: totals and roster breakdowns."""

from __future__ import annotations

from collections.abc import Callable

from core import layout
from core.counts import derive_roster_counts
from core.form import CellReport, RosterRow

FigureKey = tuple[str, str, str]  # (population, indicator, breakdown)

BREAKDOWN_FILTERS: dict[str, Callable[[RosterRow], bool]] = {
    "nu": lambda r: r.gender == "Nữ",
    "dan_toc_thieu_so": lambda r: r.ethnicity is not None
    and r.ethnicity != layout.MAJORITY_ETHNICITY,
    "ton_giao": lambda r: r.religion is not None and r.religion != layout.NO_RELIGION,
    "doan_vien": lambda r: r.youth_union is True,
}


def submission_figures(report: CellReport) -> dict[FigureKey, int]:
    """Declared totals for TH01–TH15 (breakdown ``tong``), and for the roster indicators the
    breakdowns counted from the roster. Only called on accepted reports, where X01 holds."""
    period = report.header.period
    assert period is not None
    figures: dict[FigureKey, int] = {}
    for code in layout.INDICATOR_CODES:
        line = report.summary.get(code)
        for population in layout.POPULATIONS:
            value = getattr(line, population) if line else None
            figures[(population, code, "tong")] = value or 0
    for breakdown, keep in BREAKDOWN_FILTERS.items():
        counts = derive_roster_counts([r for r in report.roster if keep(r)], period)
        for code in layout.ROSTER_INDICATORS:
            for population in layout.POPULATIONS:
                figures[(population, code, breakdown)] = counts.get((population, code), 0)
    return figures
