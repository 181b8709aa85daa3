"""Plain DataFrames of a batch of submissions, the shape the GX suites expect.

One frame per level (files, summary lines, roster rows) holds every submission of the
batch, keyed by ``sub`` (the submission's index in the batch) and ``excel_row``, so that
one GX run validates the whole batch and each failure maps back to its cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from cellreports.periods import last_day
from cellreports.registry import Registry
from forms import layout
from forms.counts import derive_roster_counts
from forms.errors import ReadError
from forms.model import CellReport, RosterRow

CODED = ("gender", "ethnicity", "population", "youth_union", "stage")


@dataclass(frozen=True)
class BatchItem:
    """One submission of a batch: its read result and the period being consolidated."""

    report: CellReport | None
    error: ReadError | None = None


def unit_status(registry: Registry, code: str | None, period: str | None) -> str | None:
    if not code:
        return None
    unit = registry.get(code)
    if unit is None:
        return "unknown"
    if period and not unit.active_in(period):
        return "inactive"
    return "active"


def files_frame(items: Sequence[BatchItem], registry: Registry, run_period: str,
                ) -> pd.DataFrame:
    rows = []
    for sub, item in enumerate(items):
        row: dict[str, object] = {"sub": sub, "read_error": None, "run_period": run_period,
                                  "read_ok": item.report is not None}
        if item.error is not None:
            row["read_error"] = item.error.rule_id
        if item.report is not None:
            header = item.report.header
            for field in layout.INFO_FIELDS:
                value = getattr(header, field)
                bad = header.invalid.get(field)
                # a filled but unreadable value is F03's "does not parse", not "missing"
                row[field] = bad if bad is not None else (None if value is None else str(value))
                row[f"{field}_bad"] = bad
            row["period_parsed"] = header.period
            row["unit_status"] = unit_status(registry, header.unit_code, header.period)
            row["missing_roster_columns"] = (
                ";".join(item.report.missing_roster_columns) or None)
            row["missing_summary_codes"] = ";".join(item.report.missing_summary_codes) or None
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in _files_columns():
        if column not in frame:
            frame[column] = None
    return frame.astype({c: "object" for c in _files_columns()})


def _files_columns() -> list[str]:
    fields = list(layout.INFO_FIELDS)
    return [*fields, *(f"{f}_bad" for f in fields), "period_parsed", "unit_status",
            "missing_roster_columns", "missing_summary_codes", "read_error"]


def structurally_sound(report: CellReport) -> bool:
    """Row and count rules only make sense when the columns and codes are all there."""
    return not report.missing_roster_columns and not report.missing_summary_codes


def summary_frame(items: Sequence[BatchItem]) -> pd.DataFrame:
    rows = []
    for sub, item in enumerate(items):
        report = item.report
        if report is None or not structurally_sound(report) or report.header.period is None:
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
                    "from_roster": code in layout.ROSTER_INDICATORS,
                })
    columns = ["sub", "excel_row", "code", "population", "declared", "declared_bad", "derived",
               "from_roster"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"declared_bad": "object", "derived": "float64"})


def roster_frame(items: Sequence[BatchItem]) -> pd.DataFrame:
    rows = []
    for sub, item in enumerate(items):
        report = item.report
        if report is None or not structurally_sound(report):
            continue
        period_end = last_day(report.header.period) if report.header.period else None
        for roster_row in report.roster:
            rows.append(_roster_record(sub, roster_row, report, period_end))
    frame = pd.DataFrame(rows, columns=_roster_columns())
    for field in (*layout.ROSTER_DATE_FIELDS, "report_date", "period_end"):
        frame[field] = pd.to_datetime(frame[field])
    return frame


def _roster_columns() -> list[str]:
    fields = list(layout.ROSTER_COLUMNS)
    return ["sub", "excel_row", *fields, *(f"{f}_raw" for f in fields),
            *(f"{f}_bad" for f in fields), "stage_n", "report_date", "period_end"]


def _roster_record(sub: int, row: RosterRow, report: CellReport,
                   period_end: date | None) -> dict[str, object]:
    record: dict[str, object] = {"sub": sub, "excel_row": row.excel_row,
                                 "report_date": report.header.report_date,
                                 "period_end": period_end, "stage_n": row.stage}
    for field in layout.ROSTER_COLUMNS:
        value = getattr(row, field)
        bad = row.invalid.get(field)
        record[f"{field}_bad"] = bad
        # "_raw" tells whether the cell was filled at all (rule R01), parsed or not
        record[f"{field}_raw"] = bad if bad is not None else _as_text(value)
        record[field] = value
    for field in CODED:  # coded columns hold the canonical code, or the raw text if unknown
        record[field] = row.invalid.get(field, _code_text(field, getattr(row, field)))
    return record


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
