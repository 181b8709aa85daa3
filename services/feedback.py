"""A submission's answer to its sender: the feedback workbook and its file name, from what
the warehouse holds (so a run that died after loading still answers on the next run)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.base import Connector, IncomingFile
from core.registry import Registry
from core.settings import Settings
from reports.feedback import FeedbackContext, build_feedback, feedback_name
from services.reporting import deadline_day
from services.workers import map_on_cores, worker_count
from warehouse.feedback_log import Answer
from warehouse.queries import deadline
from warehouse.unit_of_work import Warehouse


def send_answer(settings: Settings, registry: Registry, connector: Connector,
                incoming: IncomingFile, submission_id: int) -> Path | str | None:
    """The submission's feedback sent back through its channel, once, and recorded: where
    it went (None: no such submission, or answered before). A delivery that fails raises
    the channel's error and records nothing, so that it is tried again."""
    [where] = send_answers(settings, registry, [(connector, incoming, submission_id)])
    if isinstance(where, Exception):
        raise where
    return where


def send_answers(settings: Settings, registry: Registry,
                 due: Sequence[tuple[Connector, IncomingFile, int]],
                 ) -> Iterator[Path | str | Exception | None]:
    """``send_answer`` for each (connector, file, submission) of ``due``, in its order:
    where each went, None, or the error that stopped it (the others go on). The workbooks
    are built on every core (services.workers: building them is most of the cost, and a
    pure function of the file and its findings); each is delivered and recorded here."""
    warehouse = Warehouse.of(settings)
    try:
        stored: dict[int, Answer] | Exception = warehouse.answers([s for _c, _i, s in due])
    except Exception as exc:  # the database is out of reach: every item says so
        stored = exc
    answers: list[Answer | Exception | None] = []
    for _connector, _incoming, submission_id in due:
        answer = stored if isinstance(stored, Exception) else stored.get(submission_id)
        answers.append(None if isinstance(answer, Answer) and answer.sent else answer)
    jobs = [(incoming.content, list(answer.findings),
             feedback_context(answer, registry, settings))
            for (_c, incoming, _s), answer in zip(due, answers, strict=True)
            if isinstance(answer, Answer)]
    built = map_on_cores(build_feedback, jobs, workers=worker_count(settings.cpu_workers))
    # each answer recorded as it goes; all of them on disk once the last is out
    with warehouse.deferred_sync():
        for (connector, incoming, _s), answer in zip(due, answers, strict=True):
            if not isinstance(answer, Answer):
                yield answer
                continue
            content = next(built)
            if isinstance(content, Exception):
                yield content
                continue
            try:
                where = connector.send_feedback(incoming, _name(answer), content,
                                                key=answer.sha256[:8])
                warehouse.mark_answered(answer.submission_id, str(where))
            except Exception as exc:
                yield exc
            else:
                yield where


def feedback_workbook(answer: Answer, original: bytes, registry: Registry,
                      settings: Settings) -> tuple[bytes, str]:
    """The feedback workbook of a loaded submission, and its file name."""
    ctx = feedback_context(answer, registry, settings)
    return build_feedback(original, list(answer.findings), ctx), _name(answer)


def feedback_context(answer: Answer, registry: Registry, settings: Settings,
                     ) -> FeedbackContext:
    """What the feedback says around the findings: unit, month, version, verdict, deadline."""
    unit = registry.get(answer.unit_code)
    zone = ZoneInfo(settings.timezone)
    return FeedbackContext(
        filename=answer.filename,
        unit_label=f"{unit.name} ({unit.code})" if unit else (answer.unit_code or "—"),
        period=answer.period, version=answer.version,
        received_at=answer.received_at.astimezone(zone),
        accepted=answer.status in ("accepted", "pending"),
        replaces_version=answer.replaces_version, earlier_findings=answer.earlier_findings,
        pending=answer.status == "pending", deadline=_last_on_time_day(settings, answer.period))


def _name(answer: Answer) -> str:
    return feedback_name(answer.filename, answer.version, unit=answer.unit_code,
                         period=answer.period)


def _last_on_time_day(settings: Settings, period: str | None) -> date | None:
    """The month's deadline for the cells (config/rules/limits.csv), as a local date; None
    when the file's month is unknown (refused before it was read)."""
    if period is None:
        return None
    return deadline(period, deadline_day(settings, period), settings.timezone).date()
