"""Validating a batch of submissions in one GX run per frame, findings mapped back to cells."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from cellreports.registry import Registry
from forms import layout
from forms.model import CellRef, CellReport
from validations.findings import Finding
from validations.frames import BatchItem, files_frame, roster_frame, summary_frame
from validations.messages import message
from validations.suites import FILES, ROSTER, SUMMARY, Engine


@lru_cache(maxsize=1)
def engine() -> Engine:
    """One GX context per process: building it costs far more than a validation."""
    return Engine()


def validate_batch(items: Sequence[BatchItem], registry: Registry, run_period: str,
                   ) -> list[list[Finding]]:
    """Findings for every item of the batch, in the batch's order. ``run_period`` is the
    month being consolidated (a report for another month is filed under its own: F06)."""
    findings: list[list[Finding]] = [[] for _ in items]
    frames = {FILES: files_frame(items, registry, run_period), SUMMARY: summary_frame(items),
              ROSTER: roster_frame(items)}
    for name, frame in frames.items():
        if frame.empty:
            continue
        result = engine().run(name, frame)
        for expectation_result in result.results:
            if expectation_result.success:
                continue
            meta = expectation_result.expectation_config.meta or {}
            for hit in expectation_result.result.get("unexpected_index_list") or []:
                sub = int(hit["sub"])
                findings[sub].append(_finding(name, meta, hit, items[sub], frame))
    for item, found in zip(items, findings, strict=True):
        if item.report is not None and item.report.has_macros:
            found.append(Finding("F09", None, None, None,
                                 "Tệp có chứa macro; macro đã được bỏ qua, không chạy."))
    return [sorted(set(found), key=_order) for found in findings]


def _order(f: Finding) -> tuple:  # type: ignore[type-arg]
    return (f.sheet or "", f.row or 0, f.column or "", f.rule_id, f.message)


def _finding(frame_name: str, meta: dict, hit: dict, item: BatchItem,  # type: ignore[type-arg]
             frame: pd.DataFrame) -> Finding:
    rule, check, field = meta["rule"], meta["check"], meta.get("field")
    if check == "read_error":
        assert item.error is not None
        return Finding(rule, item.error.sheet, None, None, item.error.message_vi)
    report = item.report
    assert report is not None
    if frame_name == FILES:
        return _header_finding(rule, check, field, report, hit)
    if frame_name == SUMMARY:
        return _summary_finding(rule, check, report, hit, frame)
    return _roster_finding(rule, check, field, report, hit)


def _header_finding(rule: str, check: str, field: str | None, report: CellReport,
                    hit: dict) -> Finding:  # type: ignore[type-arg]
    header = report.header
    ref = header.cells.get(field or "", CellRef(layout.SHEET_INFO))
    if check in ("missing_columns", "missing_codes"):
        sheet = layout.SHEET_ROSTER if check == "missing_columns" else layout.SHEET_SUMMARY
        row = report.roster_header_row if check == "missing_columns" else \
            report.summary_header_row
        value = (report.missing_roster_columns if check == "missing_columns"
                 else report.missing_summary_codes)
        return Finding(rule, sheet, row, None, message(check, None, ";".join(value)))
    value = header.invalid.get(field or "", getattr(header, field or "", None))
    text = message(check, field, value, status=hit.get("unit_status"), period=header.period,
                   run_period=hit.get("run_period"))
    return Finding(rule, ref.sheet, ref.row, ref.column, text)


def _summary_finding(rule: str, check: str, report: CellReport, hit: dict,  # type: ignore[type-arg]
                     frame: pd.DataFrame) -> Finding:
    population, code = hit["population"], hit["code"]
    line = report.summary[code]
    value = line.invalid.get(population, getattr(line, population) or 0)
    derived = frame.loc[(frame["sub"] == hit["sub"]) & (frame["code"] == code)
                        & (frame["population"] == population), "derived"].iloc[0]
    text = message(check, None, value, code=code, population=population,
                   derived=None if pd.isna(derived) else int(derived))
    return Finding(rule, layout.SHEET_SUMMARY, int(hit["excel_row"]),
                   report.summary_columns.get(population), text)


def _roster_finding(rule: str, check: str, field: str | None, report: CellReport,
                    hit: dict) -> Finding:  # type: ignore[type-arg]
    excel_row = int(hit["excel_row"])
    row = next(r for r in report.roster if r.excel_row == excel_row)
    value = row.invalid.get(field or "", getattr(row, field or "", None))
    text = message(check, field, value, report_date=report.header.report_date)
    return Finding(rule, layout.SHEET_ROSTER, excel_row, report.roster_columns.get(field or ""),
                   text)
