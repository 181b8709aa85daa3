"""Plain data the report builders take: one month of one consolidating unit.

The warehouse queries fill these; the builders never touch a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cellreports.registry import Unit

# (unit_code, population, indicator, breakdown) -> value
ValueKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class CellStatus:
    """What one expected reporting cell did this month."""

    unit: Unit
    received: bool = False            # any file received for this unit and period
    accepted: bool = False            # has an accepted submission
    on_time: bool = False             # its first accepted version arrived by the deadline
    version: int | None = None        # version number of the submission in use
    received_at: datetime | None = None  # arrival of the submission in use (or latest file)
    errors: int = 0
    warnings: int = 0


@dataclass
class MonthData:
    """Everything a district report and the upward data file need for one period."""

    period: str
    unit: Unit                        # the consolidating unit (district or commune)
    parents: dict[str, str | None]    # unit_code -> parent_code, for every unit in the file
    levels: dict[str, str]            # unit_code -> level
    cells: list[CellStatus]           # every reporting cell expected in the period
    # values of accepted cells only, populations hoc_sinh / vien_chuc (not tong)
    values: dict[ValueKey, int] = field(default_factory=dict)
    generated_at: datetime | None = None
