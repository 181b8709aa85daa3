"""Working days in Vietnam: Monday–Friday minus public holidays, plus weekend days worked by a swap.

The holidays come from a CSV calendar (``config/calendar/holidays-vn.csv``): Tết moves every
year and the Government announces compensatory days and swaps yearly, so nothing here is
computed from rules of thumb.

Counting is O(log k) for k listed days, whatever the distance between the dates: the number
of working days up to a day is the number of Mondays–Fridays (a closed formula on the day's
ordinal) corrected by the listed weekday holidays and weekend working days before it
(binary search in a sorted array with prefix sums). Days outside the calendar's years count
only the weekend as days off.
"""

from __future__ import annotations

import csv
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from core.config_files import open_csv, read_once
from core.errors import CellreportsError

HOLIDAY = "holiday"
WORKING_DAY = "working_day"
REQUIRED_COLUMNS = ("date", "kind", "name")


class CalendarError(CellreportsError, ValueError):
    """The holiday calendar file is malformed (bad date or kind, conflicting or misplaced day)."""

    heading = "The holiday calendar is not valid"
    exit_code = 2


def _weekdays_through(ordinal: int) -> int:
    """Mondays–Fridays among the ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday).

    The formula extends consistently to ordinals ≤ 0 (as a negative count), so differences
    are right everywhere.
    """
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


class WorkCalendar:
    """Which days are working days, and counting or adding working days quickly."""

    def __init__(self, holidays: Mapping[date, str] | None = None,
                 working_days: Mapping[date, str] | None = None, name: str = "calendar"):
        self.holidays: dict[date, str] = dict(holidays or {})
        self.working_days: dict[date, str] = dict(working_days or {})
        self.name = name
        both = sorted(set(self.holidays) & set(self.working_days))
        if both:
            raise CalendarError(
                f"{name}: {both[0].isoformat()} is listed both as holiday and as working_day")
        misplaced = sorted(d for d in self.working_days if d.weekday() < 5)
        if misplaced:
            raise CalendarError(
                f"{name}: working_day {misplaced[0].isoformat()} is not a Saturday or Sunday")
        # Only weekday holidays and weekend working days change the count.
        deltas = {d.toordinal(): -1 for d in self.holidays if d.weekday() < 5}
        deltas.update({d.toordinal(): +1 for d in self.working_days})
        self._off = frozenset(o for o, v in deltas.items() if v < 0)
        self._on = frozenset(o for o, v in deltas.items() if v > 0)
        self._ordinals: list[int] = sorted(deltas)
        self._cumulative: list[int] = []
        total = 0
        for ordinal in self._ordinals:
            total += deltas[ordinal]
            self._cumulative.append(total)
        self.years: frozenset[int] = frozenset(
            d.year for d in (*self.holidays, *self.working_days))
        # (start, n) -> add_working_days' answer, as ordinals: a month's rosters ask the same
        # few deadlines tens of thousands of times (the calendar never changes once read)
        self._added: dict[tuple[int, int], int] = {}

    @classmethod
    def load(cls, path: Path) -> WorkCalendar:
        """Read a calendar CSV (UTF-8, header ``date,kind,name``; see config/calendar/README.md)."""
        return read_once("calendar", Path(path), cls._read)

    @classmethod
    def _read(cls, path: Path) -> WorkCalendar:
        holidays: dict[date, str] = {}
        working: dict[date, str] = {}
        with open_csv(path, CalendarError, "holiday calendar") as handle:
            reader = csv.DictReader(handle)
            columns = [_clean(c) for c in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise CalendarError(f"{path.name}: missing columns {missing}")
            reader.fieldnames = columns
            for raw in reader:
                where = f"{path.name} line {reader.line_num}"
                if None in raw:
                    raise CalendarError(f"{where}: more cells than columns "
                                        "(put a name containing a comma in double quotes)")
                if not any(_clean(v) for v in raw.values()):
                    continue
                text = _clean(raw.get("date"))
                try:
                    day = date.fromisoformat(text)
                except ValueError:
                    raise CalendarError(f"{where}: not a YYYY-MM-DD date: {text!r}") from None
                kind = _clean(raw.get("kind"))
                if kind == HOLIDAY:
                    target = holidays
                elif kind == WORKING_DAY:
                    target = working
                else:
                    raise CalendarError(
                        f"{where}: kind must be {HOLIDAY!r} or {WORKING_DAY!r}, not {kind!r}")
                name = _clean(raw.get("name"))
                # the same day twice (e.g. Giỗ Tổ on 30/4): keep both names
                target[day] = f"{target[day]} / {name}" if day in target else name
        return cls(holidays, working, name=path.name)

    @classmethod
    def default(cls) -> WorkCalendar:
        """The project's calendar, ``config/calendar/holidays-vn.csv``."""
        from core.settings import DEFAULT_HOLIDAYS

        return cls.load(DEFAULT_HOLIDAYS)

    # -- queries ---------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Monday–Friday and not a holiday, or a weekend day listed as a working day."""
        ordinal = day.toordinal()
        if ordinal in self._off:
            return False
        if ordinal in self._on:
            return True
        return day.weekday() < 5

    def _count_through(self, ordinal: int) -> int:
        """Working days from a fixed origin through ``ordinal`` (only differences matter)."""
        index = bisect_right(self._ordinals, ordinal)
        adjustment = self._cumulative[index - 1] if index else 0
        return _weekdays_through(ordinal) + adjustment

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days d with start < d ≤ end (0 when end ≤ start)."""
        if end <= start:
            return 0
        return self._count_through(end.toordinal()) - self._count_through(start.toordinal())

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (n > 0), before it (n < 0), or ``start`` (n = 0).

        For n ≥ 0, ``working_days_between(start, result) == n`` and ``result`` is a working
        day (when n > 0): the inverse of ``working_days_between``.
        """
        if n == 0:
            return start
        ordinal = start.toordinal()
        found = self._added.get((ordinal, n))
        if found is None:
            found = self._added[ordinal, n] = self._nth_after(ordinal, n)
        return date.fromordinal(found)

    def _nth_after(self, ordinal: int, n: int) -> int:
        if n > 0:
            # the first day whose running count reaches count(start) + n
            target = self._count_through(ordinal) + n
            guess = ordinal + n
        else:
            # the working day d < start with exactly |n| working days in [d, start)
            target = self._count_through(ordinal - 1) + n + 1
            guess = ordinal + n
        return self._first_reaching(target, guess)

    def _first_reaching(self, target: int, guess: int) -> int:
        """The smallest ordinal whose running count is ≥ target (it is a working day)."""
        lo, step = guess, 8
        while self._count_through(lo) >= target:
            lo -= step
            step *= 2
        hi, step = guess, 8
        while self._count_through(hi) < target:
            hi += step
            step *= 2
        # count(lo) < target <= count(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._count_through(mid) >= target:
                hi = mid
            else:
                lo = mid
        return hi

    def working_days_in(self, start: date, end: date) -> list[date]:
        """The working days d with start < d ≤ end, in order (for messages and checks)."""
        days = []
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def name_of(self, day: date) -> str | None:
        """The listed name of a holiday or swapped working day, else None."""
        return self.holidays.get(day) or self.working_days.get(day)
