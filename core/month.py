"""Plain data the report builders take: one month of one consolidating unit.

The warehouse queries fill these; the builders never touch a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from core.registry import Unit

# (unit_code, population, indicator, breakdown) -> value
ValueKey = tuple[str, str, str, str]
# (unit_code, population, indicator) -> value (breakdown tong) of an earlier month
EarlierKey = tuple[str, str, str]
# The indicators an earlier month is read for: admitted in the month, admitted since January.
ADMISSIONS = ("TH11", "TH12")


@dataclass(frozen=True)
class UnitStatus:
    """What one expected unit did this month: a reporting cell at the district (or
    commune), a district (or commune) at the province — one status for every level."""

    unit: Unit
    received: bool = False            # any file received for this unit and period
    accepted: bool = False            # has an accepted submission (workbook or data file)
    on_time: bool = False             # its first valid version arrived by the deadline
    version: int | None = None        # version number of the submission in use
    received_at: datetime | None = None  # arrival of the submission in use (or latest file)
    errors: int = 0
    warnings: int = 0
    # a unit above the cells: the cells its accepted file counts (REPORTS_ACCEPTED; None for
    # a cell), those it expects (its file's REPORTS_EXPECTED, else the registry's), and the
    # registry's count of its reporting cells
    cells_accepted: int | None = None
    cells_expected: int = 0
    registry_cells: int = 0

    @property
    def has_data(self) -> bool:
        """Accepted, and for a unit above the cells with at least one cell's accepted
        report: a valid file of a district whose every cell was rejected holds zeros that
        are no data."""
        return self.accepted and (self.cells_accepted is None or self.cells_accepted > 0)

    @property
    def state(self) -> str:
        """One word for what the unit did, the one every sheet and sentence is drawn from."""
        if self.has_data:
            return HAS_DATA
        if self.accepted:
            return NO_CELLS
        return FILE_REJECTED if self.received else NO_FILE


HAS_DATA, NO_CELLS, FILE_REJECTED, NO_FILE = "data", "no_cells", "rejected", "missing"
# why a unit has no valid data, as the reports say it
NO_DATA_REASONS = {
    NO_CELLS: "tệp hợp lệ nhưng không có chi bộ nào có báo cáo hợp lệ",
    FILE_REJECTED: "tệp bị trả lại",
    NO_FILE: "chưa gửi tệp",
}


# Age bands of the standard statistics forms, 18–30 first; ages at the end of the month.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("18–30", 18, 30), ("31–40", 31, 40), ("41–50", 41, 50), ("51–60", 51, 60),
    ("trên 60", 61, 200), ("dưới 18", 0, 17),
)
# Which people the breakdown sheet counts by age: candidates now, admitted this year.
AGE_GROUPS = {"TH05": "Quần chúng cảm tình đảng", "TH12": "Kết nạp từ đầu năm"}


@dataclass(frozen=True)
class AttentionItem:
    """A named candidate the district officer should look at (district-internal only)."""

    unit_code: str
    full_name: str
    birth_date: date | None
    population: str | None
    stage: int | None
    since: date | None     # the date the concern runs from (stage, resolution, decision, cert)
    rule_id: str           # H04 stalled, H05 decision overdue, H06 membership overdue, R07 cert
    message: str           # the finding's Vietnamese message


@dataclass
class MonthData:
    """Everything a district report and the upward data file need for one period."""

    period: str
    unit: Unit                        # the consolidating unit (district or commune)
    parents: dict[str, str | None]    # unit_code -> parent_code, for every unit in the file
    levels: dict[str, str]            # unit_code -> level
    cells: list[UnitStatus]           # every reporting cell expected in the period
    # values of accepted cells only, populations hoc_sinh / vien_chuc (not tong); a
    # missing key is 0 (the warehouse leaves zeros out)
    values: dict[ValueKey, int] = field(default_factory=dict)
    generated_at: datetime | None = None
    # (unit_code, population) -> the annual admission target on record (targets.csv)
    targets: dict[tuple[str, str], int] = field(default_factory=dict)
    # (unit_code, population, period) -> admissions (TH11) of each month of the year so far,
    # of every expected cell in the months it had an accepted report
    monthly_admissions: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # ADMISSIONS of every expected cell in its accepted report of the month before and of
    # the same month a year before, as those months' reports used them; no key: the cell
    # had no accepted report that month (a 0 is a report that admitted nobody)
    last_month: dict[EarlierKey, int] = field(default_factory=dict)
    last_year: dict[EarlierKey, int] = field(default_factory=dict)
    # persons short of the pace (target × month / 12) from which a target is "behind"
    # (config/rules/pace.csv in force at the month's end); None: the builder reads it there
    behind_pace_from: Fraction | None = None
    # (unit_code, population, AGE_GROUPS key, band label) -> people
    age_bands: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    attention: list[AttentionItem] = field(default_factory=list)
