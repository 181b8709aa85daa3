"""The naive pipeline the benchmark compares against: what a user following the Prefect and
Great Expectations tutorials would write. Bench code, not product code — kept honest: it
reads both sheets, validates them and loads them, one file at a time.

- one Prefect task per file;
- pandas.read_excel with openpyxl, each sheet;
- one GX validation per file (an ephemeral context, a suite of the main column checks);
- DataFrame.to_sql into the warehouse;
- the district total: a GROUP BY over what was loaded, written with pandas.to_excel.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, task
from sqlalchemy import create_engine

ROSTER_COLUMNS = {"STT": "stt", "Họ và tên": "full_name", "Ngày sinh": "birth_date",
                  "Số định danh cá nhân": "pid", "Giai đoạn": "stage"}


def _suite(gx):  # type: ignore[no-untyped-def]
    suite = gx.ExpectationSuite(name="roster")
    for column in ("full_name", "birth_date", "pid"):
        suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToMatchRegex(column="pid",
                                                                         regex=r"^\d{12}$"))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeUnique(column="pid"))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(
        column="stt", min_value=1, max_value=10_000))
    return suite


def _roster(path: Path) -> pd.DataFrame:
    raw = pd.read_excel(path, sheet_name="DanhSach", engine="openpyxl", header=None)
    header = next(i for i, value in enumerate(raw[0]) if str(value).strip() == "STT")
    frame = pd.read_excel(path, sheet_name="DanhSach", engine="openpyxl", header=header)
    frame = frame.rename(columns={c: ROSTER_COLUMNS.get(str(c).strip(), str(c)) for c in
                                  frame.columns})
    frame = frame[frame["stt"].notna()].copy()
    frame["pid"] = frame["pid"].astype(str)
    return frame


@task
def process_file(path: str, url: str) -> bool:
    import great_expectations as gx

    file = Path(path)
    summary = pd.read_excel(file, sheet_name="TongHop", engine="openpyxl", header=None)
    roster = _roster(file)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (context.data_sources.add_pandas("files").add_dataframe_asset("roster")
             .add_batch_definition_whole_dataframe("all")
             .get_batch(batch_parameters={"dataframe": roster}))
    result = batch.validate(_suite(gx))
    roster["unit_code"] = file.parent.name
    engine = create_engine(url)
    roster.astype(str).to_sql("naive_roster", engine, if_exists="append", index=False)
    summary.astype(str).assign(unit_code=file.parent.name).to_sql(
        "naive_summary", engine, if_exists="append", index=False)
    engine.dispose()
    return bool(result.success)


@task
def build_report(url: str, out: Path) -> Path:
    engine = create_engine(url)
    totals = pd.read_sql("SELECT unit_code, stage, COUNT(*) AS n FROM naive_roster "
                         "GROUP BY unit_code, stage", engine)
    engine.dispose()
    totals.to_excel(out, index=False)
    return out


@flow(name="naive-consolidation")
def naive_consolidation(inbox: str, url: str, out: str) -> int:
    files = sorted(str(p) for p in Path(inbox).rglob("*.xlsx"))
    valid = sum(1 for f in files if process_file(f, url))  # one task per file, in turn
    build_report(url, Path(out))
    return valid
