"""Plain DataFrames of a batch of submissions, the shape the GX suites expect.

One frame per level holds every submission of the batch, keyed by ``sub`` (the
submission's index in the batch) and ``excel_row``, so that one GX run validates the
whole batch and each failure maps back to its cell. Derived columns (limits in force,
last month's values) turn cross-sheet and history rules into plain column comparisons.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from core import layout
from core.counts import derive_roster_counts
from core.errors import ReadError
from core.form import CellReport
from core.history import person_key, well_formed_pid
from core.kinds import FOLDER, WEB
from core.periods import last_day, period_of
from core.register import CourseRegister
from core.registry import REPORTING_LEVEL, Registry, Unit
from core.text import key
from validations.context import Context


@dataclass(frozen=True)
class BatchItem:
    """One submission of a batch: its read result and who sent it."""

    report: CellReport | None
    error: ReadError | None = None
    # the channel's sender: the inbox sub-folder ("" = the inbox root, the officer's own
    # drop) or the e-mail address
    sender: str = ""
    register: CourseRegister | None = None  # the Political Center's course register
    channel: str = FOLDER
    # when the channel received it (F10: no report for a month after its arrival); None
    # when unknown, and then F10 compares nothing
    received_at: datetime | None = None


def unit_status(registry: Registry, code: str | None, period: str | None,
                within: str | None = None) -> str | None:
    """F04's verdict on a unit code: active, or why not. With ``within`` (the unit being
    consolidated) a cell that is not below it is another unit's ("elsewhere"): said before
    "inactive", since which unit it belongs to is what the sender needs to know first."""
    if not code:
        return None
    unit = registry.get(code)
    if unit is None:
        return "unknown"
    if unit.level != REPORTING_LEVEL:
        return "not_a_cell"  # the district, the province or the Political Center
    if within is not None and not is_below(registry, code, within):
        return "elsewhere"
    if period and not unit.active_in(period):
        return "inactive"
    return "active"


def ancestors(registry: Registry, code: str) -> Iterator[Unit]:
    """The units above ``code``, nearest first (a cycle in a hand-edited registry ends the
    walk instead of looping)."""
    seen = {code}
    unit = registry.get(code)
    while unit is not None and unit.parent_code and unit.parent_code not in seen:
        seen.add(unit.parent_code)
        unit = registry.get(unit.parent_code)
        if unit is not None:
            yield unit


def is_below(registry: Registry, code: str, ancestor: str) -> bool:
    """At any depth: a 2024 cell sits under a district, a 2025 one directly under its
    commune, and a province-wide run takes both."""
    return any(unit.code == ancestor for unit in ancestors(registry, code))


def home_unit(registry: Registry, code: str, consolidating: str | None) -> Unit | None:
    """Where another unit's cell should send its report: its own unit at the level of the
    one consolidating here (Bảo Lộc for a Bảo Lâm run), else the unit right above it."""
    above = list(ancestors(registry, code))
    run_unit = registry.get(consolidating)
    same_level = [u for u in above if run_unit is not None and u.level == run_unit.level]
    return (same_level or above or [None])[0]


def arrival_month(received_at: datetime | None, timezone: str) -> str | None:
    """The month (YYYY-MM) a file arrived in, local time; a naive time is UTC, as the
    warehouse stores it."""
    if received_at is None:
        return None
    moment = received_at if received_at.tzinfo else received_at.replace(tzinfo=UTC)
    return period_of(moment.astimezone(ZoneInfo(timezone)).date())


def structurally_sound(report: CellReport) -> bool:
    """Row and count rules only make sense when the columns and codes are all there."""
    return not report.missing_roster_columns and not report.missing_summary_codes


def limits_for(report: CellReport, ctx: Context):  # type: ignore[no-untyped-def]
    """The limits in force at the end of the report's month (the run's month if unknown)."""
    return ctx.rules.limits_on(last_day(report.header.period or ctx.run_period),
                               REPORTING_LEVEL)


# ---- files: one row per received file ------------------------------------------------

FILES_COLUMNS = [
    *layout.INFO_FIELDS, *(f"{f}_bad" for f in layout.INFO_FIELDS), "period_parsed",
    "unit_status", "sender_allowed", "name_matches", "has_macros",
    "missing_roster_columns", "missing_summary_codes", "read_error", "hidden_sheets",
    "counted_from_roster",
    "arrival_period", "period_not_future", "registry_name", "home_unit", "run_unit",
]


def files_frame(items: Sequence[BatchItem], ctx: Context) -> pd.DataFrame:
    rows = []
    for sub, item in enumerate(items):
        if item.register is not None:
            continue  # the course register has its own suite
        row: dict[str, object] = {"sub": sub, "read_error": None, "run_period": ctx.run_period,
                                  "read_ok": item.report is not None}
        if item.error is not None:
            row["read_error"] = item.error.rule_id
        if item.report is not None:
            row.update(_header_columns(item, ctx))
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in FILES_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame.astype({c: "object" for c in FILES_COLUMNS})


def _header_columns(item: BatchItem, ctx: Context) -> dict[str, object]:
    report = item.report
    assert report is not None
    header = report.header
    row: dict[str, object] = {}
    for field in layout.INFO_FIELDS:
        value, bad = getattr(header, field), header.invalid.get(field)
        # a filled but unreadable value is F03's "does not parse", not "missing"
        row[field] = bad if bad is not None else (None if value is None else str(value))
        row[f"{field}_bad"] = bad
    unit = ctx.registry.get(header.unit_code)
    row["period_parsed"] = header.period
    row["unit_status"] = unit_status(ctx.registry, header.unit_code, header.period,
                                     ctx.unit_code)
    row.update(_unit_names(header.unit_code, row["unit_status"], ctx))
    row.update(_arrival_columns(item, header.period, ctx))
    row["sender_allowed"] = None if unit is None else sender_allowed(item, unit, ctx)
    row["name_matches"] = None if unit is None or not header.unit_name else (
        key(header.unit_name) == key(unit.name))
    row["has_macros"] = report.has_macros
    row["missing_roster_columns"] = ";".join(report.missing_roster_columns) or None
    row["missing_summary_codes"] = ";".join(report.missing_summary_codes) or None
    # F11 (WARNING): a form sheet read although hidden, its workbook name as the sender
    # sees it; ";" cannot be part of a sheet name in Excel
    row["hidden_sheets"] = ";".join(report.hidden_sheets) or None
    # X01 (WARNING): TongHop's formulas had no saved result, the roster was counted instead
    row["counted_from_roster"] = ";".join(report.counted_from_roster) or None
    return row


def _unit_names(code: str | None, status: object, ctx: Context) -> dict[str, object]:
    """For F04's "another unit's cell": the cell's registry name, the unit it belongs to
    and the unit consolidating here, named in the sentence sent back."""
    if status != "elsewhere" or code is None:
        return {}
    cell, home = ctx.registry.get(code), home_unit(ctx.registry, code, ctx.unit_code)
    run_unit = ctx.registry.get(ctx.unit_code)
    return {"registry_name": cell.name if cell else None,
            "home_unit": home.name if home else None,
            "run_unit": run_unit.name if run_unit else ctx.unit_code}


def _arrival_columns(item: BatchItem, period: str | None, ctx: Context) -> dict[str, object]:
    """F10: whether the period is not later than the month of arrival (None when either
    is unknown: nothing to compare)."""
    arrived = arrival_month(item.received_at, ctx.timezone)
    if arrived is None or period is None:
        return {"arrival_period": arrived, "period_not_future": None}
    return {"arrival_period": arrived, "period_not_future": period <= arrived}  # YYYY-MM


def sender_allowed(item: BatchItem, unit: Unit, ctx: Context) -> bool:
    """F05: the inbox root (the officer's own drop) may send for every unit; anyone else
    only for a unit they may send for (:func:`may_send`)."""
    if item.channel == FOLDER and item.sender in ctx.trusted_senders:
        return True
    return may_send(unit, item.channel, item.sender)


def may_send(unit: Unit, channel: str, sender: str) -> bool:
    """The unit's own account on the web page; a sub-folder of the folder inbox that the
    unit's ``senders`` list or — when the
    registry lists no ``senders`` for the unit — the sub-folder named after the unit; by
    e-mail only an address the unit's ``senders`` list (a message without one is nobody's).
    Names and addresses are compared without case."""
    listed = {s.lower() for s in unit.senders}
    sender = sender.lower()
    if channel == WEB:  # the page's own account of the unit: its login is the proof
        return sender == unit.code.lower()
    if channel != FOLDER:
        return bool(sender) and sender in listed
    return sender in listed or (not listed and sender == unit.code.lower())


# ---- summary: one row per indicator and population (X01) -----------------------------

def summary_frame(items: Sequence[BatchItem]) -> pd.DataFrame:
    rows = []
    for sub, report in _sound_reports(items):
        if report.header.period is None:
            continue
        derived = derive_roster_counts(report.roster, report.header.period)
        for code in layout.INDICATOR_CODES:
            line = report.summary[code]
            for population in layout.POPULATIONS:
                declared = getattr(line, population)
                rows.append({
                    "sub": sub, "excel_row": line.excel_row, "code": code,
                    "population": population,
                    "declared": 0 if declared is None else declared,
                    "declared_bad": line.invalid.get(population),
                    "derived": derived.get((population, code), 0)
                    if code in layout.ROSTER_INDICATORS else None,
                })
    columns = ["sub", "excel_row", "code", "population", "declared", "declared_bad", "derived"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"declared_bad": "object", "derived": "float64"})


def _sound_reports(items: Sequence[BatchItem]) -> list[tuple[int, CellReport]]:
    return [(sub, item.report) for sub, item in enumerate(items)
            if item.report is not None and structurally_sound(item.report)]


# ---- wide: one row per submission and population (X02, X03, H02, H08) ----------------

CHANGE_CODES = ("TH01", "TH03")


def wide_frame(items: Sequence[BatchItem], ctx: Context) -> pd.DataFrame:
    rows = []
    for sub, report in _sound_reports(items):
        header = report.header
        if header.period is None:
            continue
        previous = ctx.history.previous.get((header.unit_code or "", header.period))
        limits = limits_for(report, ctx)
        for population in layout.POPULATIONS:
            row: dict[str, object] = {"sub": sub, "population": population}
            for code in layout.INDICATOR_CODES:
                line = report.summary[code]
                # an unreadable count is X02's "not a number" already: compare nothing to it
                row[code] = None if population in line.invalid else (
                    getattr(line, population) or 0)
            row["target"] = ctx.registry.target(header.unit_code or "",
                                                int(header.period[:4]), population)
            row.update(_against_last_month(row, previous, header.period, population))
            row["outlier_ratio"] = limits.outlier_ratio
            rows.append(row)
    columns = ["sub", "population", *layout.INDICATOR_CODES, "target", "min_TH12",
               *(f"{c}_change" for c in CHANGE_CODES), "outlier_ratio"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"target": "float64", "min_TH12": "float64",
         **{code: "float64" for code in layout.INDICATOR_CODES},
         **{f"{c}_change": "float64" for c in CHANGE_CODES}})


def _against_last_month(row: dict[str, object], previous, period: str,  # type: ignore[no-untyped-def]
                        population: str) -> dict[str, object]:
    if previous is None:
        return {}
    found: dict[str, object] = {}
    if previous.period[:4] == period[:4]:  # the running total restarts every January
        found["min_TH12"] = previous.figures.get((population, "TH12"), 0) + int(row["TH11"])
    for code in CHANGE_CODES:
        before = previous.figures.get((population, code))
        if before:
            found[f"{code}_change"] = abs(int(row[code]) - before) / before
    return found


# ---- absent: last month's people missing from this month's roster (H03) ---------------

def absent_frame(items: Sequence[BatchItem], ctx: Context) -> pd.DataFrame:
    rows = []
    for sub, report in _sound_reports(items):
        header = report.header
        previous = ctx.history.previous.get((header.unit_code or "", header.period or ""))
        if previous is None:
            continue
        present = {person_key(r.pid, r.full_name, r.birth_date, ctx.secret)
                   for r in report.roster}
        for person in previous.people:
            if person.stage in (0, 8):
                continue  # stopped or full member: rightly dropped from later rosters
            rows.append({"sub": sub, "full_name": person.full_name,
                         "last_period": previous.period, "last_stage": person.stage,
                         "present_now": person.person_key in present})
    return pd.DataFrame(rows, columns=["sub", "full_name", "last_period", "last_stage",
                                       "present_now"])


# ---- register: the Political Center's course register -----------------------------------

REGISTER_FIELDS = ("full_name", "birth_date", "unit_code", "course_code", "passed", "cert_no",
                   "cert_date")


def register_frame(items: Sequence[BatchItem], ctx: Context) -> pd.DataFrame:
    rows = []
    for sub, item in enumerate(items):
        for row in item.register.rows if item.register else []:
            # R04 on the number, not the number: GX's Data Docs show failing values
            record: dict[str, object] = {
                "sub": sub, "excel_row": row.excel_row, "passed": row.passed,
                "pid_well_formed": well_formed_pid(row.pid) if row.pid else None}
            for name in REGISTER_FIELDS:
                bad = row.invalid.get(name)
                value = getattr(row, name)
                record[f"{name}_raw"] = bad if bad is not None else (
                    None if value is None else str(value))
                record[f"{name}_bad"] = bad
            record["unit_known"] = None if not row.unit_code else (
                ctx.registry.get(row.unit_code) is not None)
            rows.append(record)
    columns = ["sub", "excel_row", "pid_well_formed", "passed", "unit_known",
               *(f"{n}_raw" for n in REGISTER_FIELDS), *(f"{n}_bad" for n in REGISTER_FIELDS)]
    return pd.DataFrame(rows, columns=columns).astype({"passed": "object",
                                                       "pid_well_formed": "object"})
