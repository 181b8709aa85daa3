"""What a submission's feedback is made of, read back from the warehouse, and the mark
that it was sent (so a run that died before answering answers on the next run)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.findings import Finding
from warehouse import models as m
from warehouse.versions import now


def findings_of(session: Session, submission_id: int) -> list[Finding]:
    """The findings as they were loaded, in their order."""
    return [Finding(f.rule_id, f.sheet, f.row, f.column, f.message, f.severity)
            for f in session.scalars(select(m.Finding).where(
                m.Finding.submission_id == submission_id).order_by(m.Finding.id))]


def mark_feedback_sent(session: Session, submission_id: int, where: str) -> None:
    """The answer went out, to ``where`` (the file in the outbox, or the address mailed)."""
    session.execute(update(m.Submission).where(m.Submission.id == submission_id)
                    .values(feedback_sent_at=now(), feedback_path=where[:1000]))
