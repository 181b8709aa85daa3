"""The TongHop figures that the roster determines (TH05–TH12, TH14, TH15).

One pure function used by the demo (to fill TongHop), by rule X01 (to check it) and by the
tests, so that the three cannot disagree about what the form means.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from core.form import RosterRow
from core.layout import POPULATIONS, ROSTER_INDICATORS
from core.periods import first_day, last_day, parse_period

# Stage-based indicators: code -> the stages (current stage of the row) it counts.
STAGE_INDICATORS: dict[str, frozenset[int]] = {
    "TH05": frozenset(range(1, 7)),
    "TH06": frozenset(range(2, 7)),
    "TH07": frozenset(range(3, 7)),
    "TH08": frozenset(range(4, 7)),
    "TH09": frozenset(range(5, 7)),
    "TH10": frozenset({6}),
    "TH14": frozenset({7}),
}
# Date-based indicators: code -> (the roster date it looks at, from the first day of the
# month or of the year, up to the month's last day). The blank form's COUNTIFS
# (forms.writer) are built from these two tables too.
MONTH, YEAR = "month", "year"
DATE_INDICATORS: dict[str, tuple[str, str]] = {
    "TH11": ("decision_date", MONTH),
    "TH12": ("decision_date", YEAR),
    "TH15": ("full_member_date", MONTH),
}


def _in_range(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def row_indicators(row: RosterRow, period: str) -> list[str]:
    """The roster indicators one row counts towards in ``period``."""
    month_start, month_end = first_day(period), last_day(period)
    starts = {MONTH: month_start, YEAR: date(month_end.year, 1, 1)}
    codes = [code for code, stages in STAGE_INDICATORS.items() if row.stage in stages]
    # Date-based indicators look at the date alone, whatever the current stage: a person
    # admitted in January is still "admitted this year" in March, at stage 7.
    codes.extend(code for code, (field, since) in DATE_INDICATORS.items()
                 if _in_range(getattr(row, field), starts[since], month_end))
    return codes


def derive_roster_counts(roster: Iterable[RosterRow], period: str
                         ) -> dict[tuple[str, str], int]:
    """Counts per ``(population, code)`` for every population and roster indicator.

    ``period`` is ``YYYY-MM``. Every key of ``POPULATIONS`` × ``ROSTER_INDICATORS`` is
    present (0 when nobody counts). Rows whose population is not a known code (the reader
    keeps the raw text there) belong to no column and are not counted; neither are values
    the reader could not parse (None), which other rules report.
    """
    period = parse_period(period)
    counts = {(pop, code): 0 for pop in POPULATIONS for code in ROSTER_INDICATORS}
    for row in roster:
        if row.population not in POPULATIONS:
            continue
        for code in row_indicators(row, period):
            counts[(row.population, code)] += 1
    return counts
