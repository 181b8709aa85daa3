"""Everything the rules need besides the submissions themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.history import History
from core.registry import Registry
from core.rulebook import RuleBook
from core.workdays import WorkCalendar


@dataclass
class Context:
    """The registry, the month being consolidated, the rule limits with their effective
    dates, the working-day calendar, what earlier months hold, the key under which
    people are compared (never their plain identification numbers), the unit whose cells
    the run consolidates, the time zone of the months of arrival and when the run started
    (which names its validations in Data Docs)."""

    registry: Registry
    run_period: str
    rules: RuleBook = field(default_factory=RuleBook.default)
    calendar: WorkCalendar = field(default_factory=WorkCalendar.default)
    history: History = field(default_factory=History)
    secret: bytes = b"cellreports"
    # folder-inbox senders trusted for every unit: the district officer's own drop (the
    # inbox root); an e-mail sender is never trusted for every unit
    trusted_senders: frozenset[str] = frozenset({""})
    # F04: the unit being consolidated (the settings' district_code); a cell not below it,
    # at any depth, is another unit's and refused. None judges every cell of the registry
    # as the run's own (a registry holding one district needs nothing more)
    unit_code: str | None = None
    # F10: a file's month of arrival is its received_at seen in this zone (the settings'
    # timezone): a report sent at 23:30 on the 31st in Hà Nội arrived in that month
    timezone: str = "Asia/Ho_Chi_Minh"
    # Data Docs: a run's validations are named "<unit_code> <run_period> run <run_started in
    # timezone>" (validations.datadocs.run_name). The flow passes its own start, the same to
    # every chunk and to the H07 pass; None names them by the time of each validate_batch
    run_started: datetime | None = None
