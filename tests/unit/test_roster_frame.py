"""The roster frame is what pandas makes of the rows' records, however it is assembled."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from factories import PERIOD, make_roster, make_row, make_summary, make_workbook

from core import layout
from core.form import RosterRow
from core.registry import Registry
from forms.reader import read_cell_report
from validations import roster_frame as module
from validations.context import Context
from validations.frames import BatchItem, structurally_sound
from validations.roster_frame import roster_frame


def _batch() -> list[BatchItem]:
    """Rows with every kind of gap: bad values, no dates, no number, a missing helper."""
    rows = make_roster()
    rows[0] = replace(rows[0], pid=None, birth_date=None)  # no number: no pid checks
    rows[1] = replace(rows[1], pid="06820500000X", gender="X")  # bad number, unknown code
    rows[2] = replace(rows[2], helper_2=None, stage_date=None)
    rows.append(replace(make_row(30, 7), decision_date=None))
    items = [BatchItem(read_cell_report(make_workbook(roster=rows, summary=make_summary(rows))))]
    items.append(BatchItem(None))  # refused before it was read: no rows
    return items


def _as_pandas_makes_it(items: list[BatchItem], ctx: Context) -> pd.DataFrame:
    """The frame built from a dict per row, each cell named (a row's missing keys filled
    by pandas)."""
    records = []
    for sub, item in enumerate(items):
        report = item.report
        if report is None or not structurally_sound(report):
            continue
        facts = module._ReportFacts.of(report, ctx)
        for row in report.roster:
            records.append({**_named_cells(sub, row), **module._derived(row, facts, ctx)})
    return module.typed(pd.DataFrame(records, columns=module._columns()))


def _named_cells(sub: int, row: RosterRow) -> dict[str, object]:
    """What the frame says of a row's cells, by column name: the value (a coded one as its
    code, or its text when unknown), whether it was filled, the text that did not parse."""
    record: dict[str, object] = {"sub": sub, "excel_row": row.excel_row, "stage_n": row.stage}
    for field in module.VALUE_FIELDS:
        value, bad = getattr(row, field), row.invalid.get(field)
        record[f"{field}_bad"] = bad
        record[f"{field}_raw"] = bad if bad is not None else module._as_text(value)
        record[field] = value
    filled = row.invalid.get("pid") is not None or module._as_text(row.pid) is not None
    record["pid_raw"] = True if filled else None
    for field in layout.CHECKED_CODES:
        record[field] = row.invalid.get(field, module._code_text(field, getattr(row, field)))
    return record


def test_the_frame_equals_the_one_built_from_a_record_per_row(registry: Registry) -> None:
    items = _batch()
    ctx = Context(registry=registry, run_period=PERIOD, secret=b"frame")
    built, expected = roster_frame(items, ctx), _as_pandas_makes_it(items, ctx)
    pd.testing.assert_frame_equal(built, expected, check_exact=True)
    # None (a value the row has: empty) and NaN (a column the row lacks) stay apart
    for column in built.select_dtypes(include="object").columns:
        assert [type(v) for v in built[column]] == [type(v) for v in expected[column]], column


def test_a_column_a_row_lacks_is_nan_and_an_empty_value_is_none(registry: Registry) -> None:
    frame = roster_frame(_batch(), Context(registry=registry, run_period=PERIOD))
    first = frame.iloc[0]  # no identification number: none of its checks
    assert pd.isna(first["pid_well_formed"]) and first["pid_well_formed"] is not None
    assert first["pid_raw"] is None and first["full_name_bad"] is None
    assert len(frame) == 8
