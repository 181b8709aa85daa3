"""Plain data the provincial report builders take: one month of one province.

Filled from the warehouse by warehouse.province_queries; the builders never touch a
database. The values are the accepted district files' own rows (their sums over their
cells), so every provincial figure is a sum of district files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cellreports.registry import Unit
from reports.model import ValueKey


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

    def accepted(self) -> list[DistrictStatus]:
        """The expected districts with an accepted data file, by code."""
        return sorted((d for d in self.districts if d.accepted), key=lambda d: d.unit.code)

    def missing(self) -> list[DistrictStatus]:
        return sorted((d for d in self.districts if not d.accepted), key=lambda d: d.unit.code)

    def value(self, codes: Iterable[str], population: str, indicator: str,
              breakdown: str = "tong") -> int:
        """The sum of one value over the districts ``codes`` (a missing row counts 0)."""
        return sum(int(self.values.get((code, population, indicator, breakdown), 0))
                   for code in codes)

    def accepted_codes(self) -> list[str]:
        return [d.unit.code for d in self.accepted()]
