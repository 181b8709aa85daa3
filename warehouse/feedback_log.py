"""What a submission's feedback is made of, read back from the warehouse, and the mark
that it was sent (so a run that died before answering answers on the next run)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from core.findings import Finding, reading_order
from warehouse import models as m
from warehouse.queries import as_utc, earlier_version, in_chunks
from warehouse.unit_queries import findings_of
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


def answers_of(session: Session, submission_ids: Sequence[int]) -> dict[int, Answer]:
    """What each submission's feedback says (the missing left out), in a few queries: a run
    answers a thousand files at once. Findings in their reading order (core.findings): as
    they were loaded, with a rule settled later (H07 across the month) in its place."""
    found: dict[int, Answer] = {}
    for ids in in_chunks(list(submission_ids)):
        submissions = session.scalars(
            select(m.Submission).where(m.Submission.id.in_(ids))).all()
        stored = findings_of(session, list(ids))
        for sub in submissions:
            replaces, earlier = earlier_version(session, sub.id)
            found[sub.id] = Answer(
                sub.id, sub.filename, sub.unit_code, sub.period, sub.version,
                as_utc(sub.received_at), sub.status, sub.sha256,
                sub.feedback_sent_at is not None,
                tuple(sorted(stored[sub.id], key=reading_order)), replaces, tuple(earlier))
    return found


def mark_feedback_sent(db: Session | Connection, submission_id: int, where: str) -> None:
    """The answer went out, to ``where`` (the file in the outbox, or the address mailed)."""
    db.execute(update(m.Submission).where(m.Submission.id == submission_id)
                    .values(feedback_sent_at=now(), feedback_path=where[:1000]))
