"""cellreports.demo: realistic, rule-abiding demo data with exactly one planted error.

The rules are checked here directly (not through the validations package), so that the
demo and the validations are two independent readings of RULES.md. Every check runs on
both hierarchies: the 2024 district demo and the 2025 commune demo (the same people 18
months later, under the cells' new codes).
"""

from __future__ import annotations

import calendar
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
from core.counts import derive_roster_counts
from core.form import RosterRow
from core.layout import (
    ETHNIC_ALIASES,
    ETHNIC_GROUPS,
    INDICATOR_CODES,
    POPULATIONS,
    REQUIRED_FROM_STAGE,
    ROSTER_COLUMNS,
    ROSTER_INDICATORS,
)
from core.periods import first_day, in_period, last_day, months_between, period_of
from core.registry import Registry
from forms.course_register import COURSE_FIRST_ROW, COURSE_HEADER_ROW
from forms.writer import ROSTER_FIRST_ROW, ROSTER_HEADER_ROW, roster_column_letter

REPO = Path(__file__).resolve().parents[2]
HIERARCHIES = ("2024", "2025")
REGISTRY_DIRS = {"2024": REPO / "config" / "registry" / "bao-lam-2024",
                 "2025": REPO / "config" / "registry" / "lam-dong-2025"}
UNITS = {"2024": ("BL01", "BL02", "BL03", "BL04"),
         "2025": ("BLM101", "BLM201", "BLM301", "BLM401")}
PERIODS = {"2024": ("2024-01", "2024-02", "2024-03"),
           "2025": ("2025-07", "2025-08", "2025-09")}
CASES = [(h, u, p) for h in HIERARCHIES for p in PERIODS[h] for u in UNITS[h]]
CASE_IDS = [f"{u}-{p}" for _, u, p in CASES]
# The planted error in each hierarchy: where, and the text typed for the date of birth.
PLANTED = {"2024": ("BL03", "2024-02", "31/02/2007", date(2007, 3, 31)),
           "2025": ("BLM301", "2025-08", "30/02/2008", date(2008, 9, 30))}
# sha256 of the 2024 demo files, recorded before the 2025 demo was added: the 2024 demo
# must stay byte for byte what it was (contents; and names, contents, arrival times).
DIGEST_2024_CONTENTS = "fbaa99c9c1e937e9b9f36ddb1824d91ac99a7e53f4352783c0d183336506c5f9"
DIGEST_2024_FILES = "f525b0f6e078003ed798cfefea87c46cd8fb8f606cff7d3e837128013555934b"


def unit_in(hierarchy: str, unit_2024: str) -> str:
    return UNITS[hierarchy][UNITS["2024"].index(unit_2024)]


def period_in(hierarchy: str, period_2024: str) -> str:
    return PERIODS[hierarchy][PERIODS["2024"].index(period_2024)]


def plus_months(day: date, months: int) -> date:
    """Written out here rather than taken from core.periods: same day, clamped."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def day_in(hierarchy: str, day: date) -> date:
    return plus_months(day, 18) if hierarchy == "2025" else day


@pytest.fixture(scope="module", params=HIERARCHIES)
def hierarchy(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def registries(registry) -> dict[str, Registry]:
    return {"2024": registry, "2025": Registry.load(REGISTRY_DIRS["2025"])}


@pytest.fixture(scope="module")
def all_files(registries) -> dict[tuple[str, str, str], demo.DemoFile]:
    out = {}
    for h in HIERARCHIES:
        for period in PERIODS[h]:
            for f in demo.generate_month(registries[h], period, hierarchy=h):
                out[(h, f.unit_code, f.period)] = f
    return out


@pytest.fixture
def files(all_files, hierarchy) -> dict[tuple[str, str], demo.DemoFile]:
    return {(u, p): f for (h, u, p), f in all_files.items() if h == hierarchy}


@pytest.fixture(scope="module")
def all_people() -> dict[str, dict[str, list[demo.DemoPerson]]]:
    return {h: demo.demo_people(hierarchy=h) for h in HIERARCHIES}


@pytest.fixture
def people(all_people, hierarchy) -> dict[str, list[demo.DemoPerson]]:
    return all_people[hierarchy]


def everyone(people) -> list[demo.DemoPerson]:
    return [p for unit in sorted(people) for p in people[unit]]


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def read_summary(wb) -> dict[str, tuple[int | None, int | None]]:
    ws = wb["TongHop"]
    return {r[0]: (r[2], r[3]) for r in ws.iter_rows(values_only=True) if r[0] in INDICATOR_CODES}


# ---------------------------------------------------------------------------------------
# Files


def test_the_demo_covers_each_hierarchys_cells_and_months():
    assert demo.HIERARCHIES == HIERARCHIES and demo.DEFAULT_HIERARCHY == "2024"
    assert demo.DEMO_UNITS_BY_HIERARCHY == UNITS
    assert demo.DEMO_PERIODS_BY_HIERARCHY == PERIODS
    assert demo.UNIT_CODES_BY_HIERARCHY["2025"] == {
        "BL01": "BLM101", "BL02": "BLM201", "BL03": "BLM301", "BL04": "BLM401"}
    assert demo.CENTER_CODE_BY_HIERARCHY == {"2024": "BLTT", "2025": "LDTCT"}
    with pytest.raises(ValueError):
        demo.generate_month(Registry.load(REGISTRY_DIRS["2025"]), "2025-07", hierarchy="2026")


def test_one_file_per_cell_and_month_with_the_expected_names(files, registries, hierarchy):
    registry = registries[hierarchy]
    assert set(files) == {(u, p) for h, u, p in CASES if h == hierarchy}
    for (unit, period), f in files.items():
        assert f.filename == f"{unit}_{period}.xlsx"
        assert registry.get(unit).level == "chi_bo" and registry.get(unit).active_in(period)
        wb = load(f.content)
        info = {r[0]: r[1] for r in wb["ThongTin"].iter_rows(values_only=True) if r[0]}
        assert info["Mã chi bộ"] == unit
        assert info["Tên chi bộ"] == registry.get(unit).name
        assert info["Kỳ báo cáo"] == f"{period[5:]}/{period[:4]}"
        assert info["Phiên bản biểu mẫu"] == "BC-PTĐ-HS/1"
        assert info["Bí thư chi bộ"]


def test_the_cells_of_2025_are_the_registrys_new_rows_under_their_communes(registries):
    old, new = registries["2024"], registries["2025"]
    for unit_2024, unit, commune in zip(UNITS["2024"], UNITS["2025"],
                                        ("BLM1", "BLM2", "BLM3", "BLM4"), strict=True):
        cell = new.get(unit)
        assert (cell.level, cell.parent_code) == ("chi_bo", commune)
        assert new.get(commune).level == "xa" and new.get(commune).parent_code == "LD"
        assert cell.name == old.get(unit_2024).name  # the same school, under a new code
        assert not new.get(unit_2024).active_in("2025-07")
    assert new.get("LDTCT").level == "trung_tam" and new.get("LDTCT").active_in("2025-09")


def test_the_same_call_gives_byte_identical_files(files, registries, hierarchy):
    registry = registries[hierarchy]
    for period in PERIODS[hierarchy]:
        for f in demo.generate_month(registry, period, hierarchy=hierarchy):
            assert f == files[(f.unit_code, f.period)]
    assert (demo.demo_course_register(registry, hierarchy=hierarchy)
            == demo.demo_course_register(registry, hierarchy=hierarchy))


_DIGEST_SCRIPT = """
import hashlib, sys
from pathlib import Path
from cellreports import demo
from core.registry import Registry
registry = Registry.load(Path(sys.argv[1]))
files = demo.generate_demo(registry, hierarchy=sys.argv[2])
print(hashlib.sha256(b"".join(f.content for f in files)).hexdigest())
"""


def test_files_are_identical_across_processes(files, registries, hierarchy):
    local = ([demo.demo_course_register(registries[hierarchy], hierarchy=hierarchy)]
             + [files[(u, p)] for h, u, p in CASES if h == hierarchy])
    expected = hashlib.sha256(b"".join(f.content for f in local)).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT, str(REGISTRY_DIRS[hierarchy]),
                          hierarchy], env=env, cwd=REPO, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == expected


def test_the_2024_files_are_byte_identical_to_before_the_2025_demo(registry):
    for files in (demo.generate_demo(registry), demo.generate_demo(registry, hierarchy="2024")):
        contents = hashlib.sha256(b"".join(f.content for f in files)).hexdigest()
        every = hashlib.sha256()
        for f in files:
            every.update(f.filename.encode())
            every.update(f.content)
            every.update(f.received_at.isoformat().encode())
        assert (contents, every.hexdigest()) == (DIGEST_2024_CONTENTS, DIGEST_2024_FILES)


def test_a_different_seed_gives_different_people():
    assert demo.demo_people(7) != demo.demo_people(demo.DEFAULT_SEED)


def test_arrival_times_are_local_and_on_time_except_one(files, hierarchy):
    late = []
    for (unit, period), f in files.items():
        assert f.received_at.tzinfo is not None
        assert f.received_at.utcoffset().total_seconds() == 7 * 3600
        local = f.received_at.astimezone(demo.TZ)
        assert in_period(local.date(), period)
        if local.day > 25:
            late.append((unit, period))
    late_file = (unit_in(hierarchy, "BL04"), period_in(hierarchy, "2024-01"))
    assert late == [late_file]
    assert files[late_file].received_at.day == 27


def test_report_dates_are_between_the_18th_and_the_arrival(files, registries, hierarchy):
    late_file = (unit_in(hierarchy, "BL04"), period_in(hierarchy, "2024-01"))
    for (unit, period), f in files.items():
        report_date = demo.demo_header(registries[hierarchy], unit, period,
                                       hierarchy=hierarchy).report_date
        assert report_date <= f.received_at.date()
        assert (f.received_at.date() - report_date).days <= 2
        if (unit, period) != late_file:
            assert 18 <= report_date.day <= 24


def test_other_periods_are_refused(registries, hierarchy):
    other = next(h for h in HIERARCHIES if h != hierarchy)
    for period in ("2024-04", "2025-10", PERIODS[other][0]):
        with pytest.raises(ValueError):
            demo.generate_month(registries[hierarchy], period, hierarchy=hierarchy)


# ---------------------------------------------------------------------------------------
# People


def test_names_are_vietnamese_with_diacritics_in_nfc(people):
    names = [p.full_name for p in everyone(people)]
    assert len(names) == len(set(names))
    assert sum(1 for n in names if not n.isascii()) >= len(names) * 0.8
    assert all(unicodedata.normalize("NFC", n) == n for n in names)
    assert any(n.startswith(("K' ", "Ka ")) or " Ka " in n or " Ha " in n for n in names)
    assert any(n.startswith("Điểu") for n in names)


def test_peoples_religions_and_populations(people, hierarchy):
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
    assert sorted(people) == sorted(demo.DEMO_UNITS_BY_HIERARCHY[hierarchy])
    for unit in people:
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


def test_people_move_through_the_stages_month_by_month(people, hierarchy):
    moves: Counter[tuple[int | None, int]] = Counter()
    periods = (period_of(day_in(hierarchy, date(2023, 12, 1))), *PERIODS[hierarchy])
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


def test_admissions_and_a_full_membership_in_the_second_or_third_month(people, hierarchy):
    persons = everyone(people)
    months = PERIODS[hierarchy][1:]
    decisions = [p.date_of(7) for p in persons if p.date_of(7)]
    assert sum(1 for d in decisions if period_of(d) in months) >= 3
    full = [p for p in persons if p.date_of(8)]
    assert full and all(p.population == "vien_chuc" for p in full)
    assert all(period_of(p.date_of(8)) in months for p in full)
    assert all(p.date_of(7) < day_in(hierarchy, date(2023, 4, 1)) for p in full)
    stopped = [p for p in persons if p.date_of(0)]
    assert len(stopped) == 1 and stopped[0].stop_reason


# ---------------------------------------------------------------------------------------
# Rosters against the rules


def rows(unit: str, period: str, hierarchy: str = "2024") -> list[RosterRow]:
    return demo.demo_roster(unit, period, hierarchy=hierarchy)


@pytest.mark.parametrize(("hierarchy", "unit", "period"), CASES, ids=CASE_IDS)
def test_roster_lists_stages_1_to_7_and_this_months_8_and_0(unit, period, people, hierarchy):
    listed = [r.full_name for r in rows(unit, period, hierarchy)]
    expected = []
    for p in people[unit]:
        stage = p.stage_on(last_day(period))
        if stage in range(1, 8) or (stage in (0, 8) and in_period(p.date_of(stage), period)):
            expected.append(p.full_name)
    assert listed == expected
    assert [r.stt for r in rows(unit, period, hierarchy)] == list(range(1, len(listed) + 1))


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


@pytest.mark.parametrize(("hierarchy", "unit", "period"), CASES, ids=CASE_IDS)
def test_every_roster_row_satisfies_the_row_rules(hierarchy, unit, period, registries):
    report_date = demo.demo_header(registries[hierarchy], unit, period,
                                   hierarchy=hierarchy).report_date
    roster = rows(unit, period, hierarchy)
    planted_unit, planted_period, _, meant = PLANTED[hierarchy]
    for row in roster:
        if row.invalid:  # only the planted row; its birth date is checked in its own test
            assert (unit, period, set(row.invalid)) == (planted_unit, planted_period,
                                                        {"birth_date"})
            row.birth_date = meant  # the date the clerk meant
        errors = row_errors(row, report_date, period)
        # one teacher of BL02 (BLM201) is stalled on purpose (track S, course of 2019),
        # for the district's "candidates needing attention" sheet; nobody else may break
        # a rule
        stalled_on_purpose = (unit == unit_in(hierarchy, "BL02")
                              and row.population == "vien_chuc" and row.cert_date
                              and row.cert_date < day_in(hierarchy, date(2020, 1, 1)))
        assert errors == (["H04 stalled"] if stalled_on_purpose and errors else []), (
            row.full_name)
    assert len({r.stt for r in roster}) == len(roster)
    assert len({r.pid for r in roster}) == len(roster)


def test_nobody_goes_missing_between_months(hierarchy):
    periods = PERIODS[hierarchy]
    for unit in UNITS[hierarchy]:
        for before, after in zip(periods, periods[1:], strict=False):
            old = {r.pid: r for r in rows(unit, before, hierarchy)}
            new = {r.pid: r for r in rows(unit, after, hierarchy)}
            for pid, row in old.items():
                assert pid in new or row.stage in (0, 8), (unit, row.full_name)
                if pid in new and new[pid].stage != 0:  # H01: never back to an earlier stage
                    assert new[pid].stage >= row.stage


@pytest.mark.parametrize(("hierarchy", "unit", "period"), CASES, ids=CASE_IDS)
def test_workbook_cells_match_the_roster(hierarchy, unit, period, all_files):
    ws = load(all_files[(hierarchy, unit, period)].content)["DanhSach"]
    header = [c.value for c in ws[ROSTER_HEADER_ROW]]
    assert header == list(ROSTER_COLUMNS.values())
    roster = rows(unit, period, hierarchy)
    for i, row in enumerate(roster):
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
    assert ws[f"A{ROSTER_FIRST_ROW + len(roster)}"].value is None


# ---------------------------------------------------------------------------------------
# The planted error


def test_the_planted_error_is_where_it_says(files, hierarchy):
    unit, period, text, _ = PLANTED[hierarchy]
    planted = demo.planted_error(hierarchy=hierarchy)
    assert (planted.unit_code, planted.period, planted.rule) == (unit, period, "R02")
    assert (planted.sheet, planted.column, planted.field) == ("DanhSach", "C", "birth_date")
    ws = load(files[(unit, period)].content)["DanhSach"]
    assert ws[f"{planted.column}{ROSTER_HEADER_ROW}"].value == "Ngày sinh"
    cell = ws[f"{planted.column}{planted.excel_row}"]
    assert cell.value == text == planted.raw_text and cell.data_type == "s"
    assert ws[f"B{planted.excel_row}"].value == planted.full_name
    if hierarchy == "2024":
        assert demo.planted_error() == planted


@pytest.mark.parametrize(("hierarchy", "unit", "period"), CASES, ids=CASE_IDS)
def test_only_the_planted_file_has_a_birth_date_that_is_not_a_date(hierarchy, unit, period,
                                                                   all_files):
    ws = load(all_files[(hierarchy, unit, period)].content)["DanhSach"]
    n = len(rows(unit, period, hierarchy))
    texts = [ws[f"C{r}"].value for r in range(ROSTER_FIRST_ROW, ROSTER_FIRST_ROW + n)
             if not ws[f"C{r}"].is_date]
    planted_unit, planted_period, text, _ = PLANTED[hierarchy]
    assert texts == ([text] if (unit, period) == (planted_unit, planted_period) else [])


def test_the_planted_person_is_well_formed_in_the_other_months(hierarchy):
    unit, planted_period, _, meant = PLANTED[hierarchy]
    planted = demo.planted_error(hierarchy=hierarchy)
    for period in PERIODS[hierarchy]:
        if period == planted_period:
            continue
        match = [r for r in rows(unit, period, hierarchy) if r.full_name == planted.full_name]
        assert match and match[0].birth_date == meant and not match[0].invalid


# ---------------------------------------------------------------------------------------
# TongHop


@pytest.mark.parametrize(("hierarchy", "unit", "period"), CASES, ids=CASE_IDS)
def test_summary_equals_the_roster_counts(hierarchy, unit, period, all_files):
    summary = read_summary(load(all_files[(hierarchy, unit, period)].content))
    derived = derive_roster_counts(rows(unit, period, hierarchy), period)
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


@pytest.mark.parametrize(("hierarchy", "unit", "period"), CASES, ids=CASE_IDS)
def test_summary_matches_an_independent_count(hierarchy, unit, period, all_files, all_people):
    summary = read_summary(load(all_files[(hierarchy, unit, period)].content))
    counts = independent_counts(all_people[hierarchy], unit, period)
    for code in ROSTER_INDICATORS:
        assert summary[code] == (counts[("hoc_sinh", code)], counts[("vien_chuc", code)]), code


@pytest.mark.parametrize(("hierarchy", "unit", "period"), CASES, ids=CASE_IDS)
def test_school_figures_are_plausible_and_consistent(hierarchy, unit, period, all_files,
                                                     registries):
    registry = registries[hierarchy]
    s = read_summary(load(all_files[(hierarchy, unit, period)].content))
    students, staff = s["TH01"]
    assert 900 <= students <= 1300 and 60 <= staff <= 90
    for pop in (0, 1):
        assert s["TH02"][pop] <= s["TH01"][pop]
        assert s["TH03"][pop] <= s["TH01"][pop]
        assert s["TH04"][pop] <= s["TH01"][pop]
        assert s["TH12"][pop] >= s["TH11"][pop]
    year = int(period[:4])
    assert s["TH13"] == tuple(registry.target(unit, year, pop) for pop in POPULATIONS)
    assert None not in s["TH13"]
    assert all(isinstance(v, int) for code in INDICATOR_CODES for v in s[code]
               if v is not None)


def test_school_figures_are_stable_month_to_month(files, hierarchy):
    for unit in UNITS[hierarchy]:
        series = [read_summary(load(files[(unit, p)].content)) for p in PERIODS[hierarchy]]
        for a, b in zip(series, series[1:], strict=False):
            for code in ("TH01", "TH03"):
                for pop in (0, 1):
                    assert abs(b[code][pop] - a[code][pop]) <= 0.2 * a[code][pop]  # H08
            assert b["TH02"][0] >= a["TH02"][0]  # grade 12 turns 18 month by month
            assert b["TH12"][0] >= a["TH12"][0] and b["TH12"][1] >= a["TH12"][1]  # H02


# ---------------------------------------------------------------------------------------
# The Political Center's course register


def test_course_register_holds_every_certificate_claimed(registries, hierarchy):
    register = demo.demo_course_register(registries[hierarchy], hierarchy=hierarchy)
    sender = {"2024": "BLTT", "2025": "LDTCT"}[hierarchy]
    assert register.unit_code == sender and register.filename.startswith(f"{sender}_HocVien_")
    assert register.filename.endswith(".xlsx") and register.period == PERIODS[hierarchy][-1]
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
    for h, unit, period in CASES:
        if h != hierarchy:
            continue
        for row in rows(unit, period, hierarchy):
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
    assert any(day_in(hierarchy, date(2023, 10, 1)) <= d < day_in(hierarchy, date(2024, 1, 1))
               for d in cert_dates)
    assert any(day_in(hierarchy, date(2024, 1, 1)) <= d for d in cert_dates)
    courses = sorted({(r[6], r[5]) for r in ws.iter_rows(min_row=COURSE_FIRST_ROW,
                                                          values_only=True) if r[0]})
    for (start, code), (next_start, next_code) in zip(courses, courses[1:], strict=False):
        # Kxx/YYYY: numbered within the year the course is held, in date order
        assert int(code[-4:]) == start.year
        if next_start.year == start.year:
            assert int(next_code[1:3]) > int(code[1:3])


def test_decision_numbers_look_like_the_district_committees(people):
    numbers = [p.decision_no for p in everyone(people) if p.date_of(7)]
    assert numbers and all(n.endswith("-QĐ/HU") and n.split("-")[0].isdigit() for n in numbers)
    assert len(set(numbers)) == len(numbers)


# ---------------------------------------------------------------------------------------
# The 2025 demo: the 2024 one, 18 months later, under the new codes

DATE_FIELDS = ("birth_date", "stage_date", "cert_date", "resolution_date", "decision_date",
               "full_member_date")


def later_by_18_months(before: date | None, after: date | None) -> bool:
    if before is None or after is None:
        return before is None and after is None
    months = (after.year * 12 + after.month) - (before.year * 12 + before.month)
    month_end = calendar.monthrange(after.year, after.month)[1]
    return months == 18 and after.day == min(before.day, month_end)


def test_the_same_people_with_every_date_18_months_later(all_people):
    for unit_2024, unit in zip(UNITS["2024"], UNITS["2025"], strict=True):
        before, after = all_people["2024"][unit_2024], all_people["2025"][unit]
        assert [p.full_name for p in after] == [p.full_name for p in before]
        for old, new in zip(before, after, strict=True):
            assert new.unit_code == unit and new.key == f"{unit}-{old.key.split('-')[1]}"
            for name in ("gender", "ethnicity", "religion", "population", "class_or_position",
                         "youth_union", "helper_1", "helper_2", "cert_no", "decision_no",
                         "stop_reason"):
                assert getattr(new, name) == getattr(old, name), name
            assert later_by_18_months(old.birth_date, new.birth_date)
            assert later_by_18_months(old.cert_date, new.cert_date)
            assert [s for s, _ in new.stages] == [s for s, _ in old.stages]
            for (_, a), (_, b) in zip(old.stages, new.stages, strict=True):
                assert later_by_18_months(a, b), (new.key, a, b)
    # the one date of birth on a 31st lands on the 30th of September
    assert date(2008, 9, 30) in {p.birth_date for p in all_people["2025"]["BLM301"]}


@pytest.mark.parametrize(("unit_2024", "period_2024"),
                         [(u, p) for p in PERIODS["2024"] for u in UNITS["2024"]])
def test_each_2025_roster_is_its_2024_roster_18_months_later(unit_2024, period_2024):
    unit, period = unit_in("2025", unit_2024), period_in("2025", period_2024)
    before, after = rows(unit_2024, period_2024), rows(unit, period, "2025")
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        for name in DATE_FIELDS:
            assert later_by_18_months(getattr(old, name), getattr(new, name)), name
        for name in ("stt", "excel_row", "full_name", "gender", "stage", "cert_no",
                     "decision_no", "helper_1", "helper_2", "note", "population"):
            assert getattr(new, name) == getattr(old, name), name
        # R04 after the shift: the 4th digit and the 5th–6th follow the shifted birth year,
        # the province code and the last six digits stay
        birth = new.birth_date or PLANTED["2025"][3]
        assert new.pid[:3] == old.pid[:3] == "068" and new.pid[6:] == old.pid[6:]
        assert new.pid[3] == str((0 if birth.year < 2000 else 2) + (new.gender == "Nữ"))
        assert new.pid[4:6] == f"{birth.year % 100:02d}"
        assert set(new.invalid) == set(old.invalid)


def test_some_numbers_change_century_with_the_shift(all_people):
    # teachers born in late 1998 or 1999 are born in 2000 or 2001 after the shift: their
    # number's 4th digit moves from 0/1 to 2/3 (rule R04)
    pairs = [(old, new) for u, unit in zip(UNITS["2024"], UNITS["2025"], strict=True)
             for old, new in zip(all_people["2024"][u], all_people["2025"][unit], strict=True)]
    crossed = [(old, new) for old, new in pairs
               if old.birth_date.year < 2000 <= new.birth_date.year]
    assert crossed
    for old, new in crossed:
        assert int(new.pid[3]) == int(old.pid[3]) + 2 and new.pid[4:6] in ("00", "01")


def test_the_2025_files_are_the_2024_files_18_months_later(all_files, registries):
    for unit_2024, unit in zip(UNITS["2024"], UNITS["2025"], strict=True):
        for period_2024, period in zip(PERIODS["2024"], PERIODS["2025"], strict=True):
            old, new = all_files[("2024", unit_2024, period_2024)], all_files[
                ("2025", unit, period)]
            assert new.filename == f"{unit}_{period}.xlsx"
            assert later_by_18_months(old.received_at.date(), new.received_at.date())
            assert new.received_at.timetz() == old.received_at.timetz()
            old_header = demo.demo_header(registries["2024"], unit_2024, period_2024)
            new_header = demo.demo_header(registries["2025"], unit, period, hierarchy="2025")
            assert later_by_18_months(old_header.report_date, new_header.report_date)
            assert (new_header.unit_code, new_header.unit_name) == (
                unit, registries["2025"].get(unit).name)
            assert (new_header.secretary, new_header.prepared_by) == (
                old_header.secretary, old_header.prepared_by)
            info = {r[0]: r[1] for r in load(new.content)["ThongTin"].iter_rows(
                values_only=True) if r[0]}
            assert info["Mã chi bộ"] == unit
            a, b = read_summary(load(old.content)), read_summary(load(new.content))
            # the same figures; only "admitted since 1 January" differs, since 2025's
            # January–June holds the admissions that were July–December 2023's
            assert {c: v for c, v in b.items() if c != "TH12"} == {
                c: v for c, v in a.items() if c != "TH12"}
            assert b["TH12"][0] >= a["TH12"][0] and b["TH12"][1] >= a["TH12"][1]


def test_the_2025_register_is_the_2024_one_18_months_later_from_the_province(registries):
    old = demo.demo_course_register(registries["2024"])
    new = demo.demo_course_register(registries["2025"], hierarchy="2025")
    assert (new.unit_code, new.period, new.filename) == ("LDTCT", "2025-09",
                                                         "LDTCT_HocVien_2025-09.xlsx")
    assert later_by_18_months(old.received_at.date(), new.received_at.date())
    assert new.received_at.timetz() == old.received_at.timetz()
    before, after = demo.demo_course_records(), demo.demo_course_records(hierarchy="2025")
    assert len(before) == len(after)
    codes = dict(zip(UNITS["2024"], UNITS["2025"], strict=True))
    for a, b in zip(before, after, strict=True):
        assert (b.stt, b.full_name, b.passed, b.cert_no) == (a.stt, a.full_name, a.passed,
                                                             a.cert_no)
        assert b.unit_code == codes[a.unit_code]
        for name in ("birth_date", "date_from", "date_to", "cert_date"):
            assert later_by_18_months(getattr(a, name), getattr(b, name)), name
        assert b.course_code.endswith(f"/{b.date_from.year}")
    ws = load(new.content)["HocVien"]
    register_units = {r[4] for r in ws.iter_rows(min_row=COURSE_FIRST_ROW, values_only=True)
                      if r[0]}
    assert register_units <= set(UNITS["2025"])


def test_openpyxl_works_without_lxml_though_the_word_report_brings_it():
    """python-docx installs lxml; openpyxl must not switch to it (core/xlsx_backend.py):
    the bytes above and the reader's size limits depend on it."""
    import lxml  # noqa: F401  (installed: the Word report needs it)
    import openpyxl.xml

    assert openpyxl.xml.LXML is False
