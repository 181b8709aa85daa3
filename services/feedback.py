"""A submission's answer to its sender: the feedback workbook and its file name, from what
the warehouse holds (so a run that died after loading still answers on the next run)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from connectors.base import Connector, IncomingFile
from core.findings import Finding
from core.registry import Registry
from core.settings import Settings
from reports.feedback import FeedbackContext, build_feedback, feedback_name
from services.reporting import deadline_day
from services.workers import WorkerDied, lasting_worker, map_on_cores, worker_count
from warehouse.archive import Archive
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


# the worker processes that build the answers, kept between a run's batches (and between
# intake runs, in a process that runs many: the web page, the scheduler); a month's walk
# ends them once its files are answered (Level.done_answering)
ANSWERS = "answers"
# what a feedback workbook is built from (build_feedback: a pure function of them): the
# received file (by its hash), its findings, and everything said around them
AnswerKey = tuple[str, tuple[Finding, ...], FeedbackContext]


@dataclass(frozen=True)
class BuiltAhead:
    """A feedback workbook built before the month was settled, and what it was built from."""

    key: AnswerKey
    content: bytes


def build_ahead(settings: Settings, registry: Registry,
                loaded: Sequence[tuple[int, bytes]]) -> dict[int, BuiltAhead]:
    """The feedback workbooks of these loaded submissions (id, the received file), built
    now by a worker process beside the run while it loads its next batch. ``send_answers``
    sends one as it is if what it says is still the same then (the month's settling can
    add an H07 finding to an earlier batch's file: that one is built again). A worker that
    dies builds nothing ahead."""
    stored = Warehouse.of(settings).answers([submission_id for submission_id, _c in loaded])
    keys, jobs = [], []
    for submission_id, content in loaded:
        answer = stored.get(submission_id)
        if answer is not None and not answer.sent:
            key = _key(answer, registry, settings)
            keys.append((submission_id, key))
            jobs.append(_job(key, content))
    try:
        workers = lasting_worker(ANSWERS, worker_count(settings.cpu_workers))
        built = workers.submit(build_each, jobs).result()
    except WorkerDied:
        return {}
    return {submission_id: BuiltAhead(key, content)
            for (submission_id, key), content in zip(keys, built, strict=True)
            if content is not None}


def build_each(jobs: Sequence[tuple[bytes, list[Finding], FeedbackContext]],
               ) -> list[bytes | None]:
    """``build_feedback`` of each job, None where it failed (built again when sent, where
    its error is told)."""
    built: list[bytes | None] = []
    for job in jobs:
        try:
            built.append(build_feedback(*job))
        except Exception:
            built.append(None)
    return built


def _due_answers(warehouse: Warehouse, due: Sequence[tuple[Connector, IncomingFile, int]],
                 ) -> list[Answer | Exception | None]:
    """What each submission's answer says (None: no such submission, or answered before),
    or the error that kept the warehouse from saying it."""
    try:
        stored: dict[int, Answer] | Exception = warehouse.answers([s for _c, _i, s in due])
    except Exception as exc:  # the database is out of reach: every item says so
        stored = exc
    answers: list[Answer | Exception | None] = []
    for _connector, _incoming, submission_id in due:
        answer = stored if isinstance(stored, Exception) else stored.get(submission_id)
        answers.append(None if isinstance(answer, Answer) and answer.sent else answer)
    return answers


def _ahead_or_to_build(settings: Settings, registry: Registry,
                       due: Sequence[tuple[Connector, IncomingFile, int]],
                       answers: list[Answer | Exception | None],
                       ahead: Mapping[int, BuiltAhead],
                       ) -> tuple[dict[int, bytes], list[tuple[bytes, list[Finding],
                                                                FeedbackContext]]]:
    """The workbooks built ahead that still say what the answer says (by index in
    ``due``), and the jobs that build the others, in order."""
    ready: dict[int, bytes] = {}
    jobs = []
    archive = Archive(settings.archive)
    for index, ((_c, incoming, _s), answer) in enumerate(zip(due, answers, strict=True)):
        if isinstance(answer, Answer):
            key = _key(answer, registry, settings)
            early = ahead.get(answer.submission_id)
            if early is not None and early.key == key:
                ready[index] = early.content
            else:
                jobs.append(_job(key, archive.held_or_read(incoming.content, answer.sha256)))
    return ready, jobs


def _in_order(answers: list[Answer | Exception | None], ready: dict[int, bytes],
              built: Iterator[bytes | Exception]) -> Iterator[bytes | Exception]:
    """Each answer's workbook in turn: the one built ahead, or the next one built now."""
    for index, answer in enumerate(answers):
        if isinstance(answer, Answer):
            yield ready[index] if index in ready else next(built)


def _key(answer: Answer, registry: Registry, settings: Settings) -> AnswerKey:
    """What the answer's workbook is built from, but the file's bytes: their hash."""
    return answer.sha256, answer.findings, feedback_context(answer, registry, settings)


def _job(key: AnswerKey, content: bytes) -> tuple[bytes, list[Finding], FeedbackContext]:
    """``build_feedback``'s arguments for the answer of ``key``, the file being ``content``."""
    _sha256, findings, ctx = key
    return content, list(findings), ctx


def send_answers(settings: Settings, registry: Registry,
                 due: Sequence[tuple[Connector, IncomingFile, int]],
                 ahead: Mapping[int, BuiltAhead] | None = None,
                 ) -> Iterator[Path | str | Exception | None]:
    """``send_answer`` for each (connector, file, submission) of ``due``, in its order:
    where each went, None, or the error that stopped it (the others go on). The workbooks
    are built on every core (services.workers: building them is most of the cost, and a
    pure function of the file and its findings) unless one was built ``ahead`` from what
    the answer still says; each is delivered and recorded here."""
    warehouse = Warehouse.of(settings)
    answers = _due_answers(warehouse, due)
    ready, jobs = _ahead_or_to_build(settings, registry, due, answers, ahead or {})
    built = map_on_cores(build_feedback, jobs, workers=worker_count(settings.cpu_workers),
                         lasting=ANSWERS)
    contents = _in_order(answers, ready, built)
    # each answer recorded as it goes; all of them on disk once the last is out
    with warehouse.deferred_sync():
        for (connector, incoming, _s), answer in zip(due, answers, strict=True):
            if not isinstance(answer, Answer):
                yield answer
                continue
            content = next(contents)
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
