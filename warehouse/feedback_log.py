"""What a submission's feedback is made of, read back from the warehouse, and the mark
that it was sent (so a run that died before answering answers on the next run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.findings import Finding, reading_order
from warehouse import models as m
from warehouse.queries import as_finding, as_utc, earlier_version
from warehouse.versions import now


@dataclass(frozen=True)
class Answer:
    """Everything a submission's feedback says, as the warehouse holds it."""

    submission_id: int
    filename: str
    unit_code: str | None
    period: str | None
    version: int | None
    received_at: datetime  # UTC
    status: str
    sha256: str
    sent: bool  # already answered (a run that died after sending it)
    findings: tuple[Finding, ...]
    replaces_version: int | None  # the version it replaces, whose findings follow
    earlier_findings: tuple[Finding, ...]


def answer_of(session: Session, submission_id: int) -> Answer | None:
    submission = session.get(m.Submission, submission_id)
    if submission is None:
        return None
    replaces, earlier = earlier_version(session, submission_id)
    return Answer(submission_id, submission.filename, submission.unit_code, submission.period,
                  submission.version, as_utc(submission.received_at), submission.status,
                  submission.sha256, submission.feedback_sent_at is not None,
                  tuple(findings_of(session, submission_id)), replaces, tuple(earlier))


def findings_of(session: Session, submission_id: int) -> list[Finding]:
    """The findings in their reading order (core.findings): as they were loaded, with a
    rule settled later (H07 across the month) in its place, not at the end."""
    return sorted((as_finding(f) for f in session.scalars(select(m.Finding).where(
                       m.Finding.submission_id == submission_id).order_by(m.Finding.id))),
                  key=reading_order)


def mark_feedback_sent(session: Session, submission_id: int, where: str) -> None:
    """The answer went out, to ``where`` (the file in the outbox, or the address mailed)."""
    session.execute(update(m.Submission).where(m.Submission.id == submission_id)
                    .values(feedback_sent_at=now(), feedback_path=where[:1000]))
