"""A cell's upload on the web page, taken in at once: the same submission as a file in the
inbox (archived by hash first, the same versions, supersede rules, sandboxed reader and
limits, the same checks against the file's own month, on time by its arrival), answered
with the same feedback workbook, within seconds.

A GX validation costs mostly its fixed overhead (about a second here), not its files: so
the uploads that arrive while one is being checked wait and are checked together, as one
batch, by whichever request thread is free first (:class:`Intake`). Twenty cells uploading
at once cost one or two validations, not twenty.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from connectors.base import IncomingFile
from connectors.safe_names import safe_filename
from connectors.web_upload import WebUpload
from core.kinds import WEB
from core.periods import period_of
from forms.dispatch import ReadOutcome
from services.feedback import send_answer
from services.levels import DistrictLevel
from warehouse.archive import Archive, StoredFile
from warehouse.load import SubmissionRecord
from warehouse.unit_of_work import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """One file as the page received it from a signed-in unit's account."""

    unit_code: str
    filename: str
    content: bytes
    received_at: datetime

    def incoming(self) -> IncomingFile:
        return IncomingFile(content=self.content,
                            filename=safe_filename(self.filename) or "tep.xlsx", channel=WEB,
                            sender=self.unit_code, received_at=self.received_at, handle="",
                            size=len(self.content))


@dataclass(frozen=True)
class Taken:
    """What became of an upload: its submission, and whether these very bytes had been
    sent by the unit before (then nothing was read or answered again)."""

    submission_id: int
    known: bool


def take_uploads(level: DistrictLevel, uploads: list[Upload]) -> list[Taken]:
    """Archive, read, check (one validation per month of the batch) and load the uploads,
    in the order they arrived; none is answered here (:func:`answer_upload`)."""
    archive = Archive(level.settings.archive)
    stored = [archive.store(u.content) for u in uploads]  # before anything reads them
    arrivals = [(s.sha256, WEB, u.unit_code) for s, u in zip(stored, uploads, strict=True)]
    warehouse = Warehouse.of(level.settings)
    known = warehouse.known(arrivals)
    first = {a: i for i, a in reversed(list(enumerate(arrivals)))}  # the same bytes twice
    fresh = [i for i, a in enumerate(arrivals) if a not in known and first[a] == i]
    taken: dict[int, Taken] = {i: Taken(known[a].id, True) for i, a in enumerate(arrivals)
                               if a in known}
    outcomes = level.read([uploads[i].content for i in fresh]) if fresh else []
    records = _checked(level, [(uploads[i], stored[i], o) for i, o in zip(fresh, outcomes,
                                                                         strict=True)])
    # oldest first, each in its own transaction; on disk before anyone is told
    with warehouse.deferred_sync():
        for i, record in sorted(zip(fresh, records, strict=True),
                                key=lambda pair: pair[1].received_at):
            with warehouse.session() as session:
                result = level.load(session, record)
            assert result.submission_id is not None
            taken[i] = Taken(result.submission_id, not result.new)
    for i, arrival in enumerate(arrivals):  # a repeat in the batch: its first's submission
        if i not in taken:
            taken[i] = Taken(taken[first[arrival]].submission_id, True)
    return [taken[i] for i in range(len(uploads))]


def _checked(level: DistrictLevel, files: list[tuple[Upload, StoredFile, ReadOutcome]],
             ) -> list[SubmissionRecord]:
    """Each file's record with its findings: the batch checked month by month, each file
    against the month it is for, as a run of that month would."""
    by_month: dict[str, list[int]] = {}
    for i, (upload, _stored, outcome) in enumerate(files):
        month = level.month_of(outcome) or period_of(upload.received_at.date())
        by_month.setdefault(month, []).append(i)
    records: dict[int, SubmissionRecord] = {}
    for month, indexes in by_month.items():
        group = [files[i] for i in indexes]
        incoming = [u.incoming() for u, _s, _o in group]
        history = level.history([o for _u, _s, o in group])
        started = datetime.now(ZoneInfo(level.settings.timezone))
        found = level.check([(inc, o) for inc, (_u, _s, o) in zip(incoming, group, strict=True)],
                            month, history, started, log)
        made = [level.record(s, inc, o, f, month)
                for inc, (_u, s, o), f in zip(incoming, group, found, strict=True)]
        for i, record in zip(indexes, level.check_across(made, month, history, started),
                             strict=True):
            records[i] = record
    return [records[i] for i in range(len(files))]


def answer_upload(level: DistrictLevel, upload: Upload, taken: Taken) -> None:
    """The upload's feedback workbook, written once to the unit's outbox folder."""
    send_answer(level.settings, level.registry, WebUpload(level.settings.outbox),
                upload.incoming(), taken.submission_id)


class Intake:
    """Uploads checked in batches: a request hands its upload in and waits; the first
    thread to find no batch under way checks everything waiting, again and again until
    nothing waits. One batch at a time per process (GX's context is not shared between
    threads, and a unit's versions are numbered in the order its files are loaded)."""

    def __init__(self, level: DistrictLevel, gather_seconds: float = 0.2):
        self.level = level
        # how long the first upload waits for the others sent at the same moment (twenty
        # cells clicking "Gửi" together arrive over a few hundred milliseconds): one batch
        # for all of them instead of one for the first and one for the rest
        self.gather_seconds = gather_seconds
        self._lock = threading.Lock()
        self._waiting: list[tuple[Upload, Future[Taken]]] = []
        self._busy = False

    def take(self, upload: Upload) -> Taken:
        """The upload taken in (with the others that came meanwhile) and answered."""
        future: Future[Taken] = Future()
        with self._lock:
            self._waiting.append((upload, future))
            lead = not self._busy
            self._busy = lead or self._busy
        if lead:
            time.sleep(self.gather_seconds)
            self._drain()
        taken = future.result()
        answer_upload(self.level, upload, taken)
        return taken

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch, self._waiting = self._waiting, []
                if not batch:
                    self._busy = False
                    return
            try:
                results = take_uploads(self.level, [u for u, _f in batch])
            except Exception as exc:  # every waiting request hears of it
                for _u, future in batch:
                    future.set_exception(exc)
                continue
            for (_u, future), taken in zip(batch, results, strict=True):
                future.set_result(taken)


def take_upload(level: DistrictLevel, unit_code: str, filename: str, content: bytes,
                received_at: datetime) -> Taken:
    """One upload alone, taken in and answered (a batch of one)."""
    upload = Upload(unit_code, filename, content, received_at)
    [taken] = take_uploads(level, [upload])
    answer_upload(level, upload, taken)
    return taken
