"""Everything the rules need besides the submissions themselves."""

from __future__ import annotations

from dataclasses import dataclass, field

from cellreports.registry import Registry
from cellreports.rulebook import RuleBook
from cellreports.workdays import WorkCalendar
from validations.history import History


@dataclass
class Context:
    """The registry, the month being consolidated, the rule limits with their effective
    dates, the working-day calendar, what earlier months hold, and the key under which
    people are compared (never their plain identification numbers)."""

    registry: Registry
    run_period: str
    rules: RuleBook = field(default_factory=RuleBook.default)
    calendar: WorkCalendar = field(default_factory=WorkCalendar.default)
    history: History = field(default_factory=History)
    secret: bytes = b"cellreports"
    # folder-inbox senders trusted for every unit: the district officer's own drop (the
    # inbox root); an e-mail sender is never trusted for every unit
    trusted_senders: frozenset[str] = frozenset({""})
