"""A submission's answer to its sender: the feedback workbook and its file name, from what
the warehouse holds (so a run that died after loading still answers on the next run)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.base import Connector, IncomingFile
from core.registry import Registry
from core.settings import Settings
from reports.feedback import FeedbackContext, build_feedback, feedback_name
from services.reporting import deadline_day
from warehouse.feedback_log import Answer
from warehouse.queries import deadline
from warehouse.unit_of_work import Warehouse


def send_answer(settings: Settings, registry: Registry, connector: Connector,
                incoming: IncomingFile, submission_id: int) -> Path | str | None:
    """The submission's feedback sent back through its channel, once, and recorded: where
    it went (None: no such submission, or answered before). A delivery that fails raises
    the channel's error and records nothing, so that it is tried again."""
    warehouse = Warehouse.of(settings)
    answer = warehouse.answer(submission_id)
    if answer is None or answer.sent:
        return None
    content, name = feedback_workbook(answer, incoming.content, registry, settings)
    where = connector.send_feedback(incoming, name, content, key=answer.sha256[:8])
    warehouse.mark_answered(submission_id, str(where))
    return where


def feedback_workbook(answer: Answer, original: bytes, registry: Registry,
                      settings: Settings) -> tuple[bytes, str]:
    """The feedback workbook of a loaded submission, and its file name."""
    unit = registry.get(answer.unit_code)
    zone = ZoneInfo(settings.timezone)
    ctx = FeedbackContext(
        filename=answer.filename,
        unit_label=f"{unit.name} ({unit.code})" if unit else (answer.unit_code or "—"),
        period=answer.period, version=answer.version,
        received_at=answer.received_at.astimezone(zone),
        accepted=answer.status in ("accepted", "pending"),
        replaces_version=answer.replaces_version, earlier_findings=answer.earlier_findings,
        pending=answer.status == "pending", deadline=_last_on_time_day(settings, answer.period))
    content = build_feedback(original, list(answer.findings), ctx)
    return content, feedback_name(answer.filename, answer.version, unit=answer.unit_code,
                                  period=answer.period)


def _last_on_time_day(settings: Settings, period: str | None) -> date | None:
    """The month's deadline for the cells (config/rules/limits.csv), as a local date; None
    when the file's month is unknown (refused before it was read)."""
    if period is None:
        return None
    return deadline(period, deadline_day(settings, period), settings.timezone).date()
