"""A cell's upload on the web page, taken in at once: the same submission as a file in the
inbox (archived by hash first, the same versions, supersede rules, sandboxed reader and
limits, the same checks against the file's own month, on time by its arrival), answered
with the same feedback workbook, within seconds."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from connectors.base import IncomingFile
from connectors.safe_names import safe_filename
from connectors.web_upload import WebUpload
from core.kinds import WEB
from core.periods import period_of
from services.feedback import send_answer
from services.levels import DistrictLevel
from warehouse.archive import Archive
from warehouse.unit_of_work import Warehouse

log = logging.getLogger(__name__)
# one check at a time in a process: GX's context is not shared between threads, and a
# unit's versions are numbered in the order its files are loaded
_ONE_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Taken:
    """What became of an upload: its submission, and whether these very bytes had been
    sent by the unit before (then nothing was read or answered again)."""

    submission_id: int
    known: bool


def take_upload(level: DistrictLevel, unit_code: str, filename: str, content: bytes,
                received_at: datetime | None = None) -> Taken:
    """Archive, read, check, load and answer one upload of ``unit_code``'s account."""
    settings = level.settings
    zone = ZoneInfo(settings.timezone)
    arrived = received_at or datetime.now(zone)
    incoming = IncomingFile(content=content, filename=safe_filename(filename) or "tep.xlsx",
                            channel=WEB, sender=unit_code, received_at=arrived,
                            handle="", size=len(content))
    stored = Archive(settings.archive).store(content)  # before anything reads it
    warehouse = Warehouse.of(settings)
    with _ONE_AT_A_TIME:
        arrival = (stored.sha256, WEB, unit_code)
        earlier = warehouse.known([arrival]).get(arrival)  # (another sender's copy is not)
        if earlier is not None:
            return Taken(earlier.id, known=True)
        [outcome] = level.read([content])
        period = level.month_of(outcome) or period_of(arrived.date())
        history = level.history([outcome])
        started = datetime.now(zone)
        [found] = level.check([(incoming, outcome)], period, history, started, log)
        record = level.record(stored, incoming, outcome, found, period)
        [record] = level.check_across([record], period, history, started)
        with warehouse.session() as session:
            result = level.load(session, record)
    assert result.submission_id is not None
    send_answer(settings, level.registry, WebUpload(settings.outbox), incoming,
                result.submission_id)
    return Taken(result.submission_id, known=False)
