"""The province's Great Expectations suites for the districts' upward data files.

Rules P01–P08 (docs/province.md), one suite per frame of validations.export_frames. Every
expectation carries ``meta``: the rule id, the kind of check (which
validations.export_messages turns into a Vietnamese sentence), the column it points at and,
for a rule with two levels, the severity of this part. Failures are grouped into one
finding per file, rule, check and unit, pointing at the first line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import great_expectations.expectations as gxe
import pandas as pd

from core.export_format import ExportFile
from core.findings import WARNING, Finding
from core.registry import Registry
from validations.datadocs import run_name
from validations.export_frames import (
    ExportItem,
    ProvinceContext,
    extra_column_kinds,
    files_frame,
    required_frame,
    values_frame,
)
from validations.export_messages import KINDS, message, shown
from validations.suites import Engine

FILES, VALUES, REQUIRED = "district_files", "district_values", "district_required"
IGNORE_MISSING = {"ignore_row_if": "either_value_is_missing"}
CHECK_COLUMN = {  # the data file's column a check points at
    "unit_status": "unit_code", "level": "unit_level", "parent": "parent_code",
    "bad_code": "indicator", "bad_period": "period", "negative": "value",
    "duplicate": "indicator", "children_sum": "value", "parts_sum": "value",
    "other_period": "period",
}


def _meta(rule: str, check: str, level: str | None = None) -> dict[str, str | None]:
    return {"rule": rule, "check": check, "level": level}


def _equal(a: str, b: str, meta: dict) -> gxe.Expectation:  # type: ignore[type-arg]
    return gxe.ExpectColumnPairValuesToBeEqual(column_A=a, column_B=b, **IGNORE_MISSING,
                                               meta=meta)


def _at_least(a: str, b: str, meta: dict) -> gxe.Expectation:  # type: ignore[type-arg]
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=a, column_B=b, or_equal=True,
                                                       **IGNORE_MISSING, meta=meta)


def files_expectations() -> list[gxe.Expectation]:
    found: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToNotBeInSet(column="read_error", value_set=[rule],
                                           meta=_meta(rule, "read_error"))
        for rule in ("F01", "F02", "F07")
    ]
    found += [
        gxe.ExpectColumnValuesToBeBetween(column="periods", min_value=1, max_value=1,
                                          meta=_meta("P01", "periods")),
        gxe.ExpectColumnValuesToBeBetween(column="top_count", min_value=1, max_value=1,
                                          meta=_meta("P01", "top_count")),
        _equal("file_period", "run_period", _meta("P02", "other_period")),
        _equal("reports_accepted", "cells_in_file", _meta("P07", "accepted_cells")),
        _at_least("reports_expected", "reports_accepted", _meta("P07", "expected_accepted")),
        _at_least("reports_accepted", "reports_on_time", _meta("P07", "accepted_on_time")),
        _equal("reports_expected", "registry_expected",
               _meta("P07", "expected_registry", WARNING)),
        gxe.ExpectColumnValuesToBeNull(column="extra_columns", meta=_meta("P08", "extra_columns")),
    ]
    return found


def values_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeInSet(column="unit_status", value_set=["active"],
                                        meta=_meta("P03", "unit_status")),
        _equal("unit_level", "level_expected", _meta("P04", "level")),
        _equal("parent", "parent_expected", _meta("P04", "parent")),
        gxe.ExpectColumnValuesToBeInSet(column="key_ok", value_set=[True],
                                        meta=_meta("P01", "bad_code")),
        gxe.ExpectColumnValuesToBeInSet(column="period_ok", value_set=[True],
                                        meta=_meta("P01", "bad_period")),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0,
                                          meta=_meta("P01", "negative")),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["sub", "unit_code", "population", "indicator", "breakdown"],
            meta=_meta("P01", "duplicate")),
        _equal("value", "children_sum", _meta("P05", "children_sum")),
        _equal("value", "parts_sum", _meta("P06", "parts_sum")),
        gxe.ExpectColumnValuesToBeNull(column="personal", meta=_meta("P08", "personal")),
    ]


def required_expectations() -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeInSet(column="present", value_set=[True],
                                            meta=_meta("P01", "missing_row"))]


SUITES = {FILES: files_expectations, VALUES: values_expectations,
          REQUIRED: required_expectations}
INDEX_COLUMNS = {FILES: ["sub"], VALUES: ["sub", "line"],
                 REQUIRED: ["sub", "unit_code", "population", "indicator", "breakdown"]}


@lru_cache(maxsize=4)
def export_engine(docs_dir: Path | None = None) -> Engine:
    """The GX engine with the suites of the districts' data files: one per process and Data
    Docs folder, since building it costs seconds."""
    return Engine(docs_dir, suites=SUITES, index_columns=INDEX_COLUMNS,
                  source_name="province", suite_prefix="du_lieu")


def validate_exports(items: Sequence[ExportItem], registry: Registry, run_period: str,
                     province_code: str, docs_dir: Path | None = None, *,
                     run_started: datetime | None = None) -> list[list[Finding]]:
    """Findings for every data file of the batch, in the batch's order. In Data Docs the
    validations are named after the province, the month and ``run_started`` (the flow's
    start, shown in its own time zone; None: now)."""
    ctx = ProvinceContext(registry, run_period, province_code)
    name_of_run = run_name(province_code, run_period, run_started)
    frames = {FILES: files_frame(items, ctx), VALUES: values_frame(items, ctx),
              REQUIRED: required_frame(items, ctx)}
    groups: dict[tuple, list[dict]] = {}  # type: ignore[type-arg]
    validated = export_engine(docs_dir).run_frames(frames, run_name=name_of_run)
    for name, validation in validated.items():
        rows = _rows_by_index(frames[name], INDEX_COLUMNS[name])
        for result in validation.results:
            if result.success:
                continue
            meta = result.expectation_config.meta or {}
            for hit in result.result.get("unexpected_index_list") or []:
                key = tuple(hit[c] for c in INDEX_COLUMNS[name])
                row = rows[key]
                unit = row.get("unit_code") if name != FILES else None
                groups.setdefault((int(row["sub"]), meta["rule"], meta["check"],
                                   meta.get("level"), unit), []).append(row)
    findings: list[list[Finding]] = [[] for _ in items]
    for (sub, rule, check, level, _unit), hits in groups.items():
        findings[sub].append(_finding(rule, check, level, hits, items[sub]))
    return [sorted(found, key=lambda f: (f.row or 0, f.rule_id, f.message)) for found in findings]


def _rows_by_index(frame: pd.DataFrame, columns: list[str]) -> dict[tuple, dict]:  # type: ignore[type-arg]
    records = frame.to_dict("records")
    return {tuple(r[c] for c in columns): r for r in records}


def _finding(rule: str, check: str, level: str | None, hits: list[dict],  # type: ignore[type-arg]
             item: ExportItem) -> Finding:
    first = min(hits, key=lambda h: h.get("line") or 0)
    file = item.file
    if check == "read_error":
        assert item.error is not None
        return Finding(rule, None, getattr(item.error, "line", None), None,
                       item.error.message_vi, level)
    assert file is not None
    if check == "missing_row":
        examples = ", ".join(f"{h['population']}/{h['indicator']}/{h['breakdown']}"
                             for h in hits[:3])
        text = message(check, {**first, "count": len(hits), "examples": examples})
        return Finding(rule, None, None, None, text, level)
    if check == "extra_columns":
        return Finding(rule, None, 1, file.column_letter(file.extra_columns[0]),
                       message(check, {"extra_text": _extra_text(file)}), level)
    column = first.get("personal_field") if check == "personal" else CHECK_COLUMN.get(check)
    return Finding(rule, None, first.get("line"), file.column_letter(column or ""),
                   message(check, first, len(hits)), level)


def _extra_text(file: ExportFile) -> str:
    parts = []
    for column, kind in extra_column_kinds(file).items():
        parts.append(f"«{shown(column)}»" + (f" (có dạng {KINDS[kind]})" if kind else ""))
    return ", ".join(parts)
