"""The breakdown's age bands, counted by the database (warehouse.queries._age_bands), are
the ages at the month's end, on both databases: people born on a band's edge, on 29
February, and admitted just inside and just outside the year so far."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from factories import make_header, make_row, make_summary, make_workbook

from core.form import RosterRow
from core.kinds import CELL_REPORT
from core.month import AGE_BANDS, MonthData
from core.periods import last_day
from core.registry import Registry
from forms.reader import read_cell_report
from warehouse.archive import Archive
from warehouse.db import make_engine, session_factory, upgrade
from warehouse.load import SubmissionRecord, load_submission, sync_registry
from warehouse.queries import month_data

BIRTHS = [date(2006, 2, 28), date(2006, 3, 1), date(2005, 2, 28), date(1996, 2, 29),
          date(1993, 2, 28), date(1993, 3, 1), date(1984, 3, 1), date(1983, 2, 28),
          date(1973, 2, 28), date(1974, 3, 1), date(1963, 2, 28), date(1963, 3, 1),
          date(2004, 2, 29), date(2010, 6, 1), date(1950, 1, 1)]
DECISIONS = [date(2023, 12, 31), date(2024, 1, 1), date(2025, 1, 1), date(2025, 2, 28),
             date(2025, 3, 1)]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def expected_bands(rows: list[RosterRow], period: str) -> dict[tuple[str, str, str, str], int]:
    """The count the Python way: each person's age at the month's end, by hand."""
    end, found = last_day(period), {}
    for row in rows:
        groups = (["TH05"] if 1 <= row.stage <= 6 else []) + (
            ["TH12"] if row.decision_date and row.decision_date.year == end.year
            and row.decision_date <= end else [])
        age = age_on(row.birth_date, end)
        [band] = [label for label, low, high in AGE_BANDS if low <= age <= high]
        for group in groups:
            key = ("BL01", row.population, group, band)
            found[key] = found.get(key, 0) + 1
    return found


def roster() -> list[RosterRow]:
    rows = [make_row(n, n % 6 + 1, birth_date=born,
                     population="hoc_sinh" if n % 2 else "vien_chuc")
            for n, born in enumerate(BIRTHS, start=1)]
    return rows + [make_row(len(rows) + n, 7, birth_date=date(1990, 5, n), decision_date=day,
                            stage_date=day)
                   for n, day in enumerate(DECISIONS, start=1)]


def _month_of(rows: list[RosterRow], period: str, warehouse_url: str, registry: Registry,
              tmp_path) -> MonthData:  # type: ignore[no-untyped-def]
    """BL01's report of ``rows`` for ``period`` loaded, and the district's month read back."""
    content = make_workbook(header=make_header("BL01", period), roster=rows,
                            summary=make_summary(rows, period))
    engine = make_engine(warehouse_url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        sync_registry(session, registry)
        load_submission(session, SubmissionRecord(
            stored=Archive(tmp_path).store(content), filename="BL01.xlsx", channel="folder",
            sender="BL01", received_at=datetime(int(period[:4]), 2, 20, 9, tzinfo=UTC),
            kind=CELL_REPORT, unit_code="BL01", period=period,
            report=read_cell_report(content), findings=[]), b"test-key")
    with sessions() as session:
        month = month_data(session, registry, "BL", period, deadline_day=25,
                           timezone="Asia/Ho_Chi_Minh")
    engine.dispose()
    return month


@pytest.mark.both_databases
@pytest.mark.parametrize("period", ["2024-02", "2025-02"])  # a month ending on 29 Feb, 28 Feb
def test_age_bands_are_each_persons_age_at_the_months_end(
        warehouse_url: str, registry: Registry, tmp_path, period: str) -> None:  # type: ignore[no-untyped-def]
    rows = roster()
    month = _month_of(rows, period, warehouse_url, registry, tmp_path)
    expected = expected_bands(rows, period)
    assert month.age_bands == expected
    assert {band for *_, band in expected} >= {"dưới 18", "18–30", "trên 60"}
    assert sum(v for (_, _, group, _), v in expected.items() if group == "TH12") == (
        1 if period == "2024-02" else 2)


@pytest.mark.both_databases
def test_the_months_values_share_one_string_per_population_indicator_and_breakdown(
        warehouse_url: str, registry: Registry, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A month of 10,000 cells holds 342,000 values: their keys' words each made once."""
    month = _month_of(roster(), "2024-02", warehouse_url, registry, tmp_path)
    keys = list(month.values)
    assert len(keys) > 20
    for part in (1, 2, 3):
        assert len({id(key[part]) for key in keys}) == len({key[part] for key in keys}), part
