"""A submission's answer to its sender: the feedback workbook and its file name, from what
the warehouse holds (so a run that died after loading still answers on the next run)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.registry import Registry
from reports.feedback import FeedbackContext, build_feedback, feedback_name
from warehouse.feedback_log import Answer


def feedback_workbook(answer: Answer, original: bytes, registry: Registry,
                      zone: ZoneInfo) -> tuple[bytes, str]:
    """The feedback workbook of a loaded submission, and its file name."""
    unit = registry.get(answer.unit_code)
    ctx = FeedbackContext(
        filename=answer.filename,
        unit_label=f"{unit.name} ({unit.code})" if unit else (answer.unit_code or "—"),
        period=answer.period, version=answer.version,
        received_at=answer.received_at.astimezone(zone),
        accepted=answer.status in ("accepted", "pending"),
        replaces_version=answer.replaces_version, earlier_findings=answer.earlier_findings,
        pending=answer.status == "pending")
    content = build_feedback(original, list(answer.findings), ctx)
    return content, feedback_name(answer.filename, answer.version)
