"""The monthly consolidation of one district: collect → read → validate → load → report."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote, unmapped
from pydantic import Field

from connectors.base import Connector, IncomingFile, Skipped
from connectors.folder_inbox import FolderInbox
from connectors.imap_mailbox import ImapMailbox
from core.findings import RULE_TITLES, Finding
from core.history import History, certificate_key
from core.month import UnitStatus
from core.periods import InvalidPeriod, due_period, parse_period, period_of
from core.registry import REPORTING_LEVEL, Registry
from core.rulebook import RuleBook
from core.settings import Settings
from core.workdays import WorkCalendar
from flows import events, runlog
from flows.common import (
    acknowledge_loaded,
    exclusive_run,
    load_each,
    prepare_warehouse,
    validate_isolated,
)
from flows.runners import deployed_settings
from forms.dispatch import ReadOutcome
from forms.sandbox import SandboxLimits, read_contained
from services.feedback import feedback_workbook
from services.reporting import (
    DistrictOutputs,
    deadline_day,
    stale_periods,
    write_district_outputs,
)
from validations.context import Context
from validations.frames import BatchItem, may_send
from validations.run import dedupe, listed_elsewhere, validate_batch
from warehouse.archive import Archive, StoredFile
from warehouse.load import (
    FAILED,
    LoadResult,
    SubmissionRecord,
    load_submission,
)
from warehouse.models import Submission
from warehouse.queries import deadline
from warehouse.unit_of_work import Warehouse

T = TypeVar("T")


@dataclass
class RunRow:
    """One received file in the run summary."""

    unit: str
    filename: str
    period: str | None
    status: str  # accepted | rejected | duplicate
    errors: int = 0
    warnings: int = 0
    version: int | None = None
    feedback: Path | str | None = None


@dataclass
class Collected:
    incoming: IncomingFile
    stored: StoredFile
    # this exact file is already in the warehouse (or earlier in this batch)
    known: bool = False
    previous: RunRow | None = None  # what it became the first time
    submission_id: int | None = None  # of a known file


@dataclass
class RunSummary:
    period: str
    rows: list[RunRow] = field(default_factory=list)
    district_report: Path | None = None
    export_csv: Path | None = None
    export_json: Path | None = None
    outbox: Path | None = None
    data_docs: Path | None = None
    missing_units: list[str] = field(default_factory=list)
    cells: tuple[UnitStatus, ...] = ()  # every expected cell this month
    findings: list[Finding] = field(default_factory=list)  # of the files of this run
    # earlier months whose reports were rebuilt: a late or corrected file changed them
    rebuilt: list[str] = field(default_factory=list)
    # corrections waiting for an approved month to be reopened: (unit, month, version, file)
    pending: list[tuple[str, str, int | None, str]] = field(default_factory=list)
    # what the channels passed over (lock files, symbolic links moved aside), with why
    skipped: list[Skipped] = field(default_factory=list)


def make_connectors(settings: Settings) -> dict[str, Connector]:
    """The channels files arrive through: the folder inbox always, the mailbox when set."""
    connectors: dict[str, Connector] = {
        "folder": FolderInbox(settings.inbox, settings.data_dir / "processed", settings.outbox)}
    if settings.imap_host:
        connectors["imap"] = ImapMailbox.from_settings(settings)
    return connectors


# a mail server that is briefly unreachable is tried again; nothing was archived yet
@dataclass
class Collection:
    """What the channels handed over, and what they passed over with the reason."""

    files: list[Collected]
    skipped: list[Skipped]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10)
def collect_files(settings: Settings) -> Collection:
    """Every waiting file, archived by content hash before anything reads it; what a
    channel passed over (a lock file, a symbolic link) is listed, never silently left."""
    archive = Archive(settings.archive)
    connectors = list(make_connectors(settings).values())
    incoming = [item for connector in connectors for item in connector.fetch()]
    skipped = [s for connector in connectors for s in connector.skipped]
    stored = [archive.store(item.content) for item in incoming]
    arrivals = [(s.sha256, i.channel, i.sender) for i, s in zip(incoming, stored, strict=True)]
    known = Warehouse.of(settings).known(arrivals)
    # the same bytes are one submission per sender: another sender's copy is its own file,
    # judged (and answered) for that sender
    seen: set[tuple[str, str, str]] = set()
    collected = []
    for item, s, arrival in zip(incoming, stored, arrivals, strict=True):
        earlier = known.get(arrival) if arrival not in seen else None
        collected.append(Collected(item, s, known=arrival in known or arrival in seen,
                                   previous=_as_row(earlier) if earlier else None,
                                   submission_id=earlier.id if earlier else None))
        seen.add(arrival)
    return Collection(collected, skipped)


def _as_row(sub: Submission) -> RunRow:
    return RunRow(unit=sub.unit_code or "", filename=sub.filename, period=sub.period,
                  status=f"unchanged ({sub.status})", errors=sub.error_count,
                  warnings=sub.warning_count, version=sub.version)


@task(cache_policy=NO_CACHE)
def read_files(contents: list[bytes], settings: Settings) -> list[ReadOutcome]:
    """Read a chunk of files, each in a child process bounded in memory and time; a bad
    file gives a named error, never an exception."""
    return read_contained(contents, sandbox_limits(settings))


def sandbox_limits(settings: Settings, today: date | None = None) -> SandboxLimits:
    """The reading child's bounds: the settings' memory and time, and the roster cap of
    config/rules in force today (F11: a roster above it is refused before validation)."""
    day = today or datetime.now(ZoneInfo(settings.timezone)).date()
    cap = RuleBook.load(settings.rules_file).limits_on(day, REPORTING_LEVEL).max_roster_rows
    return SandboxLimits(settings.read_memory_mib, settings.read_seconds, cap)


@task(cache_policy=NO_CACHE)
def gather_history(outcomes: list[ReadOutcome], settings: Settings) -> History:
    """What earlier months hold for the units and months of this batch (history rules),
    and the course register's certificates, including a register arriving in this batch."""
    wanted = [(o.report.header.unit_code, o.report.header.period) for o in outcomes
              if o.report and o.report.header.unit_code and o.report.header.period]
    history = Warehouse.of(settings).history(wanted)
    arriving = {(certificate_key(r.cert_no), r.cert_date) for o in outcomes if o.register
                for r in o.register.rows if r.cert_no and r.passed}
    if arriving:
        history.certificates = (history.certificates or set()) | arriving
    return history


class ToCheck:
    """A chunk of read files, the history they are checked against and the key people are
    compared under, handed to a mapped task as one opaque object. Not a list or a dataclass
    on purpose: Prefect and prefect-dask walk (and rebuild) those, which costs seconds on a
    month's rosters and turned the files into plain tuples on the way to a Dask worker. The
    key travels with it: a worker elsewhere must not fall back to a key file of its own.
    So does the run's start: every chunk's Data Docs validations are named after one run."""

    def __init__(self, files: list[tuple[Collected, ReadOutcome]], history: History,
                 secret: bytes, started: datetime | None = None):
        self.files = files
        self.history = history
        self.secret = secret
        self.started = started


@task(cache_policy=NO_CACHE)
def validate_files(chunk: ToCheck, registry: Registry, settings: Settings,
                   period: str) -> list[SubmissionRecord]:
    """One GX run over a chunk of files (by default the whole batch: a validation costs
    mostly its fixed overhead); findings mapped back to each file. H07 waits for every
    chunk (check_same_people)."""
    collected = [c for c, _o in chunk.files]
    outcomes = [o for _c, o in chunk.files]
    history = chunk.history
    context = Context(registry=registry, run_period=period,
                      rules=RuleBook.load(settings.rules_file),
                      calendar=WorkCalendar.load(settings.holidays_file), history=history,
                      secret=chunk.secret, unit_code=settings.district_code,
                      timezone=settings.timezone, run_started=chunk.started)
    batch = [BatchItem(o.report, o.error, c.incoming.sender, o.register, c.incoming.channel,
                       received_at=c.incoming.received_at)
             for c, o in zip(collected, outcomes, strict=True)]
    docs = data_docs_dir(settings)
    found = validate_isolated(
        lambda items: validate_batch(items, registry, period, context, docs_dir=docs,
                                     same_person=False),
        batch, UNCHECKABLE)
    records = []
    for i, (c, outcome) in enumerate(zip(collected, outcomes, strict=True)):
        header = outcome.report.header if outcome.report else None
        records.append(SubmissionRecord(
            stored=c.stored, filename=c.incoming.filename, channel=c.incoming.channel,
            sender=c.incoming.sender, received_at=c.incoming.received_at, kind=outcome.kind,
            unit_code=header.unit_code if header else _register_unit(outcome, c, registry),
            period=header.period if header else None, report=outcome.report,
            register=outcome.register, findings=found[i]))
    return records


@task(cache_policy=NO_CACHE)
def check_same_people(records: list[SubmissionRecord], history: History, registry: Registry,
                      settings: Settings, period: str, started: datetime | None = None,
                      ) -> list[SubmissionRecord]:
    """H07 once over the whole run, after every chunk is validated: whether a roster counts
    as another cell's depends on the run's other findings (only accepted rosters do)."""
    context = Context(registry=registry, run_period=period, history=history,
                      secret=settings.pid_key, unit_code=settings.district_code,
                      timezone=settings.timezone, run_started=started)
    items = [BatchItem(r.report, sender=r.sender, register=r.register, channel=r.channel)
             for r in records]
    more = listed_elsewhere(items, [r.findings for r in records], context,
                            data_docs_dir(settings))
    return [replace(r, findings=dedupe([*r.findings, *extra])) if extra else r
            for r, extra in zip(records, more, strict=True)]


UNCHECKABLE = ("Hệ thống không kiểm tra được tệp này (nội dung bất thường). Ban Tổ chức "
               "Huyện ủy sẽ xem xét; đề nghị chi bộ kiểm tra lại tệp theo đúng biểu mẫu.")


def _register_unit(outcome: ReadOutcome, c: Collected, registry: Registry) -> str | None:
    """The course register belongs to the Political Center, known by its sender (its own
    sub-folder of the folder inbox when the registry lists no ``senders`` for it)."""
    if not outcome.register:
        return None
    unit = next((u for u in registry.units.values()
                 if may_send(u, c.incoming.channel, c.incoming.sender)), None)
    return unit.code if unit else None


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_files(records: list[SubmissionRecord], settings: Settings) -> list[LoadResult]:
    """Each file in its own transaction (flows.common.load_each)."""
    return load_each(records, settings,
                     lambda session, record: load_submission(session, record, settings.pid_key))


@task(cache_policy=NO_CACHE)
def acknowledge_files(collected: list[Collected], failed: set[tuple[str, str, str]],
                      settings: Settings) -> None:
    """Move handled files out of the inbox — only once they are archived and loaded."""
    acknowledge_loaded(make_connectors(settings).values(), collected, failed)


@dataclass
class FeedbackOutcome:
    """Where each submission's feedback went; and, for those it could not reach, why (the
    error's class: its text may quote an address)."""

    sent: dict[int, Path | str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


@task(cache_policy=NO_CACHE)
def send_feedback(answers: list[tuple[Collected, int]], registry: Registry,
                  settings: Settings) -> FeedbackOutcome:
    """Each submission's findings back to its sender, once: from the warehouse, so that a
    run killed after loading still answers every file on the next run. A delivery that
    fails (the mail server refuses, the outbox cannot be written) is logged and reported,
    and the others go on; its file stays in its channel, so the next run answers it."""
    connectors = make_connectors(settings)
    outcome = FeedbackOutcome()
    warehouse = Warehouse.of(settings)
    for c, submission_id in answers:
        answer = warehouse.answer(submission_id)
        if answer is None or answer.sent:
            continue
        content, name = feedback_workbook(answer, c.incoming.content, registry,
                                          ZoneInfo(settings.timezone))
        try:
            where = connectors[c.incoming.channel].send_feedback(
                c.incoming, name, content, key=answer.sha256[:8])
        except Exception as exc:
            outcome.failed[submission_id] = type(exc).__name__
            get_run_logger().warning(
                "could not send the feedback on %s (%s): %s; the file stays in the %s and "
                "the next run sends it", runlog.shown(c.incoming.filename),
                answer.unit_code or "?",
                runlog.shown(f"{type(exc).__name__}: {exc}"),
                "mailbox" if c.incoming.channel == "imap" else "inbox")
            continue
        outcome.sent[submission_id] = where
        warehouse.mark_answered(submission_id, str(where))
    return outcome


@task(cache_policy=NO_CACHE)
def build_reports(period: str, registry: Registry, settings: Settings) -> DistrictOutputs:
    """The district workbook and the upward data file, rebuilt from the warehouse."""
    return write_district_outputs(settings, registry, period)


@task(cache_policy=NO_CACHE)
def find_stale_months(period: str, registry: Registry, settings: Settings) -> list[str]:
    """Earlier months whose figures changed since their reports were built."""
    return [p for p in stale_periods(settings, registry, period) if p != period]


@task(cache_policy=NO_CACHE)
def list_pending(settings: Settings) -> list[tuple[str, str, int | None, str]]:
    return [(s.unit_code or "", s.period or "", s.version, s.filename)
            for s in Warehouse.of(settings).pending(settings.district_code)]


def data_docs_dir(settings: Settings) -> Path:
    """The GX Data Docs site: every validation of every run, rule by rule."""
    return (settings.data_dir / "datadocs").resolve()


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


FLOW_NAME = "monthly-consolidation"
# What the deployment's "Custom run" form offers, and all it offers: the month
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Field(pattern=PERIOD_PATTERN)]


def monthly_run_name() -> str:
    """The run's name: ``monthly-BL-2024-03``, the unit and the month, also for a run without
    a period (the month due, worked out as the run will). Prefect names the run with it when
    the run starts: in the list, a scheduled run keeps Prefect's random name until then."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    try:
        settings = parameters.get("settings") or Settings()
        return (f"monthly-{settings.district_code}-"
                f"{_period_label(parameters.get('period'), settings)}")
    except Exception:  # settings or rules the run cannot read: the run itself says why
        return "monthly-unreadable-settings"


def _period_label(period: str | None, settings: Settings) -> str:
    if not period:
        return scheduled_period(settings)
    try:
        return parse_period(period)
    except InvalidPeriod:
        return "not-a-month"  # the run fails saying so; its name does not repeat the text


@flow(name=FLOW_NAME, flow_run_name=monthly_run_name, log_prints=False)
def monthly_consolidation(period: str | None = None,
                          settings: Settings | None = None) -> RunSummary:
    """Consolidate one month: collect → read → validate → load → report. Without a period
    (a scheduled run), the month whose deadline has passed (core.periods.due_period).
    In-process (``cellreports run``, the tests): Prefect records ``settings`` only as a
    sentence (core.settings.SETTINGS_NOT_SENT)."""
    return consolidate_month(period, settings or Settings())


@flow(name=FLOW_NAME, flow_run_name=monthly_run_name, log_prints=False)
def deployed_monthly_consolidation(period: Month = None) -> RunSummary:
    """The month's consolidation as its deployment runs it (``cellreports serve``, a worker
    of a work pool): the month is the operator's one choice, the settings are those of the
    process that runs it (its environment, flows.runners.deployed_settings).

    Args:
        period: The month to consolidate, YYYY-MM. Empty: the month whose deadline has
            passed, as a scheduled run does.
    """
    return consolidate_month(period, deployed_settings())


def consolidate_month(period: str | None, settings: Settings) -> RunSummary:
    log = get_run_logger()
    if period:
        period = parse_period(period)
        log.info("consolidating %s (the month asked for)", period)
    else:
        period = scheduled_period(settings)
        log.info("consolidating %s (the month due: no month was given)", period)
    registry = Registry.load(settings.registry_dir)
    prepare_warehouse(settings, registry)
    with exclusive_run(settings, f"monthly-{settings.district_code}"):
        summary = _consolidate(period, registry, settings)
    publish_artifacts(summary)
    report_month(summary, settings)
    return summary


def scheduled_period(settings: Settings, today: date | None = None) -> str:
    zone = ZoneInfo(settings.timezone)
    today = today or datetime.now(zone).date()
    return due_period(today, deadline_day(settings, period_of(today)))


def _channel_words(channel: str, settings: Settings) -> str:
    if channel == "imap":
        return f"the mailbox ({settings.imap_folder} on {settings.imap_host})"
    return f"the folder inbox ({settings.inbox.resolve()})"


def _consolidate(period: str, registry: Registry, settings: Settings) -> RunSummary:
    log = get_run_logger()
    collection = collect_files(settings)
    collected = collection.files
    for channel in make_connectors(settings):
        log.info(runlog.received(sum(1 for c in collected if c.incoming.channel == channel),
                                 _channel_words(channel, settings)))
    for skipped in collection.skipped:
        log.warning("passed over %s: %s", runlog.shown(skipped.name), skipped.reason)
    fresh = [c for c in collected if not c.known]
    if len(fresh) < len(collected):
        log.info("%s received before, unchanged: answered again if their feedback is "
                 "still due, not read again", runlog.count(len(collected) - len(fresh), "file"))
    chunks = _chunks([c.incoming.content for c in fresh], settings.read_chunk_size)
    outcomes = [o for future in read_files.map(chunks, unmapped(settings))
                for o in future.result()]
    # quote(): Prefect would otherwise walk every roster row of every file to look for
    # upstream futures, ~10 s per task call at 1,000 files (measured, docs/benchmarks.md)
    history = gather_history(quote(outcomes), settings) if fresh else History()
    started = datetime.now(ZoneInfo(settings.timezone))  # names the run's Data Docs
    chunks_to_check = [ToCheck(part, history, settings.pid_key, started) for part in _chunks(
        list(zip(fresh, outcomes, strict=True)), settings.validate_chunk_size)]
    records = [r for future in validate_files.map(chunks_to_check, unmapped(registry),
                                                  unmapped(settings), unmapped(period))
               for r in future.result()]
    if records:
        records = check_same_people(quote(records), quote(history), registry, settings,
                                    period, started)
    results = load_files(quote(records), settings) if records else []
    for row in _summary_rows(collected, records, results, FeedbackOutcome(), registry):
        log.info(runlog.verdict(row.unit, row.filename, row.status, row.errors, row.warnings,
                                row.version))
    emit_rejected(records, results, settings, period)
    answers = [(c, res.submission_id) for c, res in zip(fresh, results, strict=True)
               if res.status != FAILED]
    answers += [(c, c.submission_id) for c in collected if c.submission_id is not None]
    feedback = (send_feedback(quote(answers), registry, settings) if answers
                else FeedbackOutcome())
    failed = {(r.stored.sha256, r.channel, r.sender) for r, res in zip(records, results,
                                                                     strict=True)
              if res.status == FAILED}
    # a file whose feedback did not go stays in its channel: the next run answers it
    failed |= {(c.stored.sha256, c.incoming.channel, c.incoming.sender)
               for c, submission_id in answers if submission_id in feedback.failed}
    report_feedback(answers, feedback, settings, period)
    acknowledge_files(quote(collected), failed, settings)
    rebuilt = find_stale_months(period, registry, settings)
    for earlier in rebuilt:
        build_reports(earlier, registry, settings)
    outputs = build_reports(period, registry, settings)
    summary = RunSummary(period, district_report=outputs.report, export_csv=outputs.export_csv,
                         export_json=outputs.export_json, outbox=settings.outbox,
                         missing_units=outputs.missing_units, cells=outputs.cells,
                         findings=[f for r in records for f in r.findings],
                         data_docs=data_docs_dir(settings) / "index.html", rebuilt=rebuilt,
                         pending=list_pending(settings), skipped=collection.skipped)
    summary.rows = _summary_rows(collected, records, results, feedback, registry)
    return summary


def emit_rejected(records: list[SubmissionRecord], results: list[LoadResult],
                  settings: Settings, period: str) -> None:
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
            related=[events.month_resource(settings.district_code, month, "month"),
                     events.unit_resource(unit)])


def report_feedback(answers: list[tuple[Collected, int]], feedback: FeedbackOutcome,
                    settings: Settings, period: str) -> None:
    """A line for each feedback sent; ``cellreports.feedback.failed`` for each one that
    could not be (its WARNING is logged where it failed)."""
    log = get_run_logger()
    for c, submission_id in answers:
        if submission_id in feedback.sent:
            log.info("sent the feedback on %s to %s", runlog.shown(c.incoming.filename),
                     runlog.shown_path(feedback.sent[submission_id]))
        elif submission_id in feedback.failed:
            submission = Warehouse.of(settings).submission(submission_id)
            unit = (submission.unit_code if submission else None) or "?"
            month = (submission.period if submission else None) or period
            version = submission.version if submission else None
            events.emit(
                events.FEEDBACK_FAILED,
                events.submission_resource(submission_id, unit, month, version),
                {"unit": unit, "period": month, "channel": c.incoming.channel,
                 "error": feedback.failed[submission_id]},
                related=[events.month_resource(settings.district_code, month, "month"),
                         events.unit_resource(unit)])


def report_month(summary: RunSummary, settings: Settings) -> None:
    """The run's outcome in its log (what was written where, how complete the month is;
    each file's verdict was logged once it was loaded) and the month's events:
    ``cellreports.month.consolidated`` always, ``cellreports.month.incomplete`` once its
    deadline has passed with cells still without an accepted report."""
    log = get_run_logger()
    for earlier in summary.rebuilt:
        log.info("rebuilt the reports of %s: a late or corrected file changed its figures",
                 earlier)
    log.info("wrote the district report to %s", summary.district_report)
    log.info("wrote the upward data file to %s (and .json)", summary.export_csv)
    for unit, month, version, _file in summary.pending:
        log.warning("a correction waits for %s to be reopened: %s v%s", month, unit, version)
    zone = settings.timezone
    due = deadline(summary.period, deadline_day(settings, summary.period), zone)
    passed = datetime.now(ZoneInfo(zone)) > due
    accepted = sum(1 for c in summary.cells if c.accepted)
    rejected = sum(1 for c in summary.cells if c.received and not c.accepted)
    without = [c.unit.code for c in summary.cells if not c.accepted]
    line = runlog.completeness(summary.period, len(summary.cells), accepted, rejected,
                               without, due.date(), passed)
    # INFO, not WARNING: an incomplete month is the district's news, not the run's trouble
    # (the event and the officer's alert carry it; `cellreports run` keeps its stderr clean)
    log.info(line)
    payload = {"unit": settings.district_code, "period": summary.period,
               "expected": len(summary.cells), "accepted": accepted, "rejected": rejected,
               "missing": len(summary.cells) - accepted - rejected,
               "without_accepted_report": without, "deadline": due.date().isoformat(),
               "deadline_passed": passed,
               "files_received": len(summary.rows),
               "files_rejected": sum(1 for r in summary.rows if r.status == "rejected")}
    month = events.month_resource(settings.district_code, summary.period)
    events.emit(events.MONTH_CONSOLIDATED, month, payload)
    if without and passed:
        events.emit(events.MONTH_INCOMPLETE, month, payload)


def _summary_rows(collected: list[Collected], records: list[SubmissionRecord],
                  results: list[LoadResult], feedback: FeedbackOutcome,
                  registry: Registry) -> list[RunRow]:
    rows = []
    for record, result in zip(records, results, strict=True):
        sent = feedback.sent.get(result.submission_id)
        if result.submission_id in feedback.failed:
            sent = f"not sent ({feedback.failed[result.submission_id]})"
        errors = sum(1 for f in record.findings if f.is_error)
        unit = registry.get(record.unit_code)
        rows.append(RunRow(unit=unit.code if unit else (record.unit_code or "?"),
                           filename=record.filename, period=record.period,
                           status=_status(result),
                           errors=errors, warnings=len(record.findings) - errors,
                           version=result.version, feedback=sent))
    for c in collected:
        if c.known:
            rows.append(replace(c.previous, filename=c.incoming.filename) if c.previous else
                        RunRow(unit="", filename=c.incoming.filename, period=None,
                               status="unchanged"))
    return rows


def _status(result: LoadResult) -> str:
    return result.status if result.new or result.status == FAILED else "duplicate"


def publish_artifacts(summary: RunSummary) -> None:
    """What the run leaves in Prefect: the received files, the completeness of the month,
    the findings by rule, and links to the reports and the Data Docs."""
    create_table_artifact(
        key=f"month-summary-{summary.period}",
        table=[{"unit": r.unit, "file": r.filename, "period": r.period or "", "status": r.status,
                "version": r.version or "", "errors": r.errors, "warnings": r.warnings}
               for r in summary.rows]
        + [{"unit": "", "file": s.name, "period": "", "status": f"not read: {s.reason}",
            "version": "", "errors": "", "warnings": ""} for s in summary.skipped],
        description=f"Submissions received in the run for {summary.period}")
    create_table_artifact(
        key=f"month-completeness-{summary.period}",
        table=[{"unit": c.unit.code, "name": c.unit.name,
                "state": "accepted" if c.accepted else "rejected" if c.received else "missing",
                "on time": "yes" if c.on_time else "no", "version": c.version or "",
                "errors": c.errors, "warnings": c.warnings} for c in summary.cells],
        description=f"Every expected cell for {summary.period}: accepted, rejected or missing")
    create_table_artifact(
        key=f"month-findings-{summary.period}", table=findings_by_rule(summary.findings),
        description="Findings of this run's files, by rule")
    for key, path, what in (("district-report", summary.district_report, "District report"),
                            ("upward-data", summary.export_csv, "Upward data file (CSV)"),
                            ("data-docs", summary.data_docs, "Validation results (Data Docs)")):
        if path is not None:
            create_link_artifact(key=f"{key}-{summary.period}", link=Path(path).resolve()
                                 .as_uri(), link_text=path.name, description=what)
    create_markdown_artifact(
        key=f"month-outputs-{summary.period}",
        markdown=(f"# {summary.period}\n\n- District report: `{summary.district_report}`\n"
                  f"- Upward data file: `{summary.export_csv}`\n"
                  f"- Feedback outbox: `{summary.outbox}`\n"
                  f"- Validation results (GX Data Docs): `{summary.data_docs}`\n"
                  f"- Cells without an accepted report: {', '.join(summary.missing_units) or '—'}\n"
                  f"- Earlier months rebuilt (late or corrected files): "
                  f"{', '.join(summary.rebuilt) or '—'}\n"
                  f"- Corrections waiting for an approved month to be reopened: "
                  f"{', '.join(f'{u} {p} v{v}' for u, p, v, _f in summary.pending) or '—'}"),
        description="Where this month's outputs are")


def findings_by_rule(findings: list[Finding]) -> list[dict[str, object]]:
    counts: dict[str, list[int]] = {}
    for f in findings:
        counts.setdefault(f.rule_id, [0, 0])[0 if f.is_error else 1] += 1
    return [{"rule": rule, "title": RULE_TITLES.get(rule, ""), "errors": errors,
             "warnings": warnings} for rule, (errors, warnings) in sorted(counts.items())]
