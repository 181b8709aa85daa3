"""Plain DataFrames of a batch of district data files, the shape the province's suites expect.

Three frames hold the whole batch, keyed by ``sub`` (the file's index in the batch):
``files`` (one row a file), ``values`` (one row a value, with ``line``) and ``required``
(one row for every row the spec requires of each unit in the file, with ``present``).
Derived columns — the registry's level and parent, the sum of the children, the sum of the
two populations — turn every rule into a plain column comparison.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from core.errors import ReadError
from core.export_format import REPORTS_INDICATORS, TOTAL, ExportFile, ExportRow, value_keys
from core.layout import POPULATIONS
from core.periods import InvalidPeriod, parse_period
from core.registry import REPORTING_LEVEL, Registry

TOP = "—"  # stands for "no parent" so that a missing parent is compared, not ignored
TEXT_FIELDS = ("period", "unit_code", "unit_level", "parent_code", "population", "indicator",
               "breakdown")
# No count of candidates or members comes near this; a date (20070315) or an id number does.
LARGEST_COUNT = 9_999_999
_DATE = re.compile(r"(?<!\d)(\d{1,2}[/.\-]\d{1,2}[/.\-](\d{4}|\d{2})|(19|20)\d{2}-\d{1,2}-\d{1,2})"
                   r"(?!\d)")
_PID = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")


@dataclass(frozen=True)
class ExportItem:
    """One received data file of the batch: what the reader made of it, and who sent it."""

    file: ExportFile | None
    error: ReadError | None = None
    sender: str = ""


@dataclass(frozen=True)
class ProvinceContext:
    registry: Registry
    run_period: str
    province_code: str


def personal_kind(text: str) -> str | None:
    """``name``, ``date`` or ``pid`` when ``text`` looks like personal data, else None."""
    if not text:
        return None
    if _PID.search(text):
        return "pid"
    if _DATE.search(text):
        return "date"
    words = text.split()
    if len(words) >= 2 and all(w[0].isupper() and w.replace("'", "").isalpha() for w in words):
        return "name"
    return None


def valid_period(text: str) -> str | None:
    """``text`` if it is a canonical ``YYYY-MM`` period, else None."""
    try:
        return text if parse_period(text) == text else None
    except InvalidPeriod:
        return None


def is_cell(row: ExportRow, registry: Registry) -> bool:
    unit = registry.get(row.unit_code)
    return (unit.level if unit else row.unit_level) == REPORTING_LEVEL


def top_units(file: ExportFile, registry: Registry) -> list[str]:
    """The units above the cells in the file (exactly one is expected: the district)."""
    return sorted({r.unit_code for r in file.rows if not is_cell(r, registry)})


def required_keys(cell: bool) -> list[tuple[str, str, str]]:
    keys = value_keys()
    return keys if cell else [*keys, *((TOTAL, i, TOTAL) for i in REPORTS_INDICATORS)]


def files_frame(items: Sequence[ExportItem], ctx: ProvinceContext) -> pd.DataFrame:
    records = []
    for sub, item in enumerate(items):
        row: dict[str, object] = {"sub": sub, "run_period": ctx.run_period,
                                  "read_error": item.error.rule_id if item.error else None}
        if item.file is not None:
            row.update(_file_columns(item.file, ctx))
        records.append(row)
    columns = ["sub", "run_period", "read_error", "periods", "file_period", "top_count",
               "reports_expected", "reports_accepted", "reports_on_time", "cells_in_file",
               "registry_expected", "extra_columns"]
    return pd.DataFrame.from_records(records, columns=columns).astype(object)


def _file_columns(file: ExportFile, ctx: ProvinceContext) -> dict[str, object]:
    registry = ctx.registry
    periods = sorted({r.period for r in file.rows})
    tops = top_units(file, registry)
    top = tops[0] if len(tops) == 1 else None
    counts = {r.indicator: r.value for r in file.rows
              if r.unit_code == top and r.indicator in REPORTS_INDICATORS}
    cells = {r.unit_code for r in file.rows if is_cell(r, registry)}
    period = valid_period(periods[0]) if len(periods) == 1 else None
    expected = (len(registry.reporting_cells(top, period))
                if top and period and registry.get(top) else None)
    return {
        "periods": len(periods), "file_period": period, "top_count": len(tops),
        "reports_expected": counts.get("REPORTS_EXPECTED"),
        "reports_accepted": counts.get("REPORTS_ACCEPTED"),
        "reports_on_time": counts.get("REPORTS_ON_TIME"),
        "cells_in_file": len(cells) if top else None,
        "registry_expected": expected,
        "extra_columns": ";".join(file.extra_columns) or None,
    }


def values_frame(items: Sequence[ExportItem], ctx: ProvinceContext) -> pd.DataFrame:
    records = []
    for sub, item in enumerate(items):
        if item.file is None:
            continue
        records.extend(_value_records(sub, item.file, ctx))
    columns = ["sub", "line", "unit_code", "unit_level", "parent", "population", "indicator",
               "breakdown", "value", "unit_status", "level_expected", "parent_expected",
               "key_ok", "period_ok", "children_sum", "parts_sum", "personal", "personal_field"]
    return pd.DataFrame.from_records(records, columns=columns).astype(object)


def _value_records(sub: int, file: ExportFile, ctx: ProvinceContext) -> list[dict[str, object]]:
    registry = ctx.registry
    tops = top_units(file, registry)
    top = tops[0] if len(tops) == 1 else None
    cell_keys, top_keys = set(required_keys(True)), set(required_keys(False))
    by_key = {(r.unit_code, r.population, r.indicator, r.breakdown): r.value for r in file.rows}
    children: dict[tuple[str, str, str, str], int] = defaultdict(int)
    # each key once (a row given twice is P01's, not a wrong sum)
    cells = {(r.unit_code, r.population, r.indicator, r.breakdown): r for r in file.rows
             if r.parent_code and is_cell(r, registry)}
    for r in cells.values():
        children[(r.parent_code, r.population, r.indicator, r.breakdown)] += r.value  # type: ignore[index]
    records = []
    for row, line in zip(file.rows, file.lines, strict=True):
        unit = registry.get(row.unit_code)
        cell = is_cell(row, registry)
        key = (row.population, row.indicator, row.breakdown)
        kind, field = _personal(row)
        records.append({
            "sub": sub, "line": line, "unit_code": row.unit_code, "unit_level": row.unit_level,
            "parent": row.parent_code or TOP, "population": row.population,
            "indicator": row.indicator, "breakdown": row.breakdown, "value": row.value,
            "unit_status": _unit_status(row, cell, top, ctx),
            "level_expected": unit.level if unit else None,
            "parent_expected": (unit.parent_code or TOP) if unit else None,
            "key_ok": key in (cell_keys if cell else top_keys),
            "period_ok": valid_period(row.period) is not None,
            "children_sum": (children.get((row.unit_code, *key), 0)
                             if not cell and row.indicator not in REPORTS_INDICATORS else None),
            "parts_sum": _parts(by_key, row),
            "personal": kind, "personal_field": field,
        })
    return records


def _unit_status(row: ExportRow, cell: bool, top: str | None, ctx: ProvinceContext) -> str:
    unit = ctx.registry.get(row.unit_code)
    if unit is None:
        return "unknown"
    if not unit.active_in(valid_period(row.period) or ctx.run_period):
        return "inactive"
    # a unit placed as the registry places it, but under another district (or province)
    # than this file's; a parent that differs from the registry is P04's
    owner = top if cell else ctx.province_code
    placed_elsewhere = row.parent_code == unit.parent_code and owner not in (None,
                                                                             unit.parent_code)
    return "outside" if placed_elsewhere else "active"


def _parts(by_key: dict[tuple[str, str, str, str], int], row: ExportRow) -> int | None:
    if row.population != TOTAL or row.indicator in REPORTS_INDICATORS:
        return None
    parts = [by_key.get((row.unit_code, p, row.indicator, row.breakdown)) for p in POPULATIONS]
    return None if None in parts else sum(parts)  # type: ignore[arg-type]


def _personal(row: ExportRow) -> tuple[str | None, str | None]:
    for field in TEXT_FIELDS:
        kind = personal_kind(getattr(row, field) or "")
        if kind:
            return kind, field
    if abs(row.value) > LARGEST_COUNT:
        return "big_number", "value"
    return None, None


def required_frame(items: Sequence[ExportItem], ctx: ProvinceContext) -> pd.DataFrame:
    records = []
    for sub, item in enumerate(items):
        if item.file is None:
            continue
        present = {(r.unit_code, r.population, r.indicator, r.breakdown) for r in item.file.rows}
        cells = {r.unit_code: is_cell(r, ctx.registry) for r in item.file.rows}
        for code, cell in sorted(cells.items()):
            records.extend(
                {"sub": sub, "unit_code": code, "population": p, "indicator": i,
                 "breakdown": b, "present": (code, p, i, b) in present}
                for p, i, b in required_keys(cell))
    columns = ["sub", "unit_code", "population", "indicator", "breakdown", "present"]
    return pd.DataFrame.from_records(records, columns=columns).astype(object)


def extra_column_kinds(file: ExportFile) -> dict[str, str | None]:
    """For each extra column, what its texts look like (name, date, pid) if anything."""
    found: dict[str, str | None] = {}
    for index, column in enumerate(file.extra_columns):
        kinds = {personal_kind(values[index]) for values in file.extras} - {None}
        found[column] = sorted(kinds)[0] if kinds else None  # type: ignore[type-var]
    return found
