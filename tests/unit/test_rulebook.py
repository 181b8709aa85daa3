"""RuleBook: limits with effective dates and unit levels, from small CSVs and the shipped file."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from core.rulebook import PARAMETERS, Limits, RuleBook, RuleBookError
from core.settings import DEFAULT_RULES

HEADER = "parameter,value,effective_from,level,source,note"
BASELINE = {
    "min_age_months": "216",
    "max_age_months": "720",
    "birth_year_min": "1940",
    "cert_validity_months": "60",
    "cert_expiry_warning_months": "3",
    "decision_working_days": "60",
    "decision_extension_working_days": "30",
    "probation_months": "12",
    "full_membership_grace_working_days": "30",
    "stall_months": "6",
    "outlier_ratio": "0.20",
    "deadline_day": "25",
    "max_roster_rows": "500",
}
DOCUMENTED = Limits(
    min_age_months=216, max_age_months=720, birth_year_min=1940, cert_validity_months=60,
    cert_expiry_warning_months=3, decision_working_days=60, decision_extension_working_days=30,
    probation_months=12, full_membership_grace_working_days=30, stall_months=6,
    outlier_ratio=0.20, deadline_day=25, max_roster_rows=500)


def write_limits(tmp_path: Path, *extra: str, drop: tuple[str, ...] = (),
                 header: str = HEADER) -> Path:
    """A limits file: one all-levels baseline row per parameter from 2021-01-01, then ``extra``."""
    lines = [header]
    lines += [f"{p},{v},2021-01-01,,test source,baseline"
              for p, v in BASELINE.items() if p not in drop]
    lines += list(extra)
    path = tmp_path / "limits.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(tmp_path: Path, *extra: str, **kwargs: object) -> RuleBook:
    return RuleBook.load(write_limits(tmp_path, *extra, **kwargs))  # type: ignore[arg-type]


# -- selection by effective date --------------------------------------------------------------

def test_the_baseline_gives_every_limit_with_its_type(tmp_path):
    limits = load(tmp_path).limits_on(date(2024, 3, 31))
    assert limits == DOCUMENTED
    assert isinstance(limits.outlier_ratio, float)
    assert all(isinstance(getattr(limits, p), int) for p in PARAMETERS if p != "outlier_ratio")


def test_a_new_row_changes_the_limit_only_from_its_date(tmp_path):
    book = load(tmp_path, "decision_working_days,45,2025-07-01,,new regulation,")
    assert book.limits_on(date(2025, 6, 30)).decision_working_days == 60
    assert book.limits_on(date(2025, 7, 1)).decision_working_days == 45
    assert book.limits_on(date(2030, 1, 1)).decision_working_days == 45
    # the other limits are untouched
    assert book.limits_on(date(2025, 7, 1)).decision_extension_working_days == 30


def test_the_latest_of_several_rows_in_force_wins_whatever_the_file_order(tmp_path):
    book = load(tmp_path,
                "stall_months,9,2026-01-01,,c,",
                "stall_months,8,2024-01-01,,b,",
                "stall_months,7,2023-01-01,,a,")
    assert [book.limits_on(date(y, 6, 1)).stall_months for y in (2022, 2023, 2024, 2025, 2026)] \
        == [6, 7, 8, 8, 9]
    assert book.row_on("stall_months", date(2024, 6, 1)).source == "b"


def test_a_day_before_every_row_uses_the_baseline(tmp_path):
    book = load(tmp_path, "probation_months,18,2025-01-01,,x,")
    assert book.limits_on(date(2019, 5, 1)).probation_months == 12


def test_float_ratio_and_whole_numbers_parse(tmp_path):
    book = load(tmp_path, "outlier_ratio,0.35,2025-01-01,,x,", "outlier_ratio,1,2026-01-01,,x,")
    assert book.limits_on(date(2025, 2, 1)).outlier_ratio == pytest.approx(0.35)
    assert book.limits_on(date(2026, 2, 1)).outlier_ratio == 1.0


# -- unit levels --------------------------------------------------------------------------------

def test_a_level_row_overrides_the_all_levels_row_for_that_level_only(tmp_path):
    book = load(tmp_path, "deadline_day,20,2021-01-01,chi_bo,notice,cells report earlier")
    day = date(2024, 3, 10)
    assert book.limits_on(day, "chi_bo").deadline_day == 20
    assert book.limits_on(day, "huyen").deadline_day == 25
    assert book.limits_on(day).deadline_day == 25
    assert book.levels() == {"chi_bo"}


def test_a_level_row_applies_only_from_its_own_date(tmp_path):
    book = load(tmp_path, "deadline_day,20,2024-06-01,chi_bo,notice,")
    assert book.limits_on(date(2024, 5, 31), "chi_bo").deadline_day == 25
    assert book.limits_on(date(2024, 6, 1), "chi_bo").deadline_day == 20


def test_same_date_level_row_beats_all_levels_row_and_a_later_all_levels_row_beats_it(tmp_path):
    book = load(tmp_path,
                "deadline_day,22,2025-01-01,,general change,",
                "deadline_day,18,2025-01-01,chi_bo,cell change same day,",
                "deadline_day,27,2026-01-01,,later general change,")
    assert book.limits_on(date(2025, 3, 1), "chi_bo").deadline_day == 18
    assert book.limits_on(date(2025, 3, 1), "xa").deadline_day == 22
    # a later regulation for every level replaces the older level row
    assert book.limits_on(date(2026, 3, 1), "chi_bo").deadline_day == 27


def test_limits_are_frozen_and_cached(tmp_path):
    book = load(tmp_path)
    limits = book.limits_on(date(2024, 1, 1), "chi_bo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.deadline_day = 1  # type: ignore[misc]
    assert book.limits_on(date(2024, 1, 1), "chi_bo") is limits


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("extra", "drop", "words"), [
    (["max_age,700,2021-01-01,,x,"], (), "unknown parameter 'max_age'"),
    (["stall_months,six,2022-01-01,,x,"], (), "not a whole number"),
    (["stall_months,6.5,2022-01-01,,x,"], (), "not a whole number"),
    (["outlier_ratio,20%,2022-01-01,,x,"], (), "not a number"),
    (["outlier_ratio,nan,2022-01-01,,x,"], (), "not a finite number"),
    (["stall_months,-1,2022-01-01,,x,"], (), "must not be negative"),
    (["deadline_day,32,2022-01-01,,x,"], (), "between 1 and 31"),
    (["stall_months,6,20/01/2025,,x,"], (), "not a YYYY-MM-DD date"),
    (["stall_months,6,2025-02-30,,x,"], (), "not a YYYY-MM-DD date"),
    (["stall_months,6,,,x,"], (), "not a YYYY-MM-DD date"),
    ([], ("probation_months",), "no all-levels row (empty level) for probation_months"),
    (["probation_months,12,2021-01-01,chi_bo,x,"], ("probation_months",), "probation_months"),
    (["stall_months,7,2021-01-01,,x,"], (), "two rows"),
    (["stall_months,7,2021-01-01,,x,note, with a comma"], (), "more cells than columns"),
])
def test_malformed_files_raise_a_named_error(tmp_path, extra, drop, words):
    with pytest.raises(RuleBookError) as caught:
        load(tmp_path, *extra, drop=drop)
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_the_error_line_number_points_at_the_bad_row(tmp_path):
    line = 1 + len(BASELINE) + 1  # the header, one baseline row per parameter, this row
    with pytest.raises(RuleBookError, match=rf"line {line}\b"):
        load(tmp_path, "stall_months,x,2022-01-01,,x,")


def test_missing_column_and_missing_file_raise_the_named_error(tmp_path):
    with pytest.raises(RuleBookError, match="missing columns"):
        load(tmp_path, header="parameter,value,level,source,note")
    with pytest.raises(RuleBookError, match="cannot read"):
        RuleBook.load(tmp_path / "nope.csv")


def test_bom_blank_lines_and_quoted_commas_are_fine(tmp_path):
    path = write_limits(tmp_path, ",,,,,", 'stall_months,7,2025-01-01,,"232-QĐ/TW, 4.3",x')
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    book = RuleBook.load(path)
    assert book.row_on("stall_months", date(2025, 2, 1)).source == "232-QĐ/TW, 4.3"


def test_error_class_is_documented_in_one_line():
    assert RuleBookError.__doc__ and "\n" not in RuleBookError.__doc__.strip()


# -- the shipped file ---------------------------------------------------------------------------

def test_the_shipped_file_loads_and_gives_the_documented_defaults():
    book = RuleBook.default()
    assert book.name == DEFAULT_RULES.name
    for day in (date(2021, 6, 1), date(2024, 3, 31), date(2025, 2, 1), date(2026, 1, 31)):
        assert book.limits_on(day) == DOCUMENTED
        assert book.limits_on(day, "chi_bo") == DOCUMENTED


def test_the_shipped_file_dates_the_decision_limit_by_regulation():
    book = RuleBook.default()
    old = book.row_on("decision_working_days", date(2024, 12, 31))
    new = book.row_on("decision_working_days", date(2025, 1, 20))
    assert old.effective_from == date(2021, 1, 1) and "(?)" in old.source
    assert new.effective_from == date(2025, 1, 20) and "232-QĐ/TW" in new.source
    assert all(row.source for row in book.rows)
    assert {row.parameter for row in book.rows} == set(PARAMETERS)
