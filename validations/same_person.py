"""Rule H07, the same person on the rosters of two cells in the same period: a second pass.

Only rosters accepted in the end count as "the other cell's" — not a rejected file (a cell
that closed after a merge and still sends its roster gets F04), not a version a newer
accepted one supersedes. Acceptance depends on ERROR findings alone and H07 is a WARNING,
so H07 is checked after every other rule of the run: once over all the run's validation
chunks (flows.monthly), or at the end of a standalone ``validate_batch``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from core.findings import Finding
from core.history import StoredRoster, person_key
from core.registry import REPORTING_LEVEL
from validations.context import Context
from validations.frames import BatchItem, structurally_sound, unit_status

UnitPeriod = tuple[str, str]
PeopleInForce = dict[tuple[str, str], set[str]]  # (period, person_key) -> cells
COLUMNS = ["sub", "excel_row", "other_cells"]


def rosters_in_force(items: Sequence[BatchItem], findings: Sequence[Sequence[Finding]],
                     ctx: Context) -> PeopleInForce:
    """Who each cell's roster in force lists, per period, once this batch is loaded: for
    each (cell, period) the batch's latest accepted report, else the warehouse's accepted
    roster (``History.people_elsewhere``), which a newer accepted version supersedes."""
    latest = _latest_accepted(items, findings, ctx)
    in_force: PeopleInForce = {}
    for (period, who), units in ctx.history.people_elsewhere.items():
        kept = {unit for unit in units if (unit, period) not in latest}
        if kept:
            in_force[(period, who)] = kept
    for (unit, period), sub in latest.items():
        report = items[sub].report
        assert report is not None
        for row in report.roster:
            who = person_key(row.pid, row.full_name, row.birth_date, ctx.secret)
            if who is not None and row.pid:
                in_force.setdefault((period, who), set()).add(unit)
    return in_force


def _latest_accepted(items: Sequence[BatchItem], findings: Sequence[Sequence[Finding]],
                     ctx: Context) -> dict[UnitPeriod, int]:
    """(cell, period) -> the batch's last accepted report of it: files are loaded in the
    batch's order, and each accepted one supersedes the earlier versions."""
    latest: dict[UnitPeriod, int] = {}
    for sub, (item, found) in enumerate(zip(items, findings, strict=True)):
        report = item.report
        if report is None or any(f.is_error for f in found):
            continue
        unit, period = report.header.unit_code, report.header.period
        if unit and period and unit_status(ctx.registry, unit, period,
                                           ctx.unit_code) == "active":
            latest[(unit, period)] = sub
    return latest


def same_person_frame(items: Sequence[BatchItem], in_force: PeopleInForce,
                      ctx: Context) -> pd.DataFrame:
    """One row per roster row of the batch's cells with an identification number:
    ``other_cells`` names the other cells whose roster in force lists the same person."""
    rows = []
    for sub, item in enumerate(items):
        report = item.report
        if report is None or not structurally_sound(report) or not _is_cell(
                ctx, report.header.unit_code):
            continue
        unit, period = report.header.unit_code or "", report.header.period or ctx.run_period
        for row in report.roster:
            who = person_key(row.pid, row.full_name, row.birth_date, ctx.secret)
            if who is None or not row.pid:
                continue
            elsewhere = in_force.get((period, who), set()) - {unit}
            rows.append({"sub": sub, "excel_row": row.excel_row,
                         "other_cells": ", ".join(sorted(elsewhere)) or None})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"other_cells": "object"})


def stored_same_person_frame(rosters: Sequence[StoredRoster],
                             in_force: dict[str, set[str]]) -> pd.DataFrame:
    """The same frame over the month's rosters in force as the warehouse keeps them
    (``sub``: the roster's index), given who the month's accepted rosters list. A roster
    whose layout is not known has no findings of its own, as a file that no longer reads
    had none when it was read again."""
    rows = []
    for sub, roster in enumerate(rosters):
        if roster.sheet is None:
            continue
        for listed in roster.rows:
            elsewhere = in_force.get(listed.person_key, set()) - {roster.unit_code}
            rows.append({"sub": sub, "excel_row": listed.excel_row,
                         "other_cells": ", ".join(sorted(elsewhere)) or None})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"other_cells": "object"})


def _is_cell(ctx: Context, code: str | None) -> bool:
    """H07 compares rosters of reporting cells only (not of a wrongly coded file)."""
    unit = ctx.registry.get(code)
    return unit is not None and unit.level == REPORTING_LEVEL
