"""Reminders before the deadline; after it, the list of missing units to the officer and up.

A flow of its own, run daily by the schedule (or by hand): it decides from today's date
whether there is anything to send, and sends each notice once (a marker per notice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from cellreports.periods import period_of
from cellreports.registry import Registry, Unit
from cellreports.settings import Settings
from connectors.safe_names import safe_filename
from connectors.smtp_sender import SmtpSender
from flows.common import prepare_warehouse, sessions
from flows.reporting import deadline_day
from forms.dispatch import CELL_REPORT
from reports.reminders import Notice, missing_list, reminder
from warehouse import models as m
from warehouse.queries import deadline


@dataclass
class ReminderSummary:
    period: str
    due: date
    reminded: list[str] = field(default_factory=list)  # unit codes
    missing: list[str] = field(default_factory=list)  # after the deadline
    sent: list[str] = field(default_factory=list)  # where each notice went


@task(cache_policy=NO_CACHE)
def find_missing(settings: Settings, registry: Registry, period: str) -> list[Unit]:
    """Reporting cells without an accepted report for the month."""
    cells = registry.reporting_cells(settings.district_code, period)
    with sessions(settings)() as session:
        accepted = set(session.scalars(select(m.Submission.unit_code).where(
            m.Submission.unit_code.in_([c.code for c in cells]),
            m.Submission.period == period, m.Submission.kind == CELL_REPORT,
            m.Submission.status == "accepted")))
    return [c for c in cells if c.code not in accepted]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def deliver(notice: Notice, key: str, folder: str, settings: Settings) -> str | None:
    """Send one notice once: by e-mail to an address, else a text file in the outbox
    ``folder`` (the unit's own, as its feedback)."""
    marker = settings.data_dir / "reminders" / f"{safe_filename(key)}.sent"
    if marker.exists():
        return None
    if "@" in notice.to and settings.smtp_host:
        SmtpSender.from_settings(settings).send(notice.to, notice.subject, notice.body)
        where = f"mailto:{notice.to}"
    else:
        target = settings.outbox / safe_filename(folder)
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{safe_filename(notice.subject)}.txt"
        path.write_text(f"{notice.subject}\n\n{notice.body}", encoding="utf-8")
        where = str(path)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(where, encoding="utf-8")
    return where


def address_of(unit: Unit) -> str:
    """The unit's e-mail address in the registry, else its code (its outbox folder)."""
    return next((s for s in unit.senders if "@" in s), unit.code)


@flow(name="reminders", log_prints=False)
def send_reminders(today: date | None = None, settings: Settings | None = None
                   ) -> ReminderSummary:
    settings = settings or Settings()
    today = today or datetime.now(ZoneInfo(settings.timezone)).date()
    period = period_of(today)
    registry = Registry.load(settings.registry_dir)
    due = deadline(period, deadline_day(settings, period), settings.timezone).date()
    summary = ReminderSummary(period, due)
    days_left = (due - today).days
    if days_left > settings.reminder_days:
        return summary
    prepare_warehouse(settings, registry)
    missing = find_missing(settings, registry, period)
    if days_left >= 0:
        for unit in missing:
            where = deliver(reminder(unit, period, due, address_of(unit)),
                            f"{period}-{unit.code}-reminder-{today:%Y%m%d}", unit.code, settings)
            summary.reminded.append(unit.code)
            summary.sent += [where] if where else []
        return summary
    summary.missing = [u.code for u in missing]
    district = registry.get(settings.district_code)
    if missing and district is not None:
        notices = [(missing_list(district, period, due, missing, settings.officer_email),
                    f"{period}-{district.code}-missing", "_huyen")]
        parent = registry.get(district.parent_code) if district.parent_code else None
        if parent is not None:  # escalated to the level above
            notices.append((missing_list(district, period, due, missing,
                                         address_of(parent), escalation=True),
                            f"{period}-{district.code}-escalated", parent.code))
        for notice, key, folder in notices:
            where = deliver(notice, key, folder, settings)
            summary.sent += [where] if where else []
    return summary

