"""Plain data the provincial report builders take: one month of one province.

Filled from the warehouse by warehouse.province_queries; the builders never touch a
database. The values are the accepted district files' own rows (their sums over their
cells), so every provincial figure is a sum of district files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from core.month import ValueKey
from core.registry import Unit


@dataclass(frozen=True)
class DistrictStatus:
    """What one expected district (or commune) did this month at the province."""

    unit: Unit
    received: bool = False            # any data file received for this unit and period
    accepted: bool = False            # has an accepted data file
    on_time: bool = False             # its first valid file arrived by the deadline
    version: int | None = None        # version of the file in use (or the latest one)
    received_at: datetime | None = None
    errors: int = 0
    warnings: int = 0
    registry_cells: int = 0           # reporting cells below it active in the period (registry)
    # cells with an accepted report according to its accepted file (REPORTS_ACCEPTED)
    cells_accepted: int = 0
    cells_expected: int = 0           # REPORTS_EXPECTED of its accepted file, else the registry's

    @property
    def has_data(self) -> bool:
        """An accepted file that carries at least one cell's accepted report: a valid file
        of a district whose every cell was rejected holds zeros that are no data."""
        return self.accepted and self.cells_accepted > 0

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


@dataclass
class ProvinceMonth:
    """Everything the provincial report and the province's data file need for one period."""

    period: str
    unit: Unit                        # the province
    districts: list[DistrictStatus]   # every district (or commune) expected in the period
    # (district, population incl. "tong", indicator incl. REPORTS_*, breakdown) -> value,
    # from the accepted data files' rows of the district itself
    values: dict[ValueKey, int] = field(default_factory=dict)
    expected_cells: int = 0           # reporting cells below the province active in the period
    generated_at: datetime | None = None
    # (unit code, population) -> the annual admission target on record in the registry, for
    # every expected unit whatever its file did (the registry's targets, summed below it)
    targets: dict[tuple[str, str], int] = field(default_factory=dict)

    def missing(self) -> list[DistrictStatus]:
        """The expected units without valid data: no file, a rejected one, or an accepted
        file in which no cell has an accepted report."""
        return sorted((d for d in self.districts if not d.has_data), key=lambda d: d.unit.code)

    def with_data(self) -> list[DistrictStatus]:
        return sorted((d for d in self.districts if d.has_data), key=lambda d: d.unit.code)

    def data_codes(self) -> list[str]:
        return [d.unit.code for d in self.with_data()]

    def by_code(self) -> list[DistrictStatus]:
        return sorted(self.districts, key=lambda d: d.unit.code)

    def value(self, codes: Iterable[str], population: str, indicator: str,
              breakdown: str = "tong") -> int:
        """The sum of one value over the districts ``codes`` (a missing row counts 0)."""
        return sum(int(self.values.get((code, population, indicator, breakdown), 0))
                   for code in codes)
