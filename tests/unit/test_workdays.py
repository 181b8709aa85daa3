"""WorkCalendar: weekends, Vietnamese holidays and government swaps, counted and added."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.workdays import CalendarError, WorkCalendar

HEADER = "date,kind,name"
TET_2024 = [  # the announced break, Thursday 08/02 – Wednesday 14/02/2024
    "2024-02-08,holiday,Tết Nguyên đán (29 tháng Chạp)",
    "2024-02-09,holiday,Tết Nguyên đán (30 tháng Chạp)",
    "2024-02-10,holiday,Tết Nguyên đán (mùng 1)",
    "2024-02-11,holiday,Tết Nguyên đán (mùng 2)",
    "2024-02-12,holiday,Tết Nguyên đán (mùng 3)",
    "2024-02-13,holiday,Tết Nguyên đán (mùng 4)",
    "2024-02-14,holiday,Tết Nguyên đán (mùng 5)",
]
SWAP_2024 = [
    "2024-04-29,holiday,Nghỉ hoán đổi",
    "2024-04-30,holiday,Ngày Chiến thắng",
    "2024-05-01,holiday,Ngày Quốc tế Lao động",
    "2024-05-04,working_day,Làm bù cho thứ Hai 29/4",
]


def write_calendar(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def make_calendar(tmp_path: Path, *lines: str) -> WorkCalendar:
    return WorkCalendar.load(write_calendar(tmp_path, *lines))


def brute_between(cal: WorkCalendar, start: date, end: date) -> int:
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += cal.is_working_day(day)
        day += timedelta(days=1)
    return count


def brute_add(cal: WorkCalendar, start: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        left -= cal.is_working_day(day)
    return day


# -- is_working_day -----------------------------------------------------------------------------

def test_weekdays_work_weekends_do_not_without_a_calendar():
    cal = WorkCalendar()
    assert cal.is_working_day(date(2024, 3, 4))  # Monday
    assert cal.is_working_day(date(2024, 3, 8))  # Friday
    assert not cal.is_working_day(date(2024, 3, 9))  # Saturday
    assert not cal.is_working_day(date(2024, 3, 10))  # Sunday


def test_holidays_are_off_and_a_swapped_saturday_is_worked(tmp_path):
    cal = make_calendar(tmp_path, *TET_2024, *SWAP_2024)
    assert not cal.is_working_day(date(2024, 2, 8))
    assert not cal.is_working_day(date(2024, 4, 29))  # Monday swapped off
    assert cal.is_working_day(date(2024, 5, 4))  # Saturday worked instead
    assert not cal.is_working_day(date(2024, 5, 5))  # the Sunday stays off
    assert cal.name_of(date(2024, 2, 10)) == "Tết Nguyên đán (mùng 1)"
    assert cal.name_of(date(2024, 5, 4)) == "Làm bù cho thứ Hai 29/4"
    assert cal.name_of(date(2024, 5, 6)) is None
    assert cal.years == {2024}


# -- working_days_between -----------------------------------------------------------------------

def test_working_days_across_tet_2024(tmp_path):
    cal = make_calendar(tmp_path, *TET_2024)
    # Days d with 05/02 < d ≤ 19/02/2024:
    #   Tue 06 ✓, Wed 07 ✓, Thu 08–Wed 14 Tết (off, Sat 10/Sun 11 inside), Thu 15 ✓, Fri 16 ✓,
    #   Sat 17 ✗, Sun 18 ✗, Mon 19 ✓  →  N = 5 (without Tết it would be 10).
    assert cal.working_days_between(date(2024, 2, 5), date(2024, 2, 19)) == 5
    assert WorkCalendar().working_days_between(date(2024, 2, 5), date(2024, 2, 19)) == 10


def test_working_days_across_the_2024_swap(tmp_path):
    cal = make_calendar(tmp_path, *SWAP_2024)
    # Fri 26/04 < d ≤ Mon 06/05: Sat 27 ✗, Sun 28 ✗, Mon 29 ✗ (swap), Tue 30 ✗, Wed 01 ✗,
    # Thu 02 ✓, Fri 03 ✓, Sat 04 ✓ (làm bù), Sun 05 ✗, Mon 06 ✓  →  4
    assert cal.working_days_between(date(2024, 4, 26), date(2024, 5, 6)) == 4
    # Fri 03/05 < d ≤ Sat 04/05: the làm bù Saturday counts
    assert cal.working_days_between(date(2024, 5, 3), date(2024, 5, 4)) == 1


def test_between_is_zero_for_empty_or_reversed_ranges_and_excludes_the_start(tmp_path):
    cal = make_calendar(tmp_path, *TET_2024)
    monday = date(2024, 3, 4)
    assert cal.working_days_between(monday, monday) == 0
    assert cal.working_days_between(monday, monday - timedelta(days=10)) == 0
    assert cal.working_days_between(monday - timedelta(days=1), monday) == 1  # end counted
    assert cal.working_days_between(monday, monday + timedelta(days=1)) == 1  # start not


def test_between_matches_a_plain_loop_far_inside_and_outside_the_calendar(tmp_path):
    cal = make_calendar(tmp_path, *TET_2024, *SWAP_2024)
    rng = random.Random(20240210)
    origin = date(2019, 1, 1)
    for _ in range(400):
        start = origin + timedelta(days=rng.randrange(3650))
        end = start + timedelta(days=rng.randrange(-20, 500))
        assert cal.working_days_between(start, end) == brute_between(cal, start, end), (start, end)
    # a century away from the listed days: weekends only (1900-01-01 was a Monday)
    assert cal.working_days_between(date(1899, 12, 31), date(1900, 1, 7)) == 5


# -- add_working_days ---------------------------------------------------------------------------

def test_sixty_working_days_after_15_january_2024_land_on_15_april(tmp_path):
    cal = make_calendar(tmp_path, *TET_2024)
    # Counting working days after Mon 15/01/2024:
    #   Jan 16–19: 4, Jan 22–26: 5 (9), Jan 29–31: 3 (12)
    #   Feb 1–2: 2 (14), Feb 5–7: 3 (17), Feb 8–14 Tết, Feb 15–16: 2 (19), Feb 19–23: 5 (24),
    #   Feb 26–29: 4 (28)
    #   Mar 1: 1 (29), Mar 4–8 (34), 11–15 (39), 18–22 (44), 25–29 (49)
    #   Apr 1–5 (54), Apr 8–12 (59), Mon Apr 15 = the 60th.
    assert cal.add_working_days(date(2024, 1, 15), 60) == date(2024, 4, 15)
    # Without Tết's five weekdays off it would be one week earlier.
    assert WorkCalendar().add_working_days(date(2024, 1, 15), 60) == date(2024, 4, 8)


def test_the_shipped_calendar_gives_the_same_hand_computed_day():
    # 18/04/2024 (Giỗ Tổ) is after the 60th day, so the shipped file agrees with the hand count.
    assert WorkCalendar.default().add_working_days(date(2024, 1, 15), 60) == date(2024, 4, 15)


def test_add_skips_holidays_and_lands_on_a_swapped_saturday(tmp_path):
    cal = make_calendar(tmp_path, *TET_2024, *SWAP_2024)
    assert cal.add_working_days(date(2024, 2, 7), 1) == date(2024, 2, 15)  # over Tết
    assert cal.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)
    assert cal.add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)  # làm bù Saturday
    assert cal.add_working_days(date(2024, 2, 15), -1) == date(2024, 2, 7)  # backwards
    assert cal.add_working_days(date(2024, 2, 10), 0) == date(2024, 2, 10)


def test_add_is_the_inverse_of_between(tmp_path):
    cal = make_calendar(tmp_path, *TET_2024, *SWAP_2024)
    rng = random.Random(60)
    for _ in range(400):
        start = date(2023, 6, 1) + timedelta(days=rng.randrange(600))
        n = rng.randrange(1, 130)
        end = cal.add_working_days(start, n)
        assert end == brute_add(cal, start, n), (start, n)
        assert cal.is_working_day(end)
        assert cal.working_days_between(start, end) == n
        assert cal.working_days_between(start, end - timedelta(days=1)) == n - 1
        back = cal.add_working_days(start, -n)
        assert back == brute_add(cal, start, -n), (start, -n)
        assert cal.working_days_between(back - timedelta(days=1), start - timedelta(days=1)) == n


def test_many_calls_stay_fast():
    cal = WorkCalendar.default()
    start = date(2022, 1, 1)
    total = 0
    for i in range(20_000):  # a large roster; O(log k) each, so this is well under a second
        day = start + timedelta(days=i % 1800)
        total += cal.working_days_between(day, cal.add_working_days(day, 60))
    assert total == 60 * 20_000


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lines", "words"), [
    (["2024-02-30,holiday,x"], "not a YYYY-MM-DD date"),
    (["08/02/2024,holiday,x"], "not a YYYY-MM-DD date"),
    (["2024-02-08,nghỉ,x"], "kind must be"),
    (["2024-05-06,working_day,x"], "not a Saturday or Sunday"),
    (["2024-05-04,holiday,x", "2024-05-04,working_day,y"], "both as holiday and as working_day"),
    (["2024-04-30,holiday,Ngày Chiến thắng, 30/4"], "more cells than columns"),
])
def test_malformed_calendars_raise_a_named_error(tmp_path, lines, words):
    with pytest.raises(CalendarError, match=words):
        make_calendar(tmp_path, *lines)


def test_missing_columns_and_missing_file(tmp_path):
    with pytest.raises(CalendarError, match="missing columns"):
        WorkCalendar.load(write_calendar(tmp_path, "2024-01-01,x", header="date,name"))
    with pytest.raises(CalendarError, match="cannot read"):
        WorkCalendar.load(tmp_path / "none.csv")


def test_the_same_day_twice_keeps_both_names(tmp_path):
    cal = make_calendar(tmp_path, "2024-04-30,holiday,Giỗ Tổ",
                        '2024-04-30,holiday,"Chiến thắng, 30/4"')
    assert cal.name_of(date(2024, 4, 30)) == "Giỗ Tổ / Chiến thắng, 30/4"


# -- the shipped calendar -----------------------------------------------------------------------

def test_the_shipped_calendar_covers_2022_to_2026_with_the_fixed_holidays():
    cal = WorkCalendar.default()
    assert {2022, 2023, 2024, 2025, 2026} <= cal.years
    for year in range(2022, 2027):
        for month, day in ((1, 1), (4, 30), (5, 1), (9, 2)):
            assert date(year, month, day) in cal.holidays, (year, month, day)
    assert all(name.strip() for name in cal.holidays.values())


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025, 2026])
def test_every_year_has_eleven_weekdays_off_net_of_swaps(year):
    # Labour Code art. 112: 1 + 5 (Tết) + 1 + 1 + 1 + 2 = 11 holiday days; a holiday on a
    # weekend is compensated on a weekday, and a swap moves a day without changing the total.
    cal = WorkCalendar.default()
    weekdays = WorkCalendar().working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
    worked = cal.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
    assert weekdays - worked == 11


@pytest.mark.parametrize(("first", "last"), [
    (date(2022, 1, 29), date(2022, 2, 6)),
    (date(2023, 1, 20), date(2023, 1, 26)),
    (date(2024, 2, 8), date(2024, 2, 14)),
    (date(2025, 1, 25), date(2025, 2, 2)),
    (date(2026, 2, 14), date(2026, 2, 22)),
])
def test_the_shipped_tet_breaks_are_the_announced_ranges(first, last):
    cal = WorkCalendar.default()
    day = first
    while day <= last:
        assert day in cal.holidays and "Tết Nguyên đán" in cal.holidays[day], day
        day += timedelta(days=1)
    assert cal.is_working_day(first - timedelta(days=1))
    assert cal.is_working_day(last + timedelta(days=1))


def test_the_shipped_swaps():
    cal = WorkCalendar.default()
    for off, worked in ((date(2024, 4, 29), date(2024, 5, 4)),
                        (date(2025, 5, 2), date(2025, 4, 26)),
                        (date(2026, 1, 2), date(2026, 1, 10))):
        assert not cal.is_working_day(off)
        assert cal.is_working_day(worked)


def test_an_answer_asked_again_is_the_same_as_a_fresh_calendars():
    """add_working_days keeps its answers: asked twice, the same day as the search itself
    gives on a calendar that never answered before."""
    cal = WorkCalendar.default()
    starts = [date(2024, 1, 1) + timedelta(days=k) for k in range(0, 400, 7)]
    first = [cal.add_working_days(s, n) for s in starts for n in (-20, -1, 1, 5, 60)]
    again = [cal.add_working_days(s, n) for s in starts for n in (-20, -1, 1, 5, 60)]
    fresh = WorkCalendar(cal.holidays, cal.working_days)
    searched = [date.fromordinal(fresh._nth_after(s.toordinal(), n)) for s in starts
                for n in (-20, -1, 1, 5, 60)]
    assert first == again == searched
