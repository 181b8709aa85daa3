"""Plain data the provincial report builders take: one month of one province.

Filled from the warehouse by warehouse.province_queries; the builders never touch a
database. The values are the accepted district files' own rows (their sums over their
cells), so every provincial figure is a sum of district files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from core.month import UnitStatus, ValueKey
from core.registry import Unit


@dataclass
class ProvinceMonth:
    """Everything the provincial report and the province's data file need for one period."""

    period: str
    unit: Unit                        # the province
    districts: list[UnitStatus]   # every district (or commune) expected in the period
    # (district, population incl. "tong", indicator incl. REPORTS_*, breakdown) -> value,
    # from the accepted data files' rows of the district itself
    values: dict[ValueKey, int] = field(default_factory=dict)
    expected_cells: int = 0           # reporting cells below the province active in the period
    generated_at: datetime | None = None
    # (unit code, population) -> the annual admission target on record in the registry, for
    # every expected unit whatever its file did (the registry's targets, summed below it)
    targets: dict[tuple[str, str], int] = field(default_factory=dict)

    def missing(self) -> list[UnitStatus]:
        """The expected units without valid data: no file, a rejected one, or an accepted
        file in which no cell has an accepted report."""
        return sorted((d for d in self.districts if not d.has_data), key=lambda d: d.unit.code)

    def with_data(self) -> list[UnitStatus]:
        return sorted((d for d in self.districts if d.has_data), key=lambda d: d.unit.code)

    def data_codes(self) -> list[str]:
        return [d.unit.code for d in self.with_data()]

    def by_code(self) -> list[UnitStatus]:
        return sorted(self.districts, key=lambda d: d.unit.code)

    def value(self, codes: Iterable[str], population: str, indicator: str,
              breakdown: str = "tong") -> int:
        """The sum of one value over the districts ``codes`` (a missing row counts 0)."""
        return sum(int(self.values.get((code, population, indicator, breakdown), 0))
                   for code in codes)
