"""Validating a batch of submissions: one GX run per frame, findings mapped back to cells."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from core import layout
from core.findings import Finding, reading_order
from core.form import CellRef, CellReport, RosterRow
from core.history import StoredRoster
from core.register import REGISTER_SHEET
from core.registry import Registry
from validations.context import Context
from validations.datadocs import run_name
from validations.frames import (
    BatchItem,
    absent_frame,
    files_frame,
    register_frame,
    summary_frame,
    wide_frame,
)
from validations.messages import message
from validations.roster_frame import roster_frame
from validations.same_person import (
    rosters_in_force,
    same_person_frame,
    stored_same_person_frame,
)
from validations.suites import (
    ABSENT,
    FILES,
    REGISTER,
    ROSTER,
    SAME_PERSON,
    SUMMARY,
    WIDE,
    Engine,
)

# One GX context serves the process; chunks validated in threads take turns on it (it is
# not documented as thread-safe, and the work holds the GIL anyway).
_ONE_AT_A_TIME = threading.Lock()


@lru_cache(maxsize=4)
def engine(docs_dir: Path | None = None) -> Engine:
    """One GX context per process (and Data Docs folder): building it costs far more than
    a validation."""
    return Engine(docs_dir)


def warm_up(docs_dir: Path | None = None) -> None:
    """The process's GX context made now, ahead of the first validation."""
    with _ONE_AT_A_TIME:
        engine(docs_dir)


def validate_batch(items: Sequence[BatchItem], registry: Registry, run_period: str,
                   context: Context | None = None, docs_dir: Path | None = None, *,
                   same_person: bool = True) -> list[list[Finding]]:
    """Findings for every item of the batch, in the batch's order. ``run_period`` is the
    month being consolidated (a report for another month is filed under its own: F06).
    With ``docs_dir`` the GX Data Docs site there shows this validation. With
    ``same_person=False`` H07 is left out: a flow validating its files in several chunks
    checks it once over all of them (:func:`listed_elsewhere`)."""
    ctx = context or Context(registry=registry, run_period=run_period)
    frames = {FILES: files_frame(items, ctx), SUMMARY: summary_frame(items),
              WIDE: wide_frame(items, ctx), ROSTER: roster_frame(items, ctx),
              ABSENT: absent_frame(items, ctx), REGISTER: register_frame(items, ctx)}
    findings = _run(frames, items, docs_dir, _run_name(ctx))
    if same_person:
        for found, more in zip(findings, listed_elsewhere(items, findings, ctx, docs_dir),
                               strict=True):
            found.extend(more)
    return [dedupe(found) for found in findings]


def listed_elsewhere(items: Sequence[BatchItem], findings: Sequence[Sequence[Finding]],
                     context: Context, docs_dir: Path | None = None) -> list[list[Finding]]:
    """The H07 findings of every item, given every other finding of the run: a person on
    the roster in force of another cell in the same period (validations.same_person). The
    rosters in force depend on which files are accepted, hence the second pass."""
    frame = same_person_frame(items, rosters_in_force(items, findings, context), context)
    return _run({SAME_PERSON: frame}, items, docs_dir, _run_name(context))


def listed_elsewhere_stored(rosters: Sequence[StoredRoster], in_force: dict[str, set[str]],
                            context: Context, docs_dir: Path | None = None,
                            ) -> list[list[Finding]]:
    """H07 over a month's rosters in force as the warehouse keeps them (one per file, in
    order): the same expectation, the same findings as :func:`listed_elsewhere` over the
    same files read again, without reading them (``in_force``: who the month's accepted
    rosters list, a person's key -> the units)."""
    frame = stored_same_person_frame(rosters, in_force)
    findings: list[list[Finding]] = [[] for _ in rosters]
    if frame.empty:
        return findings
    finder = Rows(frame)
    with _ONE_AT_A_TIME:
        results = engine(docs_dir).run(SAME_PERSON, frame, _run_name(context)).results
    listed = {(sub, row.excel_row): row for sub, roster in enumerate(rosters)
              for row in roster.rows}
    for result in results:
        if result.success:
            continue
        meta = result.expectation_config.meta or {}
        for hit in result.result.get("unexpected_index_list") or []:
            sub, excel_row = int(hit["sub"]), int(hit["excel_row"])
            roster = rosters[sub]
            findings[sub].append(Finding(
                meta["rule"], roster.sheet, excel_row, roster.pid_column,
                message(meta["check"], meta.get("field"), row=listed[(sub, excel_row)],
                        derived=finder.row(sub=sub, excel_row=excel_row)),
                meta.get("level")))
    return [dedupe(found) for found in findings]


def _run_name(ctx: Context) -> str:
    """The run's name in Data Docs: the unit, the month, the run's start."""
    return run_name(ctx.unit_code, ctx.run_period, ctx.run_started, ctx.timezone)


def _run(frames: dict[str, pd.DataFrame], items: Sequence[BatchItem],
         docs_dir: Path | None, run_label: str | None = None) -> list[list[Finding]]:
    """One GX run per frame, named ``run_label`` in Data Docs; each failure mapped back to
    its item and cell."""
    findings: list[list[Finding]] = [[] for _ in items]
    rows = _roster_index(items)
    with _ONE_AT_A_TIME:
        validated = engine(docs_dir).run_frames(frames, run_label)
    for name, validation in validated.items():
        finder = Rows(frames[name])
        for result in validation.results:
            if result.success:
                continue
            meta = result.expectation_config.meta or {}
            for hit in result.result.get("unexpected_index_list") or []:
                sub = int(hit["sub"])
                findings[sub].append(_finding(name, meta, hit, items[sub], finder, rows))
    return findings


class Rows:
    """Rows of a frame found by key columns in constant time (a boolean mask per finding
    made the mapping quadratic: 12,000 findings took 20 s)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._indexes: dict[tuple[str, ...], dict[tuple, int]] = {}  # type: ignore[type-arg]

    def row(self, **keys: object) -> pd.Series:
        names = tuple(sorted(keys))
        index = self._indexes.get(names)
        if index is None:
            columns = [self.frame[name].tolist() for name in names]
            index = {key: i for i, key in enumerate(zip(*columns, strict=True))}
            self._indexes[names] = index
        return self.frame.iloc[index[tuple(keys[name] for name in names)]]


def _roster_index(items: Sequence[BatchItem]) -> dict[tuple[int, int], RosterRow]:
    return {(sub, row.excel_row): row for sub, item in enumerate(items) if item.report
            for row in item.report.roster}


def dedupe(found: list[Finding]) -> list[Finding]:
    """One finding per rule and cell (two checks of a rule may hit the same cell)."""
    seen: dict[tuple, Finding] = {}  # type: ignore[type-arg]
    for f in found:
        seen.setdefault((f.rule_id, f.sheet, f.row, f.column), f)
    return sorted(seen.values(), key=reading_order)


def _finding(frame_name: str, meta: dict, hit: dict, item: BatchItem,  # type: ignore[type-arg]
             frame: Rows, rows: dict[tuple[int, int], RosterRow]) -> Finding:
    rule, check, field, level = meta["rule"], meta["check"], meta.get("field"), meta.get("level")
    if check == "read_error":
        assert item.error is not None
        return Finding(rule, item.error.sheet, None, None, item.error.message_vi, level)
    if frame_name == REGISTER:
        return _register_finding(rule, check, field, item, hit)
    report = item.report
    assert report is not None
    if frame_name == FILES:
        found = _header_finding(rule, check, field, report, hit, frame.row(sub=hit["sub"]),
                                item.sender)
    elif frame_name == SUMMARY:
        found = _summary_finding(rule, check, report, hit, frame)
    elif frame_name == WIDE:
        found = _wide_finding(rule, check, field, report, hit, frame)
    elif frame_name == ABSENT:
        found = Finding(rule, report.sheet(layout.SHEET_ROSTER), report.roster_header_row, None,
                        message(check, None, hit["full_name"], last_period=hit["last_period"],
                                last_stage=hit["last_stage"]))
    else:
        row = rows[(int(hit["sub"]), int(hit["excel_row"]))]
        frame_row = frame.row(sub=hit["sub"], excel_row=hit["excel_row"])
        found = Finding(rule, report.sheet(layout.SHEET_ROSTER), row.excel_row,
                        report.roster_columns.get(field or ""),
                        message(check, field, row.invalid.get(field or "",
                                                              getattr(row, field or "", None)),
                                row=row, derived=frame_row, report=report))
    return Finding(found.rule_id, found.sheet, found.row, found.column, found.message, level)


def _header_finding(rule: str, check: str, field: str | None, report: CellReport,
                    hit: dict, derived: pd.Series,  # type: ignore[type-arg]
                    sender: str = "") -> Finding:
    header = report.header
    if check == "hidden_sheet":
        hidden = report.hidden_sheets
        return Finding(rule, hidden[0] if hidden else None, None, None,
                       message(check, None, hidden))
    if check in ("missing_columns", "missing_codes"):
        roster = check == "missing_columns"
        sheet = report.sheet(layout.SHEET_ROSTER if roster else layout.SHEET_SUMMARY)
        row = report.roster_header_row if roster else report.summary_header_row
        value = report.missing_roster_columns if roster else report.missing_summary_codes
        return Finding(rule, sheet, row, None, message(check, None, ";".join(value)))
    if check == "macros":
        return Finding(rule, None, None, None, message(check, None))
    if check == "counted_from_roster":
        return _counted_finding(rule, check, report)
    ref = header.cells.get(field or "", CellRef(layout.SHEET_INFO))
    value = header.invalid.get(field or "", getattr(header, field or "", None))
    text = message(check, field, value, period=header.period, run_period=hit.get("run_period"),
                   status=derived["unit_status"], derived=derived, sender=sender)
    return Finding(rule, ref.sheet, ref.row, ref.column, text)


def _counted_finding(rule: str, check: str, report: CellReport) -> Finding:
    """At the first counted indicator's code: its value cells may carry X01's own errors."""
    codes = report.counted_from_roster
    line = report.summary.get(codes[0])
    return Finding(rule, report.sheet(layout.SHEET_SUMMARY),
                   line.excel_row if line else report.summary_header_row, None,
                   message(check, None, ";".join(codes)))


def _summary_finding(rule: str, check: str, report: CellReport, hit: dict,  # type: ignore[type-arg]
                     frame: Rows) -> Finding:
    population, code = hit["population"], hit["code"]
    line = report.summary[code]
    value = line.invalid.get(population, getattr(line, population) or 0)
    derived = frame.row(sub=hit["sub"], code=code, population=population)["derived"]
    text = message(check, None, value, code=code, population=population,
                   derived=None if pd.isna(derived) else int(derived))
    return Finding(rule, report.sheet(layout.SHEET_SUMMARY), int(hit["excel_row"]),
                   report.summary_columns.get(population), text)


def _wide_finding(rule: str, check: str, code: str | None, report: CellReport,  # type: ignore[type-arg]
                  hit: dict, frame: Rows) -> Finding:
    population = hit["population"]
    line = report.summary[code or "TH01"]
    frame_row = frame.row(sub=hit["sub"], population=population)
    value = line.invalid.get(population, getattr(line, population) or 0)
    text = message(check, code, value, code=code,
                   population=population, derived=frame_row)
    return Finding(rule, report.sheet(layout.SHEET_SUMMARY), line.excel_row,
                   report.summary_columns.get(population), text)


def _register_finding(rule: str, check: str, field: str | None, item: BatchItem,
                      hit: dict) -> Finding:  # type: ignore[type-arg]
    register = item.register
    assert register is not None
    row = next(r for r in register.rows if r.excel_row == int(hit["excel_row"]))
    value = row.invalid.get(field or "", getattr(row, field or "", None))
    return Finding(rule, REGISTER_SHEET, row.excel_row, register.columns.get(field or ""),
                   message(check, field, value))
