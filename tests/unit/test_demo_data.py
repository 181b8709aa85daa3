"""cellreports.demo: realistic, rule-abiding demo data with exactly one planted error.

The rules are checked here directly (not through the validations package), so that the
demo and the validations are two independent readings of RULES.md.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from cellreports import demo
from cellreports.periods import first_day, in_period, last_day, months_between
from forms.counts import derive_roster_counts
from forms.course_register import COURSE_FIRST_ROW, COURSE_HEADER_ROW
from forms.layout import (
    ETHNIC_ALIASES,
    ETHNIC_GROUPS,
    INDICATOR_CODES,
    POPULATIONS,
    REQUIRED_FROM_STAGE,
    ROSTER_COLUMNS,
    ROSTER_INDICATORS,
)
from forms.model import RosterRow
from forms.writer import ROSTER_FIRST_ROW, ROSTER_HEADER_ROW, roster_column_letter

REPO = Path(__file__).resolve().parents[2]
CASES = [(u, p) for p in demo.DEMO_PERIODS for u in demo.DEMO_UNITS]


@pytest.fixture(scope="module")
def files(registry) -> dict[tuple[str, str], demo.DemoFile]:
    out = {}
    for period in demo.DEMO_PERIODS:
        for f in demo.generate_month(registry, period):
            out[(f.unit_code, f.period)] = f
    return out


@pytest.fixture(scope="module")
def people() -> dict[str, list[demo.DemoPerson]]:
    return demo.demo_people()


def everyone(people) -> list[demo.DemoPerson]:
    return [p for unit in demo.DEMO_UNITS for p in people[unit]]


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def read_summary(wb) -> dict[str, tuple[int | None, int | None]]:
    ws = wb["TongHop"]
    return {r[0]: (r[2], r[3]) for r in ws.iter_rows(values_only=True) if r[0] in INDICATOR_CODES}


# ---------------------------------------------------------------------------------------
# Files


def test_one_file_per_cell_and_month_with_the_expected_names(files, registry):
    assert set(files) == set(CASES)
    for (unit, period), f in files.items():
        assert f.filename == f"{unit}_{period}.xlsx"
        assert registry.get(unit).level == "chi_bo"
        wb = load(f.content)
        info = {r[0]: r[1] for r in wb["ThongTin"].iter_rows(values_only=True) if r[0]}
        assert info["Mã chi bộ"] == unit
        assert info["Tên chi bộ"] == registry.get(unit).name
        assert info["Kỳ báo cáo"] == f"{period[5:]}/{period[:4]}"
        assert info["Phiên bản biểu mẫu"] == "BC-PTĐ-HS/1"
        assert info["Bí thư chi bộ"]


def test_the_same_call_gives_byte_identical_files(files, registry):
    for period in demo.DEMO_PERIODS:
        for f in demo.generate_month(registry, period):
            assert f == files[(f.unit_code, f.period)]
    assert demo.demo_course_register(registry) == demo.demo_course_register(registry)


_DIGEST_SCRIPT = """
import hashlib
from cellreports import demo
from cellreports.registry import Registry
from cellreports.settings import DEFAULT_REGISTRY
registry = Registry.load(DEFAULT_REGISTRY)
files = demo.generate_demo(registry)
print(hashlib.sha256(b"".join(f.content for f in files)).hexdigest())
"""


def test_files_are_identical_across_processes(files, registry):
    local = [demo.demo_course_register(registry)] + [files[(u, p)] for u, p in CASES]
    expected = hashlib.sha256(b"".join(f.content for f in local)).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT], env=env, cwd=REPO,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected


def test_a_different_seed_gives_different_people():
    assert demo.demo_people(7) != demo.demo_people(demo.DEFAULT_SEED)


def test_arrival_times_are_local_and_on_time_except_one(files):
    late = []
    for (unit, period), f in files.items():
        assert f.received_at.tzinfo is not None
        assert f.received_at.utcoffset().total_seconds() == 7 * 3600
        local = f.received_at.astimezone(demo.TZ)
        assert in_period(local.date(), period)
        if local.day > 25:
            late.append((unit, period))
    assert late == [("BL04", "2024-01")]
    assert files[("BL04", "2024-01")].received_at.day == 27


def test_report_dates_are_between_the_18th_and_the_arrival(files, registry):
    for (unit, period), f in files.items():
        report_date = demo.demo_header(registry, unit, period).report_date
        assert report_date <= f.received_at.date()
        assert (f.received_at.date() - report_date).days <= 2
        if (unit, period) != (demo.LATE_UNIT, demo.LATE_PERIOD):
            assert 18 <= report_date.day <= 24


def test_other_periods_are_refused(registry):
    with pytest.raises(ValueError):
        demo.generate_month(registry, "2024-04")


# ---------------------------------------------------------------------------------------
# People


def test_names_are_vietnamese_with_diacritics_in_nfc(people):
    names = [p.full_name for p in everyone(people)]
    assert len(names) == len(set(names))
    assert sum(1 for n in names if not n.isascii()) >= len(names) * 0.8
    assert all(unicodedata.normalize("NFC", n) == n for n in names)
    assert any(n.startswith(("K' ", "Ka ")) or " Ka " in n or " Ha " in n for n in names)
    assert any(n.startswith("Điểu") for n in names)


def test_peoples_religions_and_populations(people):
    persons = everyone(people)
    ethnicities = Counter(p.ethnicity for p in persons)
    assert ethnicities["K'Ho"] >= 3 and ethnicities["Mạ"] >= 3 and ethnicities["Kinh"] >= 10
    assert {"Tày", "Nùng"} & {p.ethnicity for p in persons if p.population == "vien_chuc"}
    for p in persons:  # every value is one of the 54 groups or a known spelling of one
        assert p.ethnicity in ETHNIC_GROUPS or p.ethnicity in ETHNIC_ALIASES
    religions = Counter(p.religion for p in persons)
    assert religions.most_common(1)[0][0] == "Không"
    assert {"Công giáo", "Tin lành"} <= set(religions)
    students = sum(1 for p in persons if p.population == "hoc_sinh")
    assert 0.65 <= students / len(persons) <= 0.85
    for unit in demo.DEMO_UNITS:
        assert 8 <= len(people[unit]) <= 15
        assert {"K'Ho", "Mạ"} <= {p.ethnicity for p in people[unit]}
    assert {"Nam", "Nữ"} == {p.gender for p in persons}


def test_students_have_classes_and_staff_positions(people):
    for p in everyone(people):
        if p.population == "hoc_sinh":
            assert p.class_or_position[:2] in ("10", "11", "12")
        else:
            assert p.class_or_position.startswith(("Giáo viên", "Nhân viên"))


def test_pids_follow_rule_r04_and_are_unique(people):
    persons = everyone(people)
    assert len({p.pid for p in persons}) == len(persons)
    for p in persons:
        assert len(p.pid) == 12 and p.pid.isdigit() and p.pid.startswith("068")
        century = 0 if p.birth_date.year < 2000 else 2
        assert int(p.pid[3]) == century + (p.gender == "Nữ")
        assert p.pid[4:6] == f"{p.birth_date.year % 100:02d}"


def stages_in(people, period: str) -> dict[str, int]:
    return {p.key: p.stage_on(last_day(period)) for p in everyone(people)
            if p.stage_on(last_day(period)) is not None}


def test_people_move_through_the_stages_month_by_month(people):
    moves: Counter[tuple[int | None, int]] = Counter()
    periods = ("2023-12", *demo.DEMO_PERIODS)
    for before, after in zip(periods, periods[1:], strict=False):
        old, new = stages_in(people, before), stages_in(people, after)
        changed = [k for k in new if old.get(k) != new[k]]
        assert len(changed) >= 8, (before, after)
        moves.update((old.get(k), new[k]) for k in changed)
    for step in [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (None, 1)]:
        assert moves[step] >= 1, step
    assert any(after == 0 for _, after in moves)
    for p in everyone(people):  # nobody moves back
        assert [s for s, _ in p.stages if s] == sorted(s for s, _ in p.stages if s)


def test_admissions_and_a_full_membership_in_february_or_march(people):
    persons = everyone(people)
    decisions = [p.date_of(7) for p in persons if p.date_of(7)]
    assert sum(1 for d in decisions if d.year == 2024 and d.month in (2, 3)) >= 3
    full = [p for p in persons if p.date_of(8)]
    assert full and all(p.population == "vien_chuc" for p in full)
    assert all(p.date_of(8).month in (2, 3) and p.date_of(8).year == 2024 for p in full)
    assert all(p.date_of(7) < date(2023, 4, 1) for p in full)
    stopped = [p for p in persons if p.date_of(0)]
    assert len(stopped) == 1 and stopped[0].stop_reason


# ---------------------------------------------------------------------------------------
# Rosters against the rules


def rows(unit: str, period: str) -> list[RosterRow]:
    return demo.demo_roster(unit, period)


@pytest.mark.parametrize(("unit", "period"), CASES)
def test_roster_lists_stages_1_to_7_and_this_months_8_and_0(unit, period, people):
    listed = [r.full_name for r in rows(unit, period)]
    expected = []
    for p in people[unit]:
        stage = p.stage_on(last_day(period))
        if stage in range(1, 8) or (stage in (0, 8) and in_period(p.date_of(stage), period)):
            expected.append(p.full_name)
    assert listed == expected
    assert [r.stt for r in rows(unit, period)] == list(range(1, len(listed) + 1))


def row_errors(row: RosterRow, report_date: date, period: str) -> list[str]:
    """RULES.md R01–R11 (and H04) for one row, checked independently of validations/."""
    errors = []
    stage = row.stage
    for field_name, lowest in REQUIRED_FROM_STAGE.items():
        required = lowest == 0 or (stage != 0 and stage >= lowest)
        if required and getattr(row, field_name) in (None, ""):
            errors.append(f"R01 {field_name}")
    if stage == 8 and row.full_member_date is None:
        errors.append("R01 full_member_date")
    if not 1940 <= row.birth_date.year <= last_day(period).year:
        errors.append("R02 birth year")
    for field_name in ("stage_date", "cert_date", "resolution_date", "decision_date",
                       "full_member_date"):
        value = getattr(row, field_name)
        if value is not None and value > report_date:
            errors.append(f"R02 {field_name} after report date")
    if row.stage_date is not None and row.stage_date > last_day(period):
        errors.append("R02 stage date after the period")
    if stage >= 6:
        if months_between(row.birth_date, row.resolution_date) < 216:
            errors.append("R05 under 18")
        if months_between(row.birth_date, row.resolution_date) > 720:
            errors.append("R05 over 60")
        if months_between(row.cert_date, row.resolution_date) > 60:
            errors.append("R06 certificate too old")
    order = [row.cert_date, row.resolution_date, row.decision_date, row.full_member_date]
    present = [d for d in order if d is not None]
    if present != sorted(present):
        errors.append("R08 order")
    if row.full_member_date and months_between(row.decision_date, row.full_member_date) < 12:
        errors.append("R08 probation under 12 months")
    if row.population == "hoc_sinh" and stage >= 4 and not row.youth_union:
        errors.append("R10")
    if stage == 0 and not row.note:
        errors.append("R11")
    if stage in (3, 4, 5) and months_between(row.stage_date, last_day(period)) >= 6:
        errors.append("H04 stalled")
    return errors


@pytest.mark.parametrize(("unit", "period"), CASES)
def test_every_roster_row_satisfies_the_row_rules(unit, period, registry):
    report_date = demo.demo_header(registry, unit, period).report_date
    roster = rows(unit, period)
    for row in roster:
        if row.invalid:  # only the planted row; its birth date is checked in its own test
            assert (unit, period, set(row.invalid)) == ("BL03", "2024-02", {"birth_date"})
            row.birth_date = demo._PLANTED_BIRTH  # the date the clerk meant
        errors = row_errors(row, report_date, period)
        # one teacher of BL02 is stalled on purpose (track S), for the district's
        # "candidates needing attention" sheet; nobody else may break a rule
        stalled_on_purpose = (unit == "BL02" and row.population == "vien_chuc"
                              and row.cert_date and row.cert_date.year == 2019)
        assert errors == (["H04 stalled"] if stalled_on_purpose and errors else []), (
            row.full_name)
    assert len({r.stt for r in roster}) == len(roster)
    assert len({r.pid for r in roster}) == len(roster)


def test_nobody_goes_missing_between_months(people):
    for unit in demo.DEMO_UNITS:
        for before, after in zip(demo.DEMO_PERIODS, demo.DEMO_PERIODS[1:], strict=False):
            old = {r.pid: r for r in rows(unit, before)}
            new = {r.pid: r for r in rows(unit, after)}
            for pid, row in old.items():
                assert pid in new or row.stage in (0, 8), (unit, row.full_name)
                if pid in new and new[pid].stage != 0:  # H01: never back to an earlier stage
                    assert new[pid].stage >= row.stage


@pytest.mark.parametrize(("unit", "period"), CASES)
def test_workbook_cells_match_the_roster(unit, period, files):
    ws = load(files[(unit, period)].content)["DanhSach"]
    header = [c.value for c in ws[ROSTER_HEADER_ROW]]
    assert header == list(ROSTER_COLUMNS.values())
    for i, row in enumerate(rows(unit, period)):
        r = ROSTER_FIRST_ROW + i
        assert row.excel_row == r
        assert ws[f"A{r}"].value == row.stt
        assert ws[f"B{r}"].value == row.full_name
        pid = ws[f"{roster_column_letter('pid')}{r}"]
        assert pid.value == row.pid and pid.data_type == "s"
        stage = ws[f"{roster_column_letter('stage')}{r}"].value
        assert stage.startswith(f"{row.stage}. ")
        birth = ws[f"C{r}"]
        if row.birth_date is not None:
            assert birth.value == datetime.combine(row.birth_date, datetime.min.time())
    assert ws[f"A{ROSTER_FIRST_ROW + len(rows(unit, period))}"].value is None


# ---------------------------------------------------------------------------------------
# The planted error


def test_the_planted_error_is_where_it_says(files):
    planted = demo.planted_error()
    assert (planted.unit_code, planted.period, planted.rule) == ("BL03", "2024-02", "R02")
    assert (planted.sheet, planted.column, planted.field) == ("DanhSach", "C", "birth_date")
    ws = load(files[("BL03", "2024-02")].content)["DanhSach"]
    assert ws[f"{planted.column}{ROSTER_HEADER_ROW}"].value == "Ngày sinh"
    cell = ws[f"{planted.column}{planted.excel_row}"]
    assert cell.value == "31/02/2007" == planted.raw_text and cell.data_type == "s"
    assert ws[f"B{planted.excel_row}"].value == planted.full_name


@pytest.mark.parametrize(("unit", "period"), CASES)
def test_only_the_planted_file_has_a_birth_date_that_is_not_a_date(unit, period, files):
    ws = load(files[(unit, period)].content)["DanhSach"]
    n = len(rows(unit, period))
    texts = [ws[f"C{r}"].value for r in range(ROSTER_FIRST_ROW, ROSTER_FIRST_ROW + n)
             if not ws[f"C{r}"].is_date]
    assert texts == (["31/02/2007"] if (unit, period) == ("BL03", "2024-02") else [])


def test_the_planted_person_is_well_formed_in_the_other_months():
    planted = demo.planted_error()
    for period in ("2024-01", "2024-03"):
        match = [r for r in rows("BL03", period) if r.full_name == planted.full_name]
        assert match and match[0].birth_date == date(2007, 3, 31) and not match[0].invalid


# ---------------------------------------------------------------------------------------
# TongHop


@pytest.mark.parametrize(("unit", "period"), CASES)
def test_summary_equals_the_roster_counts(unit, period, files):
    summary = read_summary(load(files[(unit, period)].content))
    derived = derive_roster_counts(rows(unit, period), period)
    for code in ROSTER_INDICATORS:
        assert summary[code] == (derived[("hoc_sinh", code)], derived[("vien_chuc", code)])


def independent_counts(people, unit: str, period: str) -> dict[tuple[str, str], int]:
    """The roster figures recomputed from the people's timelines, without RosterRows."""
    end = last_day(period)
    counts: Counter[tuple[str, str]] = Counter()
    for p in people[unit]:
        if not p.in_roster(period):
            continue
        stage = p.stage_on(end)
        for code, low, high in (("TH05", 1, 6), ("TH06", 2, 6), ("TH07", 3, 6),
                                ("TH08", 4, 6), ("TH09", 5, 6), ("TH10", 6, 6),
                                ("TH14", 7, 7)):
            counts[(p.population, code)] += low <= stage <= high
        decision, full = p.date_of(7), p.date_of(8)
        counts[(p.population, "TH11")] += bool(decision and in_period(decision, period))
        counts[(p.population, "TH12")] += bool(decision and first_day(f"{end.year}-01")
                                                <= decision <= end)
        counts[(p.population, "TH15")] += bool(full and in_period(full, period))
    return counts


@pytest.mark.parametrize(("unit", "period"), CASES)
def test_summary_matches_an_independent_count(unit, period, files, people):
    summary = read_summary(load(files[(unit, period)].content))
    counts = independent_counts(people, unit, period)
    for code in ROSTER_INDICATORS:
        assert summary[code] == (counts[("hoc_sinh", code)], counts[("vien_chuc", code)]), code


@pytest.mark.parametrize(("unit", "period"), CASES)
def test_school_figures_are_plausible_and_consistent(unit, period, files, registry):
    s = read_summary(load(files[(unit, period)].content))
    students, staff = s["TH01"]
    assert 900 <= students <= 1300 and 60 <= staff <= 90
    for pop in (0, 1):
        assert s["TH02"][pop] <= s["TH01"][pop]
        assert s["TH03"][pop] <= s["TH01"][pop]
        assert s["TH04"][pop] <= s["TH01"][pop]
        assert s["TH12"][pop] >= s["TH11"][pop]
    year = int(period[:4])
    assert s["TH13"] == tuple(registry.target(unit, year, pop) for pop in POPULATIONS)
    assert all(isinstance(v, int) for code in INDICATOR_CODES for v in s[code]
               if v is not None)


def test_school_figures_are_stable_month_to_month(files):
    for unit in demo.DEMO_UNITS:
        series = [read_summary(load(files[(unit, p)].content)) for p in demo.DEMO_PERIODS]
        for a, b in zip(series, series[1:], strict=False):
            for code in ("TH01", "TH03"):
                for pop in (0, 1):
                    assert abs(b[code][pop] - a[code][pop]) <= 0.2 * a[code][pop]  # H08
            assert b["TH02"][0] >= a["TH02"][0]  # grade 12 turns 18 month by month
            assert b["TH12"][0] >= a["TH12"][0] and b["TH12"][1] >= a["TH12"][1]  # H02


# ---------------------------------------------------------------------------------------
# The Political Center's course register


def test_course_register_holds_every_certificate_claimed(registry, files):
    register = demo.demo_course_register(registry)
    assert register.unit_code == "BLTT" and register.filename.endswith(".xlsx")
    assert register.received_at.tzinfo is not None
    ws = load(register.content)["HocVien"]
    assert [c.value for c in ws[COURSE_HEADER_ROW]] == [
        "STT", "Họ và tên", "Ngày sinh", "Số định danh cá nhân", "Mã chi bộ", "Khóa học",
        "Từ ngày", "Đến ngày", "Kết quả", "Số GCN", "Ngày cấp GCN"]
    issued = {}
    for r in ws.iter_rows(min_row=COURSE_FIRST_ROW, values_only=True):
        if r[0] is None:
            continue
        if r[8] == "Đạt":
            assert r[9] not in issued
            issued[r[9]] = (r[1], r[2].date(), r[4], r[10].date())
        else:
            assert r[8] == "Không đạt" and r[9] is None
    claimed = 0
    for unit, period in CASES:
        for row in rows(unit, period):
            if row.cert_no is None:
                continue
            claimed += 1
            name, birth, cell, cert_date = issued[row.cert_no]
            assert (name, cell, cert_date) == (row.full_name, unit, row.cert_date)
            if row.birth_date is not None:
                assert birth == row.birth_date
    assert claimed > 0
    assert all(no.endswith("/GCN-TTCT") for no in issued)
    cert_dates = {d for *_, d in issued.values()}
    assert any(d.year == 2023 and d.month >= 10 for d in cert_dates)
    assert any(d.year == 2024 for d in cert_dates)


def test_decision_numbers_look_like_the_district_committees(people):
    numbers = [p.decision_no for p in everyone(people) if p.date_of(7)]
    assert numbers and all(n.endswith("-QĐ/HU") and n.split("-")[0].isdigit() for n in numbers)
    assert len(set(numbers)) == len(numbers)
