"""Reminders before the deadline; after it, the list of missing units to the officer and up.

A flow of its own, run daily by the schedule (or by hand): it decides from today's date
whether there is anything to send, and sends each notice once (a marker per notice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from connectors.safe_names import safe_filename
from connectors.smtp_sender import SmtpSender
from core.periods import period_of
from core.registry import Registry, Unit
from core.settings import Settings
from flows import runlog
from flows.common import prepare_warehouse
from flows.runners import deployed_settings
from reports.reminders import Notice, missing_list, reminder
from services.reporting import deadline_day
from warehouse.queries import deadline
from warehouse.unit_of_work import Warehouse


@dataclass
class NoticeRow:
    """One notice of the run: what, for which unit, where it went, and whether it went now
    or had gone already (each notice is sent once)."""

    kind: str  # reminder | missing list | escalation
    unit: str  # the unit reminded; for the lists, the unit that receives it
    where: str  # an address (mailto:…) or the file in the outbox
    sent_now: bool


@dataclass
class ReminderSummary:
    period: str
    due: date
    reminded: list[str] = field(default_factory=list)  # unit codes
    missing: list[str] = field(default_factory=list)  # after the deadline
    sent: list[str] = field(default_factory=list)  # where each notice went
    notices: list[NoticeRow] = field(default_factory=list)


@task(cache_policy=NO_CACHE)
def find_missing(settings: Settings, registry: Registry, period: str) -> list[Unit]:
    """Reporting cells without an accepted report for the month."""
    cells = registry.reporting_cells(settings.district_code, period)
    accepted = Warehouse.of(settings).accepted_units([c.code for c in cells], period)
    return [c for c in cells if c.code not in accepted]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def deliver(notice: Notice, key: str, folder: str, settings: Settings) -> str | None:
    """Send one notice once: by e-mail to an address, else a text file in the outbox
    ``folder`` (the unit's own, as its feedback)."""
    marker = _marker(key, settings)
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


def _marker(key: str, settings: Settings) -> Path:
    return settings.data_dir / "reminders" / f"{safe_filename(key)}.sent"


def address_of(unit: Unit) -> str:
    """The unit's e-mail address in the registry, else its code (its outbox folder)."""
    return next((s for s in unit.senders if "@" in s), unit.code)


def reminders_run_name() -> str:
    """``reminders-BL-2024-03-26``: the unit and the day the run acts as."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    try:
        settings = parameters.get("settings") or Settings()
        today = parameters.get("today") or datetime.now(ZoneInfo(settings.timezone)).date()
        return f"reminders-{settings.district_code}-{today:%Y-%m-%d}"
    except Exception:  # settings the run cannot read: the run itself says why
        return "reminders-unreadable-settings"


@flow(name="reminders", flow_run_name=reminders_run_name, log_prints=False)
def send_reminders(today: date | None = None, settings: Settings | None = None
                   ) -> ReminderSummary:
    """The reminders due on ``today`` (default: today in the settings' time zone)."""
    return remind(today, settings or Settings())


@flow(name="reminders", flow_run_name=reminders_run_name, log_prints=False)
def deployed_reminders() -> ReminderSummary:
    """The reminders due today, as the deployment runs them: no parameter. The day is not
    an operator's choice: a day after the deadline picked early would send the officer and
    the unit above a list of "missing" cells before the cells' deadline, and, each notice
    being sent once, the true list would never go (``cellreports remind --today`` on the
    machine stays for a day that was missed)."""
    return remind(None, deployed_settings())


def remind(today: date | None, settings: Settings) -> ReminderSummary:
    log = get_run_logger()
    today = today or datetime.now(ZoneInfo(settings.timezone)).date()
    period = period_of(today)
    registry = Registry.load(settings.registry_dir)
    due = deadline(period, deadline_day(settings, period), settings.timezone).date()
    summary = ReminderSummary(period, due)
    days_left = (due - today).days
    if days_left > settings.reminder_days:
        log.info("%s: nothing to send on %s: the deadline %s is %s away (reminders from %s "
                 "before it)", period, f"{today:%d/%m/%Y}", f"{due:%d/%m/%Y}",
                 runlog.count(days_left, "day"), runlog.count(settings.reminder_days, "day"))
        return summary
    prepare_warehouse(settings, registry)
    missing = find_missing(settings, registry, period)
    if days_left >= 0:
        log.info("%s: deadline %s, %s left; %s without an accepted report: %s", period,
                 f"{due:%d/%m/%Y}", runlog.count(days_left, "day"),
                 runlog.count(len(missing), "cell"), runlog.listed(u.code for u in missing))
        for unit in missing:
            key = f"{period}-{unit.code}-reminder-{today:%Y%m%d}"
            where = deliver(reminder(unit, period, due, address_of(unit)), key, unit.code,
                            settings)
            summary.reminded.append(unit.code)
            summary.sent += [where] if where else []
            _noted(summary, NoticeRow("reminder", unit.code, where or _sent_to(key, settings),
                                      where is not None))
        _publish(summary, today)
        return summary
    summary.missing = [u.code for u in missing]
    log.info("%s: the deadline %s has passed; %s without an accepted report: %s", period,
             f"{due:%d/%m/%Y}", runlog.count(len(missing), "cell"),
             runlog.listed(summary.missing))
    district = registry.get(settings.district_code)
    if missing and district is not None:
        notices = [(missing_list(district, period, due, missing, settings.officer_email),
                    f"{period}-{district.code}-missing", "_huyen", "missing list",
                    district.code)]
        parent = registry.get(district.parent_code) if district.parent_code else None
        if parent is not None:  # escalated to the level above
            notices.append((missing_list(district, period, due, missing,
                                         address_of(parent), escalation=True),
                            f"{period}-{district.code}-escalated", parent.code, "escalation",
                            parent.code))
        for notice, key, folder, kind, unit_code in notices:
            where = deliver(notice, key, folder, settings)
            summary.sent += [where] if where else []
            _noted(summary, NoticeRow(kind, unit_code, where or _sent_to(key, settings),
                                      where is not None))
    _publish(summary, today)
    return summary


def _sent_to(key: str, settings: Settings) -> str:
    """Where a notice sent earlier went (its marker says)."""
    marker = _marker(key, settings)
    return marker.read_text(encoding="utf-8") if marker.exists() else "?"


def _noted(summary: ReminderSummary, row: NoticeRow) -> None:
    summary.notices.append(row)
    what = {"reminder": f"reminded {row.unit}",
            "missing list": "sent the officer the list of cells without an accepted report",
            "escalation": f"escalated the list of cells without an accepted report to "
                          f"{row.unit}"}[row.kind]
    if row.sent_now:
        get_run_logger().info("%s: %s", what, runlog.shown_path(row.where))
    else:
        get_run_logger().info("%s earlier (each notice goes once): %s", what,
                              runlog.shown_path(row.where))


def _publish(summary: ReminderSummary, today: date) -> None:
    """The table of the day's notices, in the run's artifacts (``reminders-<YYYY-MM>``)."""
    create_table_artifact(
        key=f"reminders-{summary.period}",
        table=[{"notice": n.kind, "unit": n.unit, "where": n.where,
                "sent": "now" if n.sent_now else "earlier"} for n in summary.notices]
        or [{"notice": "none", "unit": "", "where": "", "sent": ""}],
        description=(f"Reminders of {summary.period} on {today:%d/%m/%Y} (deadline "
                     f"{summary.due:%d/%m/%Y}): whom it reminded, what it escalated"))
