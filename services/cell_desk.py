"""What a cell's web page shows and offers: its months with their deadlines, its
submissions with their findings, its feedback workbooks and its blank form. Every function
takes the signed-in unit and answers only about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.findings import Finding
from core.layout import INDICATORS
from core.periods import period_of, previous_period
from core.registry import Registry, Unit
from core.settings import Settings
from core.workdays import WorkCalendar
from forms.writer import write_template
from services.reporting import deadline_day
from warehouse import desk
from warehouse.desk import SubmissionView
from warehouse.queries import deadline
from warehouse.unit_of_work import Warehouse

__all__ = ["Figures", "MonthView", "SubmissionView", "blank_form", "feedback_file",
           "last_accepted", "months", "submission", "submissions"]


@dataclass(frozen=True)
class MonthView:
    period: str
    deadline: date
    days_left: int  # calendar days until the deadline (0 on the day, < 0 after it)
    working_days_left: int  # working days after today up to the deadline (holidays too)
    state: str  # accepted | rejected | none
    version: int | None


def months(settings: Settings, registry: Registry, unit: Unit, today: date,
           shown: int = 3) -> list[MonthView]:
    """The open month first, then the months before it (``shown`` in all), those the unit
    exists in (a cell merged away has no month after it)."""
    calendar = WorkCalendar.load(settings.holidays_file)
    mine = submissions(settings, unit.code)
    periods = [period_of(today)]
    while len(periods) < shown:
        periods.append(previous_period(periods[-1]))
    found = []
    for period in (p for p in periods if unit.active_in(p)):
        due = deadline(period, deadline_day(settings, period), settings.timezone).date()
        of_month = [s for s in mine if s.period == period]
        accepted = next((s for s in of_month if s.status == "accepted"), None)
        state = "accepted" if accepted else "rejected" if of_month else "none"
        shown_one = accepted or (of_month[0] if of_month else None)
        found.append(MonthView(period, due, (due - today).days,
                               calendar.working_days_between(today, due), state,
                               shown_one.version if shown_one else None))
    return found


@dataclass(frozen=True)
class Figures:
    """A month's accepted figures of the unit, as its page shows them."""

    period: str
    version: int
    rows: list[tuple[str, str, int | None, int | None]]  # code, label, học sinh, viên chức


def last_accepted(settings: Settings, unit: Unit, today: date) -> Figures | None:
    """Last month's accepted figures (the month before the open one), if any."""
    period = previous_period(period_of(today))
    with Warehouse.of(settings).session() as session:
        found = desk.accepted_figures(session, unit.code, period)
    if found is None:
        return None
    version, values = found
    return Figures(period, version, [
        (i.code, i.label, values.get((i.code, "hoc_sinh")), values.get((i.code, "vien_chuc")))
        for i in INDICATORS])


def submissions(settings: Settings, unit_code: str) -> list[SubmissionView]:
    with Warehouse.of(settings).session() as session:
        return desk.unit_submissions(session, unit_code)


def submission(settings: Settings, unit_code: str, submission_id: int,
               ) -> tuple[SubmissionView, list[Finding]] | None:
    with Warehouse.of(settings).session() as session:
        return desk.unit_submission(session, unit_code, submission_id)


def feedback_file(settings: Settings, unit_code: str, submission_id: int) -> Path | None:
    """The submission's annotated workbook, when it is the unit's and still in the outbox
    (a path outside the outbox is never served, whatever the warehouse says)."""
    found = submission(settings, unit_code, submission_id)
    if found is None or not found[0].feedback_path:
        return None
    path = Path(found[0].feedback_path).resolve()
    outbox = settings.outbox.resolve()
    if not path.is_relative_to(outbox) or not path.is_file():
        return None
    return path


def blank_form(unit: Unit, period: str) -> tuple[bytes, str]:
    """The unit's blank BC-PTĐ-HS/1 workbook of the month, and its file name."""
    return write_template(unit, period), f"BC-PTD-HS_{unit.code}_{period}.xlsx"


def local_time(moment: datetime, settings: Settings) -> datetime:
    return moment.astimezone(ZoneInfo(settings.timezone))
