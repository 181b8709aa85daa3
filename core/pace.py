"""When admissions are "behind pace": the rule of the target sheets, from config/rules/pace.csv.

The pace of an annual admission target is target × month / 12, a fraction of a person. A
school with a target of 2 that has admitted nobody by March is half a person short of it,
and no officer calls that "behind": a unit is behind pace only when its admissions so far
fall short of the pace by at least ``behind_pace_persons``. That number is configuration
(``config/rules/pace.csv``: the format, the effective dates and the level column of
``limits.csv``, read by the same ``RuleBook`` code), never written in code.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

from core.periods import last_day
from core.rulebook import RuleBook

PACE_FILE = Path(__file__).resolve().parent.parent / "config" / "rules" / "pace.csv"
BEHIND_PACE = "behind_pace_persons"


class PaceRules(RuleBook):
    """The rows of the pace file; ``behind_from`` picks the one in force (``limits_on`` is
    the limits file's and does not apply here)."""

    parameters = (BEHIND_PACE,)
    decimal_parameters = frozenset(parameters)
    kind = "pace"
    what = "pace rule"

    @classmethod
    def default(cls) -> PaceRules:
        """The project's file, ``config/rules/pace.csv``."""
        return cls.load(PACE_FILE)

    def behind_from(self, day: date, level: str | None = None) -> Fraction:
        """Persons short of the pace from which a unit is behind, as in force on ``day``
        for a report of ``level`` (the row selection of ``RuleBook.limits_on``)."""
        # through the decimal's text, so that 0.9 is exactly 9/10 and a shortfall of
        # exactly the threshold counts as behind
        return Fraction(str(self.row_on(BEHIND_PACE, day, level).value))


def behind_pace_from(period: str | None = None, level: str | None = None, *,
                     path: Path | None = None) -> Fraction:
    """The threshold in force at the end of ``period`` for a report of ``level`` (the
    consolidating unit's: ``huyen``, ``xa``, ``tinh``) in ``path`` (``PACE_FILE`` unless
    told); without a period, the latest row — for a caller that knows only the month's
    number."""
    day = date.max if period is None else last_day(period)
    return PaceRules.load(PACE_FILE if path is None else path).behind_from(day, level)


def is_behind(gap: Fraction, behind_from: Fraction) -> bool:
    """``gap`` is admissions so far minus the pace: behind when short of it by at least
    ``behind_from`` persons (a threshold of 0 makes any shortfall "behind")."""
    return gap < 0 and -gap >= behind_from
