"""The walk of one month at any level: collect → read → check → load → answer → report.

A district's (or commune's) consolidation of its cells' workbooks and the province's of its
districts' data files are the same walk over a different :class:`services.levels.Level`.
Each step is a task that calls the level; the walk only orders them, logs what happened in
plain words (flows.runlog), emits the events the officer's alerts wait for (flows.events)
and leaves the run's artifacts (reports.artifacts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote, unmapped

from connectors.base import IncomingFile, Skipped
from core.history import History
from core.memory import give_back
from core.run import RunRow, RunSummary
from flows import events, runlog
from flows.common import acknowledge_loaded, exclusive_run, load_each
from forms.dispatch import ReadOutcome
from reports import artifacts
from services.feedback import BuiltAhead, send_answers
from services.levels import Level
from services.reporting import Outputs, PreparedOutputs
from services.workers import worker_count
from warehouse.archive import Archive, StoredFile
from warehouse.load import FAILED, LoadResult, SubmissionRecord
from warehouse.models import Submission
from warehouse.queries import deadline
from warehouse.unit_of_work import Warehouse

T = TypeVar("T")
Arrival = tuple[str, str, str]  # (sha256, channel, sender): one submission
Ahead = dict[int, BuiltAhead]  # submission id -> its answer, built ahead


@dataclass
class Collected:
    incoming: IncomingFile
    stored: StoredFile
    # this exact file from this sender is already in the warehouse (or earlier in the batch)
    known: bool = False
    previous: RunRow | None = None  # what it became the first time
    submission_id: int | None = None  # of a known file
    twin_of: str | None = None  # it only repeats another file of the batch (level.twins)

    @property
    def arrival(self) -> Arrival:
        return (self.stored.sha256, self.incoming.channel, self.incoming.sender)


@dataclass
class Collection:
    """What the channels handed over, and what they passed over with the reason."""

    files: list[Collected]
    skipped: list[Skipped]


# a mail server that is briefly unreachable is tried again; nothing was archived yet
@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def collect_files(level: Level) -> Collection:
    """Every waiting file, archived by content hash before anything reads it (its bytes
    let go once archived: whatever reads it next reads the archive's copy); what a channel
    passed over (a lock file, a symbolic link) is listed, never silently left."""
    archive = Archive(level.settings.archive)
    connectors = list(level.connectors().values())
    incoming, stored = [], []
    for connector in connectors:
        for item in connector.fetch():
            stored.append(archive.store(item.content))
            # archived: read back from there when it is needed (its batch read, its answer
            # built, its channel told), so that a month of 10,000 files is never held whole
            incoming.append(replace(item, content=b""))
    skipped = [s for connector in connectors for s in connector.skipped]
    twins = level.twins(incoming)
    arrivals = [(s.sha256, i.channel, i.sender) for i, s in zip(incoming, stored, strict=True)]
    known = Warehouse.of(level.settings).known(arrivals)
    # the same bytes are one submission per sender: another sender's copy is its own file,
    # judged (and answered) for that sender
    seen: set[Arrival] = set()
    collected = []
    for index, (item, s, arrival) in enumerate(zip(incoming, stored, arrivals, strict=True)):
        earlier = known.get(arrival) if arrival not in seen else None
        collected.append(Collected(item, s, known=arrival in known or arrival in seen,
                                   previous=_as_row(earlier) if earlier else None,
                                   submission_id=earlier.id if earlier else None,
                                   twin_of=twins.get(index)))
        seen.add(arrival)
    return Collection(collected, skipped)


def _as_row(sub: Submission) -> RunRow:
    return RunRow(unit=sub.unit_code or "", filename=sub.filename, period=sub.period,
                  status=f"unchanged ({sub.status})", errors=sub.error_count,
                  warnings=sub.warning_count, version=sub.version)


class Handed(Generic[T]):
    """A task's large result (a batch's workbooks read, its records checked), taken once by
    the step that waits for it. A submitted task's future and the state it ends in hold
    each other, a reference cycle that only a full collection frees, and the state holds
    the result: returned as it is, every batch of a month stayed in the run's process
    until one ran (measured: 3,000 files, five batches' 150,000 roster rows at once,
    docs/benchmarks.md). Taken out, the batch goes when the step is done with it."""

    def __init__(self, value: T):
        self._value: T | None = value

    def take(self) -> T:
        value, self._value = self._value, None
        if value is None:
            raise RuntimeError("a handed-over result is taken once")
        return value


@task(cache_policy=NO_CACHE)
def read_files(contents: list[bytes], level: Level,
               children: int = 1) -> Handed[list[ReadOutcome]]:
    """Read files, ``children`` at once; a bad file gives a named error, never an
    exception."""
    return Handed(level.read(contents, children))


@task(cache_policy=NO_CACHE)
def gather_history(outcomes: list[ReadOutcome], level: Level) -> History:
    """What earlier months hold for the units and months of this batch (history rules)."""
    return level.history(outcomes)


class ToCheck:
    """A chunk of read files, the history they are checked against and the key people are
    compared under, handed to a mapped task as one opaque object. Not a list or a dataclass
    on purpose: Prefect and prefect-dask walk (and rebuild) those, which costs seconds on a
    month's rosters and turned the files into plain tuples on the way to a Dask worker. The
    key travels with it: a worker elsewhere must not fall back to a key file of its own.
    So does the run's start: every chunk's Data Docs validations are named after one run."""

    def __init__(self, files: list[tuple[Collected, ReadOutcome]], history: History,
                 secret: bytes, started: datetime | None = None, across: bool = False):
        self.files = files
        self.history = history
        self.secret = secret
        self.started = started
        self.across = across  # the run's only chunk: the rules across it checked with it


@task(cache_policy=NO_CACHE)
def validate_files(chunk: ToCheck, level: Level, period: str) -> Handed[list[SubmissionRecord]]:
    """One GX run over a chunk of files (by default the whole batch: a validation costs
    mostly its fixed overhead); findings mapped back to each file. The rules across the
    run wait for every chunk (check_across_files)."""
    found = level.check([(c.incoming, o) for c, o in chunk.files], period, chunk.history,
                        chunk.started, get_run_logger(), chunk.secret, across=chunk.across)
    return Handed([level.record(c.stored, c.incoming, outcome, findings, period)
                   for (c, outcome), findings in zip(chunk.files, found, strict=True)])


@task(cache_policy=NO_CACHE)
def check_across_files(records: list[SubmissionRecord], history: History, level: Level,
                       period: str, started: datetime | None = None,
                       ) -> list[SubmissionRecord]:
    """The rules over the whole run, once every chunk is validated (H07: whether a roster
    counts as another cell's depends on the run's other findings)."""
    return level.check_across(records, period, history, started)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_files(records: list[SubmissionRecord], level: Level) -> list[LoadResult]:
    """Each file all or nothing, in groups of files (flows.common.load_each)."""
    return load_each(records, level.settings, level.load)


@task(cache_policy=NO_CACHE)
def acknowledge_files(collected: list[Collected], failed: set[Arrival], level: Level) -> None:
    """Move handled files out of the inbox — only once they are archived and loaded."""
    acknowledge_loaded(level.connectors().values(), collected, failed,
                       Archive(level.settings.archive))


@dataclass
class FeedbackOutcome:
    """Where each submission's feedback went; and, for those it could not reach, why (the
    error's class: its text may quote an address)."""

    sent: dict[int, Path | str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


@task(cache_policy=NO_CACHE)
def build_answers_ahead(loaded: list[tuple[int, bytes]], level: Level,
                        ) -> dict[int, BuiltAhead]:
    """A batch's answers built while the next batch is loaded (services.feedback): those
    the month's settling leaves as they are go out as built."""
    return level.build_ahead(loaded)


@task(cache_policy=NO_CACHE)
def send_feedback(answers: list[tuple[Collected, int]], level: Level,
                  ahead: dict[int, BuiltAhead] | None = None) -> FeedbackOutcome:
    """Each submission's findings back to its sender, once: from the warehouse, so that a
    run killed after loading still answers every file on the next run. A delivery that
    fails (the mail server refuses, the outbox cannot be written) is logged and reported,
    and the others go on; its file stays in its channel, so the next run answers it."""
    connectors = level.connectors()
    outcome = FeedbackOutcome()
    due = [(connectors[c.incoming.channel], c.incoming, submission_id)
           for c, submission_id in answers]
    sent = send_answers(level.settings, level.registry, due, ahead)
    for (c, submission_id), where in zip(answers, sent, strict=True):
        if isinstance(where, Exception):
            outcome.failed[submission_id] = type(where).__name__
            get_run_logger().warning(
                "could not send the feedback on %s (%s): %s; the file stays in the %s and "
                "the next run sends it", runlog.shown(c.incoming.filename),
                _unit_of(level, submission_id), runlog.shown(f"{type(where).__name__}: {where}"),
                "mailbox" if c.incoming.channel == "imap" else "inbox")
        elif where is not None:
            outcome.sent[submission_id] = where
    return outcome


def _unit_of(level: Level, submission_id: int) -> str:
    submission = Warehouse.of(level.settings).submission(submission_id)
    return (submission.unit_code if submission else None) or "?"


@task(cache_policy=NO_CACHE)
def settle_month(period: str, level: Level, loaded_now: set[int],
                 also: Sequence[int] = ()) -> None:
    """The month's findings across the units' files, once they are all in (H07)."""
    changed = level.settle(period, loaded_now, also)
    if changed:
        get_run_logger().info(
            "%s: H07 (the same person on another cell's roster) checked again over the "
            "month's accepted files now that every one is in: %s changed", period,
            runlog.count(changed, "file"))


@task(cache_policy=NO_CACHE)
def prepare_reports(period: str, level: Level) -> PreparedOutputs | None:
    """The month's outputs built while its files are answered, once it is settled; recorded
    by ``build_reports`` if the month has not changed by then."""
    return level.prepare_outputs(period)


@task(cache_policy=NO_CACHE)
def build_reports(period: str, level: Level,
                  prepared: PreparedOutputs | None = None) -> Outputs:
    """The level's workbook and its upward data file, rebuilt from the warehouse (or those
    ``prepared``, when the month is still what they were built from)."""
    return level.write_outputs(period, prepared=prepared)


@task(cache_policy=NO_CACHE)
def find_stale_months(period: str, level: Level) -> list[str]:
    """Earlier months whose figures changed since their reports were built."""
    return level.stale_months(period) if level.rebuilds else []


@task(cache_policy=NO_CACHE)
def list_pending(level: Level) -> list[tuple[str, str, int | None, str]]:
    return level.pending()


def walk_month(level: Level, period: str) -> RunSummary:
    """The month's walk at ``level`` under the warehouse's run lock, then its artifacts,
    its closing log lines and its events."""
    with exclusive_run(level.settings, f"{level.run_word}-{level.unit_code}"):
        summary = _walk(level, period)
    publish_artifacts(summary, level.settings.web_url)
    report_month(summary, level)
    return summary


def walk_arrivals(level: Level, today: str) -> RunSummary:
    """The walk without the month's reports (intake): whatever has arrived is archived,
    read, checked against its own month (``today``'s for a file without one), loaded and
    answered, then taken out of its channel. The month's consolidation after the deadline
    builds the reports from what intake loaded, and picks up whatever is left."""
    with exclusive_run(level.settings, f"{level.run_word}-{level.unit_code}"):
        collection = collect_files(level)
        log_collection(collection, level)
        collected = collection.files
        fresh = [c for c in collected if not c.known and c.twin_of is None]
        records: list[SubmissionRecord] = []
        if fresh:
            outcomes = _read(fresh, level)
            level.done_reading()
            for month, files in _by_month(fresh, outcomes, level, today).items():
                records += _check(files, level, month)
        results = load_files(quote(records), level) if records else []
        emit_rejected(records, results, level, today)
        feedback, failed = _answer(fresh, collected, records, results, level, today)
        acknowledge_files(quote(collected), failed, level)
        rows = summary_rows(collected, records, results, feedback)
    for row in rows:
        get_run_logger().info(runlog.verdict(row.unit, row.filename, row.status, row.errors,
                                             row.warnings, row.version))
    return RunSummary(today, unit=level.unit_code, level=level.name, rows=rows,
                      outbox=level.paths.outbox if level.answers else None,
                      findings=[f for r in records for f in r.findings],
                      skipped=collection.skipped)


def _by_month(fresh: list[Collected], outcomes: list[ReadOutcome], level: Level,
              today: str) -> dict[str, list[tuple[Collected, ReadOutcome]]]:
    """The batch by the month each file is for: each is checked as its own month's run
    would check it (no F06 for a report that is simply early or late)."""
    groups: dict[str, list[tuple[Collected, ReadOutcome]]] = {}
    for c, outcome in zip(fresh, outcomes, strict=True):
        month = level.month_of(outcome) or today
        groups.setdefault(month, []).append((c, outcome))
    return groups


def _walk(level: Level, period: str) -> RunSummary:
    collection = collect_files(level)
    log_collection(collection, level)
    collected = collection.files
    fresh = [c for c in collected if not c.known and c.twin_of is None]
    streamed = len(fresh) > level.settings.stream_batch_size
    if streamed:  # the batches load in the order the files came, as one batch loads them
        fresh.sort(key=lambda c: c.incoming.received_at)
    records, results, ahead = _stream(fresh, level, period)
    loaded = [r.submission_id for r in results if r.new and r.submission_id is not None]
    if streamed:
        # each batch's H07 saw the batches before it, not those after: the month's is
        # settled over every roster in force before anyone is answered
        settle_month(period, level, set(), loaded)
        records = settled_records(quote(records), quote(results), level)
        level.done_checking()
    # a streamed month is settled now: its outputs are built while its files are answered
    preparing = prepare_reports.submit(period, level) if streamed else None
    for row in summary_rows(collected, records, results, FeedbackOutcome()):
        get_run_logger().info(runlog.verdict(row.unit, row.filename, row.status, row.errors,
                                             row.warnings, row.version))
    feedback, failed = _answer(fresh, collected, records, results, level, period,
                               _built(ahead))
    level.done_answering()
    acknowledge_files(quote(collected), failed, level)
    # one batch: the run's own H07 pass saw all its files (a streamed month is settled)
    loaded_now = set() if streamed else set(loaded)
    rebuilt = find_stale_months(period, level)
    for earlier in rebuilt:
        settle_month(earlier, level, loaded_now)
        build_reports(earlier, level)
    settle_month(period, level, loaded_now)
    outputs = build_reports(period, level, quote(_prepared(preparing)))
    return RunSummary(
        period, unit=level.unit_code, level=level.name,
        rows=summary_rows(collected, records, results, feedback), report=outputs.report,
        export_csv=outputs.export_csv, export_json=outputs.export_json,
        outbox=level.paths.outbox if level.answers else None,
        missing=outputs.missing, statuses=outputs.statuses,
        findings=[f for r in records for f in r.findings],
        data_docs=None if level.docs_dir is None else level.docs_dir / "index.html",
        rebuilt=rebuilt,
        pending=list_pending(level), skipped=collection.skipped)


def _stream(fresh: list[Collected], level: Level, period: str,
            ) -> tuple[list[SubmissionRecord], list[LoadResult], list[PrefectFuture[Ahead]]]:
    """The new files read, checked and loaded a batch at a time (``stream_batch_size``):
    each batch's history holds the batches loaded before it, and what it read — the
    workbooks' rows, its GX frames — is let go once it is loaded (the run keeps each
    file's verdict and findings).

    The batches overlap, so that both cores work: the first is read on every core; each
    next one is read by a single sandbox child while the one before is checked; and a batch
    is checked (in a worker process: services.levels) while the one before it loads here,
    when that cannot change what its history holds (``Level.independent``; otherwise it
    waits for the load). At most three batches are held at once. Each batch's answers
    but the last's are built while the batch after it loads (``build_answers_ahead``)."""
    records: list[SubmissionRecord] = []
    results: list[LoadResult] = []
    ahead: list[PrefectFuture[Ahead]] = []
    batches = _chunks(fresh, level.settings.stream_batch_size)
    if not batches:
        return records, results, ahead
    reading = _read_soon(batches[0], level, _cores(level))
    level.prepare_check(len(batches[0]))  # GX's import and context, while it is read
    outcomes = _outcomes(reading)
    checking: _Checking | None = None
    for index, batch in enumerate(batches):
        if checking is None:  # not started while the batch before was loading
            checking = _start_check(list(zip(batch, outcomes, strict=True)), level, period)
        later = batches[index + 1] if index + 1 < len(batches) else []
        reading = _read_soon(later, level, 1) if later else []
        if not later:  # every batch read: the readers' memory back for the rest of the run
            level.done_reading()
        checked = _checked(checking, level, period)
        following = _outcomes(reading)
        checking = None
        if later and level.independent(outcomes, following):
            checking = _start_check(list(zip(later, following, strict=True)), level, period)
        loaded = load_files(quote(checked), level)
        if later and level.answers:
            ahead.append(build_answers_ahead.submit(quote(
                [(res.submission_id, _content(c, level)) for c, res in zip(batch, loaded,
                                                                           strict=True)
                 if res.submission_id is not None and res.status != FAILED]), level))
        emit_rejected(checked, loaded, level, period)
        records += [replace(r, report=None, register=None, rows=()) for r in checked]
        results += loaded
        outcomes = following
        # the batch's rows are garbage once loaded: their pages back to the system, so that
        # the run's size is one batch's, not its largest batch's (core.memory)
        del checked
        give_back()
    return records, results, ahead


def _prepared(preparing: PrefectFuture[PreparedOutputs | None] | None,
              ) -> PreparedOutputs | None:
    """The outputs built ahead (none if their task failed: they are built when written)."""
    return _built_by(preparing, PreparedOutputs) if preparing is not None else None


def _built(ahead: list[PrefectFuture[Ahead]]) -> Ahead:
    """The answers built ahead, from the tasks that built them (one that failed built
    none: they are built when sent)."""
    built: Ahead = {}
    for future in ahead:
        built.update(_built_by(future, dict) or {})
    return built


def _built_by(future: PrefectFuture[Any], kind: type[T]) -> T | None:
    """What a task that builds ahead gave, if it ended well with a ``kind``; else None."""
    result = future.result(raise_on_failure=False)
    return result if isinstance(result, kind) else None


def _outcomes(reading: list[PrefectFuture[Handed[list[ReadOutcome]]]]) -> list[ReadOutcome]:
    return [o for future in reading for o in future.result().take()]


@task(cache_policy=NO_CACHE)
def settled_records(records: list[SubmissionRecord], results: list[LoadResult],
                    level: Level) -> list[SubmissionRecord]:
    """The run's records with the findings the month's settling gave them."""
    return level.settled(records, [r.submission_id for r in results])


def log_collection(collection: Collection, level: Level) -> None:
    """What each channel handed over, what was passed over, what was already known."""
    log = get_run_logger()
    collected = collection.files
    for channel in level.connectors():
        log.info(runlog.received(sum(1 for c in collected if c.incoming.channel == channel),
                                 _channel_words(channel, level)))
    for skipped in collection.skipped:
        log.warning("passed over %s: %s", runlog.shown(skipped.name), skipped.reason)
    known = sum(1 for c in collected if c.known)
    if known:
        log.info("%s received before, unchanged: answered again if their feedback is "
                 "still due, not read again", runlog.count(known, "file"))


def _channel_words(channel: str, level: Level) -> str:
    settings = level.settings
    if channel == "imap":
        return f"the mailbox ({settings.imap_folder} on {settings.imap_host})"
    return f"the folder inbox ({level.paths.inbox.resolve()})"


def _read(fresh: list[Collected], level: Level) -> list[ReadOutcome]:
    return _outcomes(_read_soon(fresh, level, _cores(level)))


def _read_soon(fresh: list[Collected], level: Level, children: int,
               ) -> list[PrefectFuture[Handed[list[ReadOutcome]]]]:
    """The files read from now on, ``children`` at once; their outcomes, in order, from the
    futures. On a Dask cluster each chunk of ``read_chunk_size`` files is a task of its own
    (the chunks are what its workers share); on this machine the batch is one task."""
    contents = [_content(c, level) for c in fresh]
    settings = level.settings
    if settings.dask_address:
        chunks = _chunks(contents, settings.read_chunk_size)
        return list(read_files.map(chunks, unmapped(level)))
    return [read_files.submit(quote(contents), level, children)]


def _content(c: Collected, level: Level) -> bytes:
    """The file's bytes, as archived (collect_files lets them go once they are)."""
    return Archive(level.settings.archive).held_or_read(c.incoming.content, c.stored.sha256)


def _cores(level: Level) -> int:
    return worker_count(level.settings.cpu_workers)


def _check(files: list[tuple[Collected, ReadOutcome]], level: Level, period: str,
           ) -> list[SubmissionRecord]:
    return _checked(_start_check(files, level, period), level, period)


@dataclass
class _Checking:
    """A batch's check under way: the history it is checked against, the run's start that
    names its Data Docs validations, its validations' futures, and whether they check the
    rules across the batch too (one chunk: no second trip to the checking worker)."""

    history: History
    started: datetime
    validating: list[PrefectFuture[Handed[list[SubmissionRecord]]]]
    across: bool = False  # the rules across the batch were checked with it


def _start_check(files: list[tuple[Collected, ReadOutcome]], level: Level, period: str,
                 ) -> _Checking:
    settings = level.settings
    # quote(): Prefect would otherwise walk every roster row of every file to look for
    # upstream futures, ~10 s per task call at 1,000 files (measured, docs/benchmarks.md)
    history = gather_history(quote([o for _c, o in files]), level)
    started = datetime.now(ZoneInfo(settings.timezone))  # names the run's Data Docs
    parts = _chunks(files, settings.validate_chunk_size)
    whole = len(parts) == 1 and level.across_in_check
    to_check = [ToCheck(part, history, settings.pid_key, started, across=whole)
                for part in parts]
    return _Checking(history, started, list(validate_files.map(
        to_check, unmapped(level), unmapped(period))), whole)


def _checked(checking: _Checking, level: Level, period: str) -> list[SubmissionRecord]:
    """The batch's records once its validations are back, with the rules across the run."""
    records = [r for future in checking.validating for r in future.result().take()]
    if checking.across:
        return records
    return check_across_files(quote(records), quote(checking.history), level, period,
                              checking.started)


def _answer(fresh: list[Collected], collected: list[Collected],
            records: list[SubmissionRecord], results: list[LoadResult], level: Level,
            period: str, ahead: Ahead | None = None) -> tuple[FeedbackOutcome, set[Arrival]]:
    """Each sender's feedback (at a level that answers), and the files that must stay in
    their channel: those not loaded, and those whose feedback did not go."""
    failed = {(r.stored.sha256, r.channel, r.sender)
              for r, res in zip(records, results, strict=True) if res.status == FAILED}
    if not level.answers:
        return FeedbackOutcome(), failed
    answers = [(c, res.submission_id) for c, res in zip(fresh, results, strict=True)
               if res.status != FAILED]
    answers += [(c, c.submission_id) for c in collected if c.submission_id is not None]
    feedback = send_feedback(quote(answers), level, quote(ahead)) if answers \
        else FeedbackOutcome()
    failed |= {c.arrival for c, submission_id in answers if submission_id in feedback.failed}
    report_feedback(answers, feedback, level, period)
    return feedback, failed


def emit_rejected(records: list[SubmissionRecord], results: list[LoadResult], level: Level,
                  period: str) -> None:
    """``cellreports.file.rejected`` for each new file of the run that was rejected."""
    for record, result in zip(records, results, strict=True):
        if not result.new or result.status != "rejected" or result.submission_id is None:
            continue
        unit = record.unit_code or "?"
        month = record.period or period
        errors = [f for f in record.findings if f.is_error]
        events.emit(
            events.FILE_REJECTED,
            events.submission_resource(result.submission_id, unit, month, result.version),
            {"unit": unit, "period": month, "version": result.version,
             "channel": record.channel, "errors": len(errors),
             "warnings": len(record.findings) - len(errors),
             "rules": sorted({f.rule_id for f in errors})},
            related=[events.month_resource(level.unit_code, month, "month"),
                     events.unit_resource(unit)])


def report_feedback(answers: list[tuple[Collected, int]], feedback: FeedbackOutcome,
                    level: Level, period: str) -> None:
    """A line for each feedback sent; ``cellreports.feedback.failed`` for each one that
    could not be (its WARNING is logged where it failed)."""
    log = get_run_logger()
    for c, submission_id in answers:
        if submission_id in feedback.sent:
            log.info("sent the feedback on %s to %s", runlog.shown(c.incoming.filename),
                     runlog.shown_path(feedback.sent[submission_id]))
        elif submission_id in feedback.failed:
            submission = Warehouse.of(level.settings).submission(submission_id)
            unit = (submission.unit_code if submission else None) or "?"
            month = (submission.period if submission else None) or period
            version = submission.version if submission else None
            events.emit(
                events.FEEDBACK_FAILED,
                events.submission_resource(submission_id, unit, month, version),
                {"unit": unit, "period": month, "channel": c.incoming.channel,
                 "error": feedback.failed[submission_id]},
                related=[events.month_resource(level.unit_code, month, "month"),
                         events.unit_resource(unit)])


def report_month(summary: RunSummary, level: Level) -> None:
    """The run's outcome in its log (what was written where, how complete the month is;
    each file's verdict was logged once it was loaded) and the month's events:
    ``cellreports.month.consolidated`` always, ``cellreports.month.incomplete`` once its
    deadline has passed with units still without valid data."""
    log = get_run_logger()
    for earlier in summary.rebuilt:
        log.info("rebuilt the reports of %s: a late or corrected file changed its figures",
                 earlier)
    log.info("wrote the %s to %s", level.report_words, summary.report)
    log.info("wrote the upward data file to %s (and .json)", summary.export_csv)
    for unit, month, version, _file in summary.pending:
        log.warning("a correction waits for %s to be reopened: %s v%s", month, unit, version)
    zone = level.settings.timezone
    due = deadline(summary.period, level.deadline_day(summary.period), zone)
    passed = datetime.now(ZoneInfo(zone)) > due
    statuses = summary.statuses
    accepted = sum(1 for c in statuses if c.accepted)
    rejected = sum(1 for c in statuses if c.received and not c.accepted)
    without = [c.unit.code for c in statuses if not c.accepted]
    # INFO, not WARNING: an incomplete month is the district's news, not the run's trouble
    # (the event and the officer's alert carry it; `cellreports run` keeps its stderr clean)
    log.info(runlog.completeness(summary.period, len(statuses), accepted, rejected, without,
                                 due.date(), passed,
                                 artifacts.WORDS[level.name][1]))
    payload = {"unit": level.unit_code, "period": summary.period,
               "expected": len(statuses), "accepted": accepted, "rejected": rejected,
               "missing": len(statuses) - accepted - rejected,
               "without_accepted_report": without, "deadline": due.date().isoformat(),
               "deadline_passed": passed,
               "files_received": len(summary.rows),
               "files_rejected": sum(1 for r in summary.rows if r.status == "rejected")}
    month = events.month_resource(level.unit_code, summary.period)
    events.emit(events.MONTH_CONSOLIDATED, month, payload)
    if without and passed:
        events.emit(events.MONTH_INCOMPLETE, month, payload)


def summary_rows(collected: list[Collected], records: list[SubmissionRecord],
                 results: list[LoadResult], feedback: FeedbackOutcome) -> list[RunRow]:
    """Every file of the run: the new ones with their verdicts, then those known before
    and the twins of another file."""
    rows = []
    for record, result in zip(records, results, strict=True):
        sent = feedback.sent.get(result.submission_id)
        if result.submission_id in feedback.failed:
            sent = f"not sent ({feedback.failed[result.submission_id]})"
        errors = sum(1 for f in record.findings if f.is_error)
        rows.append(RunRow(unit=record.unit_code or "?", filename=record.filename,
                           period=record.period, status=_status(result), errors=errors,
                           warnings=len(record.findings) - errors, version=result.version,
                           feedback=sent))
    for c in collected:
        if c.known:
            rows.append(replace(c.previous, filename=c.incoming.filename) if c.previous else
                        RunRow(unit="", filename=c.incoming.filename, period=None,
                               status="unchanged"))
        elif c.twin_of is not None:
            rows.append(RunRow(c.incoming.sender, c.incoming.filename, None,
                               f"twin of {c.twin_of}"))
    return rows


def _status(result: LoadResult) -> str:
    return result.status if result.new or result.status == FAILED else "duplicate"


def publish_artifacts(summary: RunSummary, web_url: str | None = None) -> None:
    """What the run leaves in Prefect (rendered by reports.artifacts): its links point at
    the desk's pages when its address is set (``Settings.web_url``), else at the files."""
    key = artifacts.prefix(summary)
    create_table_artifact(key=f"{key}-summary-{summary.period}",
                          table=artifacts.received_table(summary),
                          description=f"Files received in the run for {summary.period}")
    create_table_artifact(
        key=f"{key}-completeness-{summary.period}", table=artifacts.completeness_table(summary),
        description=f"Every expected unit for {summary.period}: accepted, rejected or missing")
    create_table_artifact(
        key=f"{key}-findings-{summary.period}",
        table=artifacts.findings_by_rule(summary.findings),
        description="Findings of this run's files, by rule")
    for link in artifacts.links(summary, web_url):
        create_link_artifact(key=link.key, link=link.link, link_text=link.text,
                             description=link.description)
    create_markdown_artifact(key=f"{key}-outputs-{summary.period}",
                             markdown=artifacts.outputs_markdown(summary, web_url),
                             description="Where this month's outputs are")


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
