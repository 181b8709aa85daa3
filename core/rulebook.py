"""The limits of the validation rules, read from a CSV with effective dates (config/rules).

A changed regulation is a new row of ``limits.csv``, never a code change. ``RuleBook.limits_on``
answers "which numbers applied on this day, for this unit level"; the selection rule is
documented there and in ``config/rules/README.md``.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import ClassVar, Self

from core.config_files import open_csv, read_once
from core.errors import CellreportsError

REQUIRED_COLUMNS = ("parameter", "value", "effective_from", "level", "source", "note")


class RuleBookError(CellreportsError, ValueError):
    """The rule-limits file is malformed (unknown parameter, bad number or date, missing row)."""

    heading = "The rule limits file is not valid"
    exit_code = 2


@dataclass(frozen=True)
class Limits:
    """Every limit used by the validation rules, as it applies on one day and unit level."""

    min_age_months: int  # R05: aged full 18, counted by month
    max_age_months: int  # R05: over full 60 → warning
    birth_year_min: int  # R02: plausible birth year
    cert_validity_months: int  # R06
    cert_expiry_warning_months: int  # R07
    decision_working_days: int  # H05
    decision_extension_working_days: int  # H05
    probation_months: int  # R08/H06
    full_membership_grace_working_days: int  # H06
    stall_months: int  # H04
    outlier_ratio: float  # H08, a fraction (0.20 = 20 %)
    deadline_day: int  # timeliness: day of the reporting month, inclusive
    max_roster_rows: int  # F11: people on one roster; above it the file is refused unread


PARAMETERS: tuple[str, ...] = tuple(f.name for f in fields(Limits))
_FLOAT_PARAMETERS = frozenset({"outlier_ratio"})


@dataclass(frozen=True)
class LimitRow:
    """One row of the limits file."""

    parameter: str
    value: int | float
    effective_from: date
    level: str | None  # None = every unit level
    source: str = ""
    note: str = ""
    line: int = 0  # line number in the file, for messages


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def _parse_value(parameter: str, text: str, where: str,
                 decimals: frozenset[str] = _FLOAT_PARAMETERS) -> int | float:
    if parameter in decimals:
        try:
            value: int | float = float(text)
        except ValueError:
            raise RuleBookError(f"{where}: {parameter} is not a number: {text!r}") from None
        if not math.isfinite(value):
            raise RuleBookError(f"{where}: {parameter} is not a finite number: {text!r}")
    else:
        try:
            value = int(text)
        except ValueError:
            raise RuleBookError(f"{where}: {parameter} is not a whole number: {text!r}") from None
    if value < 0:
        raise RuleBookError(f"{where}: {parameter} must not be negative: {text!r}")
    if parameter == "deadline_day" and not 1 <= value <= 31:
        raise RuleBookError(f"{where}: deadline_day must be between 1 and 31: {text!r}")
    return value


def _parse_row(raw: dict[str, str | None], where: str, line: int,
               parameters: tuple[str, ...] = PARAMETERS,
               decimals: frozenset[str] = _FLOAT_PARAMETERS) -> LimitRow:
    parameter = _clean(raw.get("parameter"))
    if parameter not in parameters:
        raise RuleBookError(f"{where}: unknown parameter {parameter!r}")
    value = _parse_value(parameter, _clean(raw.get("value")), where, decimals)
    date_text = _clean(raw.get("effective_from"))
    try:
        effective_from = date.fromisoformat(date_text)
    except ValueError:
        raise RuleBookError(
            f"{where}: effective_from is not a YYYY-MM-DD date: {date_text!r}") from None
    level = _clean(raw.get("level")) or None
    return LimitRow(parameter, value, effective_from, level,
                    _clean(raw.get("source")), _clean(raw.get("note")), line)


class RuleBook:
    """All rows of the limits file; ``limits_on`` picks the ones in force on a day.

    A subclass reads another file of the same format with parameters of its own
    (``core.pace.PaceRules``): the class attributes below name them."""

    parameters: ClassVar[tuple[str, ...]] = PARAMETERS
    decimal_parameters: ClassVar[frozenset[str]] = _FLOAT_PARAMETERS
    kind: ClassVar[str] = "rules"  # the read-once cache's name for these files
    what: ClassVar[str] = "rule limits"  # what the file is, in messages

    def __init__(self, rows: list[LimitRow] | tuple[LimitRow, ...], name: str = "limits"):
        self.rows: tuple[LimitRow, ...] = tuple(rows)
        self.name = name
        # parameter -> rows sorted by (effective_from, level row after all-levels row)
        self._by_parameter: dict[str, list[LimitRow]] = {p: [] for p in self.parameters}
        seen: dict[tuple[str, str | None, date], LimitRow] = {}
        for row in self.rows:
            if row.parameter not in self._by_parameter:
                raise RuleBookError(f"{name}: unknown parameter {row.parameter!r}")
            key = (row.parameter, row.level, row.effective_from)
            if key in seen:
                raise RuleBookError(
                    f"{name}: line {row.line}: {row.parameter} has two rows for level "
                    f"{row.level or '(all)'} from {row.effective_from} "
                    f"(also line {seen[key].line})")
            seen[key] = row
            self._by_parameter[row.parameter].append(row)
        missing = [p for p, rs in self._by_parameter.items()
                   if not any(r.level is None for r in rs)]
        if missing:
            raise RuleBookError(f"{name}: no all-levels row (empty level) for {', '.join(missing)}")
        for rs in self._by_parameter.values():
            rs.sort(key=lambda r: (r.effective_from, r.level is not None))
        self._cache: dict[tuple[date, str | None], Limits] = {}

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a limits CSV: UTF-8, header ``parameter,value,effective_from,level,source,note``
        (once per process while the file does not change)."""
        return read_once(cls.kind, Path(path), cls._read)

    @classmethod
    def _read(cls, path: Path) -> Self:
        with open_csv(path, RuleBookError, cls.what) as handle:
            reader = csv.DictReader(handle)
            columns = [_clean(c) for c in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise RuleBookError(f"{path.name}: missing columns {missing}")
            reader.fieldnames = columns
            rows = []
            for raw in reader:
                line = reader.line_num
                if None in raw:
                    raise RuleBookError(f"{path.name} line {line}: more cells than columns "
                                        "(put text containing a comma in double quotes)")
                if not any(_clean(v) for v in raw.values()):
                    continue  # a blank line made of commas
                rows.append(_parse_row(raw, f"{path.name} line {line}", line, cls.parameters,
                                       cls.decimal_parameters))
        return cls(rows, name=path.name)

    @classmethod
    def default(cls) -> RuleBook:
        """The project's file, ``config/rules/limits.csv``."""
        from core.settings import DEFAULT_RULES

        return cls.load(DEFAULT_RULES)

    def row_on(self, parameter: str, day: date, level: str | None = None) -> LimitRow:
        """The row of ``parameter`` in force on ``day`` for ``level`` (see ``limits_on``)."""
        if parameter not in self._by_parameter:
            raise RuleBookError(f"unknown parameter {parameter!r}")
        candidates = [r for r in self._by_parameter[parameter]
                      if r.level is None or (level is not None and r.level == level)]
        # sorted by (effective_from, level row last): the last one in force wins
        in_force = [r for r in candidates if r.effective_from <= day]
        return in_force[-1] if in_force else candidates[0]

    def limits_on(self, day: date, level: str | None = None) -> Limits:
        """The limits in force on ``day`` for units of ``level`` (None = the all-levels rows).

        For each parameter, the candidates are its all-levels rows and the rows of ``level``.
        Among the candidates with ``effective_from <= day`` the latest ``effective_from``
        wins; on the same date a level row beats the all-levels row. So a level row
        overrides all-levels rows of the same or an earlier date, and a later all-levels
        row overrides an older level row. A day before every candidate uses the earliest
        candidate (the baseline also applies backwards).
        """
        key = (day, level)
        cached = self._cache.get(key)
        if cached is None:
            values = {p: self.row_on(p, day, level).value for p in PARAMETERS}
            values["outlier_ratio"] = float(values["outlier_ratio"])
            cached = self._cache[key] = Limits(**values)  # type: ignore[arg-type]
        return cached

    def levels(self) -> frozenset[str]:
        """The unit levels that have rows of their own."""
        return frozenset(r.level for r in self.rows if r.level is not None)
