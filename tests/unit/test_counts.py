"""derive_roster_counts on small hand-built rosters whose answers are known."""

from __future__ import annotations

from datetime import date

import pytest

from core.counts import derive_roster_counts
from core.form import RosterRow
from core.layout import POPULATIONS, ROSTER_INDICATORS


def row(stage: int | None, population: str = "hoc_sinh", **dates: date) -> RosterRow:
    return RosterRow(excel_row=0, stage=stage, population=population, **dates)


def nonzero(counts: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    return {k: v for k, v in counts.items() if v}


def test_every_population_and_roster_code_is_present_even_for_an_empty_roster():
    counts = derive_roster_counts([], "2024-03")
    assert set(counts) == {(p, c) for p in POPULATIONS for c in ROSTER_INDICATORS}
    assert not nonzero(counts)


@pytest.mark.parametrize(("stage", "codes"), [
    (1, {"TH05"}),
    (2, {"TH05", "TH06"}),
    (3, {"TH05", "TH06", "TH07"}),
    (4, {"TH05", "TH06", "TH07", "TH08"}),
    (5, {"TH05", "TH06", "TH07", "TH08", "TH09"}),
    (6, {"TH05", "TH06", "TH07", "TH08", "TH09", "TH10"}),
    (7, {"TH14"}),
    (8, set()),
    (0, set()),
])
def test_each_stage_counts_in_the_cumulative_stage_indicators(stage, codes):
    counts = derive_roster_counts([row(stage)], "2024-03")
    assert nonzero(counts) == {("hoc_sinh", c): 1 for c in codes}


def test_a_mixed_roster_is_counted_per_population():
    roster = [
        row(1), row(1), row(2), row(3), row(6, resolution_date=date(2024, 3, 2)),
        row(7, decision_date=date(2024, 3, 5)),  # admitted this month
        row(7, decision_date=date(2024, 1, 20)),  # admitted in January: TH12 only
        row(7, decision_date=date(2023, 11, 3)),  # admitted last year: neither
        row(2, "vien_chuc"), row(5, "vien_chuc"),
        row(8, "vien_chuc", decision_date=date(2023, 3, 1), full_member_date=date(2024, 3, 12)),
        row(0, "vien_chuc"),
    ]
    counts = derive_roster_counts(roster, "2024-03")
    assert nonzero(counts) == {
        ("hoc_sinh", "TH05"): 5, ("hoc_sinh", "TH06"): 3, ("hoc_sinh", "TH07"): 2,
        ("hoc_sinh", "TH08"): 1, ("hoc_sinh", "TH09"): 1, ("hoc_sinh", "TH10"): 1,
        ("hoc_sinh", "TH11"): 1, ("hoc_sinh", "TH12"): 2, ("hoc_sinh", "TH14"): 3,
        ("vien_chuc", "TH05"): 2, ("vien_chuc", "TH06"): 2, ("vien_chuc", "TH07"): 1,
        ("vien_chuc", "TH08"): 1, ("vien_chuc", "TH09"): 1, ("vien_chuc", "TH15"): 1,
    }


def test_year_to_date_stops_at_the_end_of_the_month_and_starts_in_january():
    roster = [row(7, decision_date=date(2024, 2, 29)),
              row(7, decision_date=date(2024, 3, 1)),  # after February
              row(7, decision_date=date(2023, 12, 31))]  # before the year
    counts = derive_roster_counts(roster, "2024-02")
    assert counts[("hoc_sinh", "TH11")] == 1
    assert counts[("hoc_sinh", "TH12")] == 1


def test_dates_count_whatever_the_stage_says():
    # TH11/TH12/TH15 follow the dates written in the row, not its stage: X01 compares the
    # summary with what the roster says, and the stage rules (R01, R08) judge the row.
    roster = [row(0, decision_date=date(2024, 3, 4)),
              row(7, full_member_date=date(2024, 3, 4))]
    counts = derive_roster_counts(roster, "2024-03")
    assert counts[("hoc_sinh", "TH11")] == 1
    assert counts[("hoc_sinh", "TH12")] == 1
    assert counts[("hoc_sinh", "TH15")] == 1
    assert counts[("hoc_sinh", "TH14")] == 1


def test_month_edges_are_inclusive():
    roster = [row(7, decision_date=date(2024, 3, 1)), row(7, decision_date=date(2024, 3, 31)),
              row(7, decision_date=date(2024, 4, 1)), row(7, decision_date=date(2024, 2, 29))]
    counts = derive_roster_counts(roster, "2024-03")
    assert counts[("hoc_sinh", "TH11")] == 2
    assert counts[("hoc_sinh", "TH12")] == 3


def test_rows_without_a_known_population_or_stage_are_not_counted():
    roster = [row(3, population="Hoc sinh lop 12"), row(3, population=None), row(None),
              row(None, decision_date=date(2024, 3, 3))]
    counts = derive_roster_counts(roster, "2024-03")
    assert nonzero(counts) == {("hoc_sinh", "TH11"): 1, ("hoc_sinh", "TH12"): 1}


def test_unparsed_dates_are_not_counted():
    bad = row(7)
    bad.invalid["decision_date"] = "31/02/2024"
    counts = derive_roster_counts([bad], "2024-03")
    assert nonzero(counts) == {("hoc_sinh", "TH14"): 1}


def test_the_period_is_validated():
    with pytest.raises(ValueError):
        derive_roster_counts([], "03/2024")
