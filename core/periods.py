"""Reporting periods: a calendar month written ``YYYY-MM``."""

from __future__ import annotations

import calendar
from datetime import date

from core.errors import CellreportsError


class InvalidPeriod(CellreportsError, ValueError):
    """A period string is not a valid ``YYYY-MM`` month."""

    heading = "Not a month"
    exit_code = 2


def parse_period(text: str) -> str:
    """Return the canonical ``YYYY-MM`` of ``text`` or raise InvalidPeriod."""
    try:
        year_s, month_s = text.strip().split("-")
        year, month = int(year_s), int(month_s)
    except ValueError as exc:
        raise InvalidPeriod(f"not a YYYY-MM period: {text!r}") from exc
    # pandas' datetimes stop at 2262; no report of this form is dated beyond 2100
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidPeriod(f"not a YYYY-MM period: {text!r}")
    return f"{year:04d}-{month:02d}"


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(period: str) -> date:
    year, month = map(int, period.split("-"))
    return date(year, month, 1)


def last_day(period: str) -> date:
    year, month = map(int, period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s month (day ignored)."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


def in_period(day: date | None, period: str) -> bool:
    return day is not None and period_of(day) == period


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31/01 + 1 → 29/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def previous_period(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def due_period(today: date, deadline_day: int) -> str:
    """The month a scheduled run consolidates: the current month once its deadline has
    passed (the schedule fires the day after it), else the month before."""
    month = period_of(today)
    deadline = min(deadline_day, last_day(month).day)
    return month if today.day > deadline else previous_period(month)
