"""The roster frame: one row per data row of every DanhSach sheet in the batch.

Beside each cell's value the frame carries what the rules compare it with: the raw text
(filled or not, R01), the limits in force, last month's stage of the same person, the
dates by which a decision or full membership is due in working days.

The identification number is the exception: GX shows failing values in its Data Docs, so
the frame carries no digit of it — only what R04 makes of it (booleans) and, for R09's
"the same person twice", keyed hashes of the number and of name and date of birth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

import pandas as pd

from core import layout
from core.form import CellReport, RosterRow
from core.history import (
    certificate_key,
    name_born_key,
    pid_key,
    twelve_digits,
    well_formed_pid,
)
from core.periods import add_months, last_day, months_between
from validations.context import Context
from validations.frames import BatchItem, limits_for, structurally_sound
from validations.reference import GENDER_CENTURY_DIGIT, PROVINCE_CODES

DERIVED_DATES = ("report_date", "period_end", "earliest_birth", "cert_valid_until",
                 "cert_warn_from", "probation_end", "stalled_until", "decision_due",
                 "full_member_due")
DERIVED = ("person_key", "name_born", "stage_n", "pid_hash", "pid_well_formed", "pid_gender_ok",
           "pid_year_ok", "pid_province_known", "age_months", "min_age_months",
           "max_age_months", "prev_stage", "cert_in_register")
PID = "pid"
_MISSING = float("nan")  # what pandas puts where a record lacks a column
# every roster column but the identification number is in the frame as read
VALUE_FIELDS = tuple(f for f in layout.ROSTER_COLUMNS if f != PID)


def roster_frame(items: Sequence[BatchItem], ctx: Context) -> pd.DataFrame:
    columns = _columns()
    rows = []
    for sub, item in enumerate(items):
        report = item.report
        if report is None or not structurally_sound(report):
            continue
        of_report = _ReportFacts.of(report, ctx)
        for roster_row in report.roster:
            derived = _derived(roster_row, of_report, ctx)
            derived["stage_n"] = roster_row.stage
            # a list of values per row, in the columns' order (NaN where the row has none,
            # as pandas fills a record's missing keys): 30,000 rows of ~80 columns held as
            # dicts took ~200 MB at once, and the process kept most of it after they were
            # freed; the cells are listed in order, not looked up by name (with what a
            # report's rows share worked out once, a quarter of the frame's time)
            rows.append([*_cells(sub, roster_row),
                         *[derived.get(column, _MISSING) for column in _DERIVED_COLUMNS]])
    return typed(pd.DataFrame(rows, columns=columns))


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's dates as dates and its stages and ages as numbers, in one block per
    dtype."""
    for field in (*layout.ROSTER_DATE_FIELDS, *DERIVED_DATES):
        frame[field] = pd.to_datetime(frame[field])
    for field in ("stage_n", "prev_stage", "age_months", "min_age_months", "max_age_months"):
        frame[field] = pd.to_numeric(frame[field]).astype("float64")
    # one block per dtype: GX copies the frame for every expectation, and copying a frame
    # whose columns were replaced one by one re-merges its blocks each time (measured: about
    # a third of a 1,000-file validation)
    return frame.copy()


@dataclass(frozen=True)
class _ReportFacts:
    """What every row of one report is compared with, worked out once per report (per row,
    the stage lookup alone made the frame quadratic in the roster's length)."""

    report_date: date | None
    limits: Any
    stages: dict[str, int | None] | None  # last month's stage by person, if on record
    period_end: date
    earliest_birth: date
    cert_warn_from: date  # a certificate that expires before it is warned of

    @classmethod
    def of(cls, report: CellReport, ctx: Context) -> _ReportFacts:
        unit = report.header.unit_code or ""
        period = report.header.period or ctx.run_period
        previous = ctx.history.previous.get((unit, period))
        limits = limits_for(report, ctx)
        end = last_day(period)
        return cls(report.header.report_date, limits,
                   None if previous is None else {p.person_key: p.stage
                                                  for p in previous.people},
                   end, date(limits.birth_year_min, 1, 1),
                   add_months(end, limits.cert_expiry_warning_months))


def _columns() -> list[str]:
    return [*_CELL_COLUMNS, *_DERIVED_COLUMNS]


# the columns of the cells as read, in the order _cells lists them, then those derived
_CELL_COLUMNS = ("sub", "excel_row", *VALUE_FIELDS,
                 *(f"{f}_raw" for f in layout.ROSTER_COLUMNS),
                 *(f"{f}_bad" for f in VALUE_FIELDS))
_DERIVED_COLUMNS = (*DERIVED, *DERIVED_DATES)


def _cells(sub: int, row: RosterRow) -> list[object]:
    """The row's cells in the order of ``_CELL_COLUMNS``: each value, whether it was
    filled ("_raw": rule R01, parsed or not), the text it held when it could not be
    parsed ("_bad")."""
    invalid = row.invalid
    values = list(_VALUES(row))
    bad_texts = [invalid.get(f) for f in VALUE_FIELDS] if invalid else [None] * _FIELDS
    filled = [bad if bad is not None else _as_text(value)
              for value, bad in zip(values, bad_texts, strict=True)]
    # coded columns hold the canonical code, or the raw text if unknown (R03 names it)
    for at, field in _CODED_AT:
        values[at] = invalid.get(field, _code_text(field, values[at]))
    # of the identification number, only whether it is filled
    filled.insert(_PID_AT, True if (invalid.get(PID) is not None
                                    or _as_text(row.pid) is not None) else None)
    return [sub, row.excel_row, *values, *filled, *bad_texts]


_VALUES = attrgetter(*VALUE_FIELDS)
_FIELDS = len(VALUE_FIELDS)
_CODED_AT = tuple((at, f) for at, f in enumerate(VALUE_FIELDS) if f in layout.CHECKED_CODES)
_PID_AT = list(layout.ROSTER_COLUMNS).index(PID)  # where "pid_raw" is among the "_raw" columns


def _derived(row: RosterRow, report: _ReportFacts, ctx: Context) -> dict[str, object]:
    limits = report.limits
    pid_checks = _pid_checks(row, ctx.secret)
    name_born = name_born_key(row.full_name, row.birth_date, ctx.secret)
    # core.history.person_key, without hashing the number twice
    who = pid_checks["pid_hash"] if twelve_digits(row.pid) else name_born
    derived: dict[str, object] = {
        "person_key": who, "report_date": report.report_date, "period_end": report.period_end,
        "earliest_birth": report.earliest_birth, "name_born": name_born,
        "min_age_months": limits.min_age_months, "max_age_months": limits.max_age_months,
        **pid_checks,
    }
    if row.birth_date and row.resolution_date:
        derived["age_months"] = months_between(row.birth_date, row.resolution_date)
    if row.cert_date:
        valid_until = add_months(row.cert_date, limits.cert_validity_months)
        derived["cert_valid_until"] = valid_until
        derived["cert_warn_from"] = report.cert_warn_from
    if row.decision_date:
        derived["probation_end"] = add_months(row.decision_date, limits.probation_months)
        derived["full_member_due"] = ctx.calendar.add_working_days(
            derived["probation_end"], limits.full_membership_grace_working_days)
    if row.stage_date:
        derived["stalled_until"] = add_months(row.stage_date, limits.stall_months)
    started_6 = row.resolution_date or row.stage_date
    if started_6:
        derived["decision_due"] = ctx.calendar.add_working_days(
            started_6, limits.decision_working_days)
    derived.update(_history(row, who, report, ctx))
    return derived


def _pid_checks(row: RosterRow, secret: bytes) -> dict[str, object]:
    """What R04 and R09 need of the identification number, none of its digits: whether it
    is 12 digits, whether its 4th digit fits gender and century, its 5th–6th the year of
    birth, its first three a province (None where a part cannot be judged, as GX ignored
    the missing values before), and its keyed hash for "listed twice"."""
    pid = row.pid
    if not pid:
        return {}
    checks: dict[str, object] = {"pid_hash": pid_key(pid, secret),
                                 "pid_well_formed": well_formed_pid(pid)}
    if not twelve_digits(pid):
        return checks
    checks["pid_province_known"] = pid[:3] in PROVINCE_CODES
    if row.birth_date:
        checks["pid_year_ok"] = pid[4:6] == f"{row.birth_date.year % 100:02d}"
        expected = GENDER_CENTURY_DIGIT.get((row.gender or "", row.birth_date.year // 100))
        if expected is not None:
            checks["pid_gender_ok"] = pid[3] == expected
    return checks


def _history(row: RosterRow, who: str | None, report: _ReportFacts,
             ctx: Context) -> dict[str, object]:
    """Last month's stage (H01) and the course register (C01). H07, the same person in
    another cell, waits until the whole run is validated (validations.same_person)."""
    found: dict[str, object] = {}
    if report.stages is not None and who is not None:
        found["prev_stage"] = report.stages.get(who)
    certificates = ctx.history.certificates
    if certificates is not None and row.cert_no:
        claimed = (certificate_key(row.cert_no), row.cert_date)
        found["cert_in_register"] = claimed in certificates
    return found


def _as_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _code_text(field: str, value: object) -> str | None:
    if value is None:
        return None
    if field == "youth_union":
        return layout.YES if value else layout.NO
    return str(value)

