"""The levels of the walk, each described once: what its units send, how a file is read,
checked, attributed and loaded, what the level writes, where its files live.

Cells → district (or commune) and districts (communes) → province run the same walk
(flows/walk.py); what truly differs is here and only here: the district reads cell
workbooks in a sandbox and checks them with the cells' suites (H07 across the run, feedback
to every sender), the province reads upward data files and checks them with the data
file's suite. A new level is a subclass of :class:`Level` (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from logging import Logger, LoggerAdapter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

import validations
from connectors.base import Connector, IncomingFile
from connectors.folder_inbox import FolderInbox
from connectors.imap_mailbox import ImapMailbox
from core import messages_vi
from core.findings import Finding
from core.history import History, certificate_key, person_key
from core.kinds import CELL_REPORT, DISTRICT_DATA, UNKNOWN
from core.periods import InvalidPeriod, parse_period
from core.registry import REPORTING_LEVEL, Registry, Unit
from core.rulebook import RuleBook
from core.settings import DISTRICT, PROVINCE, LevelPaths, Settings
from core.workdays import WorkCalendar
from forms.dispatch import ReadOutcome, read_data_file
from forms.sandbox import SandboxLimits, read_spread
from services import reporting
from services.feedback import ANSWERS, BuiltAhead, build_ahead
from services.workers import (
    MIN_ITEMS,
    end_lasting,
    lasting_started,
    lasting_worker,
    result_or_here,
    worker_count,
)
from validations.context import Context
from warehouse import settle as settle_rows
from warehouse.archive import Archive, StoredFile
from warehouse.load import LoadResult, SubmissionRecord, load_submission, roster_layout
from warehouse.load_province import load_district_file
from warehouse.unit_of_work import Warehouse

if TYPE_CHECKING:
    from validations.frames import BatchItem

# GX and pandas (validations.run, .frames, .export_*) are imported by the methods that
# check files, not here: a run with nothing new, the CLI and the desk never pay the ~4 s.
Item = TypeVar("Item")
R = TypeVar("R")
SAME_PERSON = "H07"  # the rule a file's findings can change by after it was answered
# the code that decides H07: a new version of it settles every open month again
SAME_PERSON_CODE = (*(Path(validations.__file__).with_name(name) for name in (
    "same_person.py", "run.py", "frames.py", "messages.py", "suites.py")),
    Path(settle_rows.__file__))
AnyLogger = Logger | LoggerAdapter[Any]


class Level:
    """One level of the walk. The walk calls these in order: ``connectors`` (collect),
    ``read``, ``history``, ``check``, ``record``, ``check_across`` (after every chunk),
    ``load``, ``write_outputs`` and ``stale_months``. Plain data in, plain data out: the
    flow wraps each in a task."""

    name: ClassVar[str]  # the level's word in settings' paths, artifacts and logs
    run_word: ClassVar[str]  # its runs' word: the run lock is "<run_word>-<unit>"
    kind: ClassVar[str]  # what the units below send (core.kinds)
    report_words: ClassVar[str]  # what its workbook is called in the run's log
    unchecked: ClassVar[str]  # F01's text for a file that breaks even its own validation
    answers: ClassVar[bool]  # each sender gets its feedback
    rebuilds: ClassVar[bool]  # earlier months are rebuilt when a late file changed them
    # check(across=True) does what check_across would (the walk then skips it)
    across_in_check: ClassVar[bool] = False

    def __init__(self, settings: Settings, registry: Registry, unit_code: str, *,
                 data_docs: bool = True):
        self.settings = settings
        self.registry = registry
        self.unit_code = unit_code
        # each validation also in the GX Data Docs site (~2 s a build): the runs' yes, the
        # web page's one-file checks no (a cell waits for the verdict)
        self.data_docs = data_docs

    @property
    def docs_dir(self) -> Path | None:
        # the settings can turn the site off for every run (Settings.data_docs)
        return self.paths.data_docs if self.data_docs and self.settings.data_docs else None

    @property
    def paths(self) -> LevelPaths:
        return self.settings.paths(self.name)

    def connectors(self) -> dict[str, Connector]:
        """The channels files arrive through: the level's folder inbox."""
        paths = self.paths
        return {"folder": FolderInbox(paths.inbox, paths.processed, paths.outbox)}

    def twins(self, incoming: Sequence[IncomingFile]) -> dict[int, str]:
        """Files of the batch that only repeat another one (by index: the other's name)."""
        return {}

    def read(self, contents: list[bytes], children: int = 1) -> list[ReadOutcome]:
        """Each file's outcome, in order (``children``: how many may be read at once)."""
        raise NotImplementedError

    def prepare_check(self, files: int) -> None:
        """What :meth:`check` of ``files`` files needs before its first file, made now
        (while they are read)."""

    def done_reading(self) -> None:
        """The run has read its last file: what reading keeps for the next may go."""

    def done_checking(self) -> None:
        """The month is checked and settled: what checking grew on the way may go (the
        outputs and the answers come next)."""

    def done_answering(self) -> None:
        """The month's files are answered: what building the answers keeps may go."""

    def independent(self, earlier: list[ReadOutcome], later: list[ReadOutcome]) -> bool:
        """Whether ``later``'s history is the same before ``earlier`` is loaded as after
        (then ``later`` may be checked while ``earlier`` loads). Unknown: not."""
        return False

    def history(self, outcomes: list[ReadOutcome]) -> History:
        """What earlier months hold for this batch (the history rules' evidence)."""
        return History()

    def check(self, files: list[tuple[IncomingFile, ReadOutcome]], period: str,
              history: History, started: datetime | None, log: AnyLogger,
              secret: bytes | None = None, *, across: bool = False) -> list[list[Finding]]:
        """The findings of each file, in order (one validation run for the batch; the
        validations named after ``started`` in Data Docs; people compared under
        ``secret``, the settings' key unless told). With ``across`` (the batch is the whole
        run's chunk), the rules across the run too, where the level can
        (``across_in_check``): ``check_across`` is then not needed."""
        raise NotImplementedError

    def attribute(self, incoming: IncomingFile, outcome: ReadOutcome,
                  period: str) -> tuple[str | None, str | None]:
        """The unit and month a file is for."""
        raise NotImplementedError

    def month_of(self, outcome: ReadOutcome) -> str | None:
        """The month a read file says it is for (None: it does not say, or not validly)."""
        return None

    def record(self, stored: StoredFile, incoming: IncomingFile, outcome: ReadOutcome,
               findings: list[Finding], period: str) -> SubmissionRecord:
        """Everything known about one file once it is read and checked."""
        unit, month = self.attribute(incoming, outcome, period)
        return SubmissionRecord(
            stored=stored, filename=incoming.filename, channel=incoming.channel,
            sender=incoming.sender, received_at=incoming.received_at, kind=outcome.kind,
            unit_code=unit, period=month, report=outcome.report, register=outcome.register,
            rows=outcome.export.rows if outcome.export else (), findings=findings)

    def check_across(self, records: list[SubmissionRecord], period: str, history: History,
                     started: datetime | None) -> list[SubmissionRecord]:
        """The rules that need every file of the run at once (after every chunk)."""
        return records

    def load(self, session: Session, record: SubmissionRecord) -> LoadResult:
        raise NotImplementedError

    def build_ahead(self, loaded: Sequence[tuple[int, bytes]]) -> dict[int, BuiltAhead]:
        """The answers of these loaded submissions (id, the received file) built before the
        month is settled, where building them beside the run pays (none at a level that
        does not answer)."""
        return {}

    def settle(self, period: str, loaded_now: set[int], also: Sequence[int] = ()) -> int:
        """Settle the month's findings that depend on the other units' files once they
        are all in (how many files changed); ``loaded_now``: the run's own submissions,
        when one pass checked them together; ``also``: the run's submissions to settle
        beside the files in force (those a later batch of the run superseded)."""
        return 0

    def settled(self, records: list[SubmissionRecord], ids: list[int | None],
                ) -> list[SubmissionRecord]:
        """The run's records (their submissions' ``ids``) with their findings as the
        month's settling left them."""
        return records

    def write_outputs(self, period: str, *, pdf: bool = False,
                      prepared: reporting.PreparedOutputs | None = None) -> reporting.Outputs:
        """The month's outputs written and recorded (those ``prepared`` beforehand recorded
        as they are where the month has not changed since)."""
        raise NotImplementedError

    def prepare_outputs(self, period: str) -> reporting.PreparedOutputs | None:
        """The month's outputs built ahead, not recorded (None: nothing to build, or a level
        that builds them when it writes them)."""
        return None

    def stale_months(self, up_to: str) -> list[str]:
        """Earlier months whose reports were built from other files than those in force."""
        return [p for p in reporting.stale_periods(
            self.settings, self.registry, up_to, unit_code=self.unit_code, kind=self.kind)
            if p != up_to]

    def deadline_day(self, period: str) -> int:
        """The deadline of the units below, in force for the month."""
        return reporting.deadline_day(self.settings, period, self.below_level(period))

    def below_level(self, period: str) -> str:
        return REPORTING_LEVEL

    def pending(self) -> list[tuple[str, str, int | None, str]]:
        """Corrections waiting for an approved month to be reopened."""
        return []


class DistrictLevel(Level):
    """Cells → their district (or commune): workbooks, read in a bounded child process."""

    name = DISTRICT
    run_word = "monthly"
    kind = CELL_REPORT
    report_words = "district report"
    unchecked = messages_vi.UNCHECKABLE_WORKBOOK
    answers = True
    rebuilds = True
    across_in_check = True

    @classmethod
    def of(cls, settings: Settings, registry: Registry | None = None, *,
           data_docs: bool = True) -> DistrictLevel:
        return cls(settings, registry or Registry.load(settings.registry_dir),
                   settings.district_code, data_docs=data_docs)

    def connectors(self) -> dict[str, Connector]:
        """The folder inbox always, the mailbox when it is set."""
        connectors = super().connectors()
        if self.settings.imap_host:
            connectors["imap"] = ImapMailbox.from_settings(self.settings)
        return connectors

    def read(self, contents: list[bytes], children: int = 1) -> list[ReadOutcome]:
        """Each file in a child process bounded in memory and time (forms.sandbox),
        ``children`` of them at once. Many files are read from a worker process of their
        own (services.workers): a thread of this process waits for each file's answer on
        this process's interpreter lock, and behind a validation its child sat idle half the
        time (measured: docs/benchmarks.md)."""
        limits, chunk = sandbox_limits(self.settings), self.settings.read_chunk_size
        if not self._beside(len(contents), "read"):
            return read_spread(contents, limits, children, chunk)
        # kept between calls: its sandbox children stay started for the next batch
        reading = lasting_worker("read").submit(read_spread, contents, limits, children, chunk)
        return result_or_here(reading, read_spread, contents, limits, children, chunk)

    def done_reading(self) -> None:
        """The reading worker and its sandbox children end (~230 MiB of a month's run,
        idle from its last batch read to the run's end, measured: docs/benchmarks.md); a
        later run in this process starts them again (a correction's run after a month's
        in the same process: ~0.5 s longer)."""
        end_lasting("read")

    def done_answering(self) -> None:
        """The answer workers end (~110–190 MiB idle beside a correction's run and its
        reports, the stretch where a 10,000-file month's tree peaked, measured:
        docs/benchmarks.md); the next run that answers many files starts them again
        (~0.3 s), one that answers a few builds them here."""
        end_lasting(ANSWERS)

    def done_checking(self) -> None:
        """The checking worker, if the run started one, replaced by a fresh one that warms
        up while the outputs are built and the files answered. After a month's batches it
        idled at about twice its warm size (~500 against ~260 MiB) beside the reports'
        worker, the stretch where a 10,000-file run's tree peaked; what it kept was its
        allocator's, not data (its live objects were back at their warm size, measured:
        docs/benchmarks.md). Fresh and warm, it still checks a correction after the
        month's run in this process at once."""
        if end_lasting("check"):
            lasting_worker("check").submit(_warm_up, self.docs_dir)

    def prepare_check(self, files: int) -> None:
        """GX imported and its context made (seconds, once per process) where the batch
        will be checked: in the worker that checks a large batch (started now, not waited
        for), else here, in a thread. Not both: the rules across the run are checked where
        the batch is, and GX made here too took a core from the first batch's reading."""
        if self._beside(files, "check"):
            lasting_worker("check").submit(_warm_up, self.docs_dir)
            return
        # here in a thread: this process waits for the files meanwhile, and the first
        # validation waits for it (its lock, or the import's)
        threading.Thread(target=_warm_up, args=(self.docs_dir,), name="gx-warm-up",
                         daemon=True).start()

    def _beside(self, files: int, worker: str | None = None) -> bool:
        """Whether ``files`` files are read or checked in a worker process beside this one:
        enough of them to pay for its start (services.workers.MIN_ITEMS) or the lasting
        ``worker`` already started (warm: a corrected file after a month's run in the same
        process), and a second core (``cpu_workers`` 1 keeps every step in the run's own
        process)."""
        if worker_count(self.settings.cpu_workers) <= 1:
            return False
        return files >= MIN_ITEMS or (worker is not None and lasting_started(worker))

    def history(self, outcomes: list[ReadOutcome]) -> History:
        """Earlier months of the batch's units, and the course register's certificates,
        including a register arriving in this batch."""
        wanted = [(o.report.header.unit_code, o.report.header.period) for o in outcomes
                  if o.report and o.report.header.unit_code and o.report.header.period]
        history = Warehouse.of(self.settings).history(wanted, self._people(outcomes))
        arriving = {(certificate_key(r.cert_no), r.cert_date) for o in outcomes if o.register
                    for r in o.register.rows if r.cert_no and r.passed}
        if arriving:
            history.certificates = (history.certificates or set()) | arriving
        return history

    def independent(self, earlier: list[ReadOutcome], later: list[ReadOutcome]) -> bool:
        """No course register in ``earlier`` (C01's certificates), and no unit (the history
        rules' earlier reports) and no person (H07's other cells) in both: what ``history``
        asks the warehouse about ``later`` is then untouched by loading ``earlier``."""
        if any(o.register for o in earlier):
            return False
        if self._units(earlier) & self._units(later):
            return False
        return not self._people(earlier) & self._people(later)

    @staticmethod
    def _units(outcomes: list[ReadOutcome]) -> set[str]:
        return {o.report.header.unit_code for o in outcomes
                if o.report and o.report.header.unit_code}

    def _people(self, outcomes: list[ReadOutcome]) -> set[str]:
        """Who the files list by identification number (H07 asks the warehouse about
        them, and no one else)."""
        secret = self.settings.pid_key
        people = {person_key(r.pid, r.full_name, r.birth_date, secret) for o in outcomes
                  if o.report for r in o.report.roster if r.pid}
        return {p for p in people if p}

    def context(self, history: History, started: datetime | None, period: str,
                secret: bytes | None = None) -> Context:
        settings = self.settings
        return Context(registry=self.registry, run_period=period,
                       rules=RuleBook.load(settings.rules_file),
                       calendar=WorkCalendar.load(settings.holidays_file), history=history,
                       secret=secret if secret is not None else settings.pid_key,
                       unit_code=self.unit_code, timezone=settings.timezone,
                       run_started=started)

    def check(self, files: list[tuple[IncomingFile, ReadOutcome]], period: str,
              history: History, started: datetime | None, log: AnyLogger,
              secret: bytes | None = None, *, across: bool = False) -> list[list[Finding]]:
        """Every rule but H07, which is checked across the run once every chunk is done —
        or, with ``across``, over this batch in the same call (what ``check_across`` adds,
        without sending the batch to the checking worker again)."""
        from validations.frames import BatchItem

        context = self.context(history, started, period, secret)
        batch = [BatchItem(o.report, o.error, i.sender, o.register, i.channel,
                           received_at=i.received_at) for i, o in files]
        found, said = self._where_checked(len(batch), check_batch, batch, self.registry, period,
                                          context, self.docs_dir, self.unchecked, across)
        for level, message in said:
            log.log(level, "%s", message)
        return found

    def _where_checked(self, files: int, function: Callable[..., R], *args: Any) -> R:
        """``function(*args)`` — GX's work on ``files`` files — in the checking worker
        process when it pays (``_beside``: then this process never imports GX, and loads the
        batch before while it runs, flows.walk), else here. A worker that dies leaves the
        work to this process."""
        if not self._beside(files, "check"):
            return function(*args)
        return result_or_here(lasting_worker("check").submit(function, *args), function, *args)

    def attribute(self, incoming: IncomingFile, outcome: ReadOutcome,
                  period: str) -> tuple[str | None, str | None]:
        """The workbook's own unit and month; the course register belongs to the Political
        Center, known by its sender (its own sub-folder when the registry lists none)."""
        if outcome.report:
            return outcome.report.header.unit_code, outcome.report.header.period
        if not outcome.register:
            return None, None
        from validations.frames import may_send

        unit = next((u for u in self.registry.units.values()
                     if may_send(u, incoming.channel, incoming.sender)), None)
        return (unit.code if unit else None), None

    def month_of(self, outcome: ReadOutcome) -> str | None:
        period = outcome.report.header.period if outcome.report else None
        try:
            return parse_period(period) if period else None
        except InvalidPeriod:
            return None

    def check_across(self, records: list[SubmissionRecord], period: str, history: History,
                     started: datetime | None) -> list[SubmissionRecord]:
        """H07 once over the whole run: whether a roster counts as another cell's depends
        on the run's other findings (only accepted rosters do)."""
        from validations.frames import BatchItem

        items = [BatchItem(r.report, sender=r.sender, register=r.register, channel=r.channel)
                 for r in records]
        merged = self._where_checked(len(items), across_batch, items,
                                     [r.findings for r in records],
                                     self.across_context(history, started, period),
                                     self.docs_dir)
        return [replace(r, findings=found) if found is not None else r
                for r, found in zip(records, merged, strict=True)]

    def across_context(self, history: History, started: datetime | None,
                       period: str) -> Context:
        """What H07 across the run is checked with (no rule book, no calendar)."""
        return Context(registry=self.registry, run_period=period, history=history,
                       secret=self.settings.pid_key, unit_code=self.unit_code,
                       timezone=self.settings.timezone, run_started=started)

    def load(self, session: Session, record: SubmissionRecord) -> LoadResult:
        return load_submission(session, record, self.settings.pid_key)

    def build_ahead(self, loaded: Sequence[tuple[int, bytes]]) -> dict[int, BuiltAhead]:
        """Built by a worker process while the run loads its next batch, when there are
        enough of them and a second core (services.feedback.build_ahead)."""
        if not self._beside(len(loaded)):
            return {}
        return build_ahead(self.settings, self.registry, loaded)

    def settle(self, period: str, loaded_now: set[int], also: Sequence[int] = ()) -> int:
        """H07 over the month's accepted workbooks in force, when some were taken in by an
        earlier run (intake, a correction): the first of two cells listing the same person
        was checked before the second one's roster arrived. The same expectation over the
        rosters as the warehouse keeps them (nothing read again), so the month's report is
        the same whatever the order the files came in. Settled once per set of inputs
        (:meth:`settle_inputs`): a run with nothing new does nothing again. Of ``also``,
        the versions superseded since they were loaded are settled too, as a run that
        checked them with their successors would have found them."""
        warehouse = Warehouse.of(self.settings)
        cells = [c.code for c in self.registry.reporting_cells(self.unit_code, period)]
        files = warehouse.files_in_force(cells, period)
        if len(files) < 2:
            return 0
        inputs = self.settle_inputs(files, period)
        month = (self.unit_code, period)
        ids = [submission_id for submission_id, _sha in files]
        if loaded_now.issuperset(ids):
            # one run saw them all: its own H07 pass was already this one
            warehouse.settle_rule(SAME_PERSON, {}, month=month, inputs=inputs)
            return 0
        if warehouse.settled_inputs(*month, SAME_PERSON) == inputs:
            return 0
        in_force = set(ids)
        ids += warehouse.superseded([i for i in also if i not in in_force], period)
        self.keep_layouts(ids)
        context = Context(registry=self.registry, run_period=period,
                          secret=self.settings.pid_key, unit_code=self.unit_code,
                          timezone=self.settings.timezone)
        found = self._where_checked(len(ids), settle_batch, self.settings, ids, period,
                                    context, self.docs_dir)
        return warehouse.settle_rule(SAME_PERSON, dict(zip(ids, found, strict=True)),
                                     month=month, inputs=inputs)

    def settled(self, records: list[SubmissionRecord], ids: list[int | None],
                ) -> list[SubmissionRecord]:
        """H07 as settled in the warehouse (the other findings do not change)."""
        stored = Warehouse.of(self.settings).rule_findings(
            SAME_PERSON, [i for i in ids if i is not None])
        return [r if i is None else replace(r, findings=[
                    *(f for f in r.findings if f.rule_id != SAME_PERSON), *stored.get(i, [])])
                for r, i in zip(records, ids, strict=True)]

    def keep_layouts(self, ids: list[int]) -> None:
        """Where the roster's numbers are, for each of these submissions loaded before the
        warehouse kept it (migration 0008): their files read once from the archive."""
        warehouse = Warehouse.of(self.settings)
        missing = warehouse.missing_layouts(ids)
        if not missing:
            return
        archive = Archive(self.settings.archive)
        outcomes = self.read([archive.read(sha) for _id, sha in missing])
        warehouse.set_layouts({submission_id: roster_layout(outcome.report)
                               for (submission_id, _sha), outcome in zip(missing, outcomes,
                                                                          strict=True)
                               if outcome.report is not None})

    def settle_inputs(self, files: list[tuple[int, str]], period: str) -> str:
        """Everything the month's H07 findings depend on, as one digest: the files in force
        (their contents, in the order they arrived), every accepted roster of the month
        (the other cells'), the registry (which cells count), the key people are compared
        under, and the rule's own code. Contents, not ids: a run finished after a crash
        records what a clean run records."""
        digest = hashlib.sha256()
        for part in (period, repr([sha for _id, sha in files]),
                     repr(Warehouse.of(self.settings).accepted_files(period)),
                     repr(sorted(self.registry.units.items())),
                     hashlib.sha256(self.settings.pid_key).hexdigest()):
            digest.update(part.encode("utf-8") + b"\0")
        for path in SAME_PERSON_CODE:
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def write_outputs(self, period: str, *, pdf: bool = False,
                      prepared: reporting.PreparedOutputs | None = None) -> reporting.Outputs:
        return reporting.write_district_outputs(self.settings, self.registry, period, pdf=pdf,
                                                prepared=prepared)

    def prepare_outputs(self, period: str) -> reporting.PreparedOutputs | None:
        return reporting.prepare_district_outputs(self.settings, self.registry, period)

    def pending(self) -> list[tuple[str, str, int | None, str]]:
        return [(s.unit_code or "", s.period or "", s.version, s.filename)
                for s in Warehouse.of(self.settings).pending(self.unit_code)]


class ProvinceLevel(Level):
    """Districts (or communes) → the province: their upward data files (EXPORT.md)."""

    name = PROVINCE
    run_word = "provincial"
    kind = DISTRICT_DATA
    report_words = "provincial report"
    unchecked = messages_vi.UNCHECKABLE_DATA_FILE
    answers = False
    rebuilds = False

    @classmethod
    def of(cls, settings: Settings, registry_dir: Path | None = None,
           province_code: str | None = None) -> ProvinceLevel:
        registry = Registry.load(registry_dir or settings.province_registry_dir)
        return cls(settings, registry, province_code or reporting.province_of(registry))

    def twins(self, incoming: Sequence[IncomingFile]) -> dict[int, str]:
        """The JSON twin of a CSV file sent with it: the same data, read once."""
        csv_names = {(i.sender, Path(i.filename).stem.lower()): i.filename for i in incoming
                     if Path(i.filename).suffix.lower() == ".csv"}
        found = {}
        for index, item in enumerate(incoming):
            if Path(item.filename).suffix.lower() == ".json":
                twin = csv_names.get((item.sender, Path(item.filename).stem.lower()))
                if twin is not None:
                    found[index] = twin
        return found

    def read(self, contents: list[bytes], children: int = 1) -> list[ReadOutcome]:
        """A data file is plain text of bounded size (forms.export_reader): read here."""
        return [read_data_file(content) for content in contents]

    def check(self, files: list[tuple[IncomingFile, ReadOutcome]], period: str,
              history: History, started: datetime | None, log: AnyLogger,
              secret: bytes | None = None, *, across: bool = False) -> list[list[Finding]]:
        from validations.export_checks import validate_exports
        from validations.export_frames import ExportItem

        items = [ExportItem(o.export, o.error, i.sender) for i, o in files]
        docs = self.docs_dir
        return validate_isolated(
            lambda batch: validate_exports(batch, self.registry, period, self.unit_code,
                                           docs_dir=docs, run_started=started),
            items, self.unchecked, log)

    def attribute(self, incoming: IncomingFile, outcome: ReadOutcome,
                  period: str) -> tuple[str | None, str | None]:
        """The file's own top unit and month when it can be read, else the sender's unit
        and the month being consolidated."""
        if outcome.export is not None:
            from validations.export_frames import top_units, valid_period

            tops = top_units(outcome.export, self.registry)
            periods = {r.period for r in outcome.export.rows}
            month = valid_period(periods.pop()) if len(periods) == 1 else None
            return (tops[0] if len(tops) == 1 else self._sender_unit(incoming.sender),
                    month or period)
        unit = self._sender_unit(incoming.sender)
        return unit, period if unit else None

    def record(self, stored: StoredFile, incoming: IncomingFile, outcome: ReadOutcome,
               findings: list[Finding], period: str) -> SubmissionRecord:
        record = super().record(stored, incoming, outcome, findings, period)
        # a file that could not be read is still the sender's data file, when it is known
        record.kind = DISTRICT_DATA if outcome.export is not None or record.unit_code \
            else UNKNOWN
        return record

    def _sender_unit(self, sender: str) -> str | None:
        unit: Unit | None = self.registry.get(sender) or self.registry.unit_for_sender(sender)
        return unit.code if unit else None

    def load(self, session: Session, record: SubmissionRecord) -> LoadResult:
        return load_district_file(session, record)

    def write_outputs(self, period: str, *, pdf: bool = False,
                      prepared: reporting.PreparedOutputs | None = None) -> reporting.Outputs:
        return reporting.write_province_outputs(self.settings, self.registry, self.unit_code,
                                                period, pdf=pdf)

    def below_level(self, period: str) -> str:
        return reporting.level_below(self.registry, self.unit_code, period)


def sandbox_limits(settings: Settings, today: date | None = None) -> SandboxLimits:
    """The reading child's bounds: the settings' memory and time, and the roster cap of
    config/rules in force today (F11: a roster above it is refused before validation)."""
    day = today or datetime.now(ZoneInfo(settings.timezone)).date()
    cap = RuleBook.load(settings.rules_file).limits_on(day, REPORTING_LEVEL).max_roster_rows
    return SandboxLimits(settings.read_memory_mib, settings.read_seconds, cap)


def _warm_up(docs_dir: Path | None) -> None:
    from validations.run import warm_up

    with contextlib.suppress(Exception):  # the validation that needs it says what is wrong
        warm_up(docs_dir)


def check_batch(batch: list[BatchItem], registry: Registry, period: str, context: Context,
                docs_dir: Path | None, unchecked: str, across: bool = False,
                ) -> tuple[list[list[Finding]], list[tuple[int, str]]]:
    """Every rule but H07 over a batch (``validate_isolated``), and what it had to say (for
    the run's log: it may run in a worker process, which has none). With ``across``, then
    H07 over the whole batch given those findings, as ``DistrictLevel.check_across``."""
    from validations.frames import BatchItem
    from validations.run import validate_batch

    said = _Said()
    found = validate_isolated(
        lambda items: validate_batch(items, registry, period, context, docs_dir=docs_dir,
                                     same_person=False),
        batch, unchecked, said)  # type: ignore[arg-type]
    if across:
        plain = [BatchItem(i.report, sender=i.sender, register=i.register, channel=i.channel)
                 for i in batch]
        # the context check_across has: no rule book, no calendar
        merged = across_batch(plain, found, replace(
            context, rules=RuleBook.default(), calendar=WorkCalendar.default()), docs_dir)
        found = [f if f is not None else own for f, own in zip(merged, found, strict=True)]
    return found, said.lines


def across_batch(items: list[BatchItem], findings: list[list[Finding]], context: Context,
                 docs_dir: Path | None) -> list[list[Finding] | None]:
    """H07 over a batch given its other findings: each file's findings with H07's added
    (None where it adds none)."""
    from validations.run import dedupe, listed_elsewhere

    more = listed_elsewhere(items, findings, context, docs_dir)
    return [dedupe([*found, *extra]) if extra else None
            for found, extra in zip(findings, more, strict=True)]


def settle_batch(settings: Settings, ids: list[int], period: str, context: Context,
                 docs_dir: Path | None) -> list[list[Finding]]:
    """H07 over these submissions' rosters as the warehouse keeps them, against every
    roster in force in ``period`` (validations.run.listed_elsewhere_stored). Read from the
    warehouse where it runs: a month's rosters are too many to send to a worker."""
    from validations.run import listed_elsewhere_stored

    warehouse = Warehouse.of(settings)
    # only the rows another cell lists too can be flagged: the rest are not read (a
    # month's 60,000 rows were 0.5 s of a correction's run, and memory at 10,000 cells)
    rosters = warehouse.stored_rosters(ids, shared_in=period)
    people = {row.person_key for roster in rosters for row in roster.rows}
    return listed_elsewhere_stored(rosters, warehouse.people_in_force(period, people),
                                   context, docs_dir)


class _Said:
    """A logger's ``warning`` and ``error`` kept as (level, message) lines."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []

    def warning(self, message: str, *args: object) -> None:
        self.lines.append((logging.WARNING, message % args))

    def error(self, message: str, *args: object) -> None:
        self.lines.append((logging.ERROR, message % args))


def validate_isolated(validate: Callable[[list[Item]], list[list[Finding]]],
                      items: list[Item], unchecked: str,
                      log: AnyLogger) -> list[list[Finding]]:
    """One batch is the fast path; if something in it breaks the validation, each file is
    validated alone, so that one strange file cannot stop the month. A file that still
    breaks it gets an F01 finding with the ``unchecked`` message."""
    try:
        return validate(items)
    except Exception as exc:
        log.warning("batch validation failed (%s); validating file by file", exc)
    found = []
    for item in items:
        try:
            found.extend(validate([item]))
        except Exception as exc:
            log.error("validation of one file failed: %r", exc)
            found.append([Finding("F01", None, None, None, unchecked)])
    return found
