"""Deterministic demo data: three months (01–03/2024) of reports from the four school
Party cells of Bảo Lâm district, and the Political Center's course register.

The same demo exists for the structure from 1 July 2025 (``hierarchy="2025"``): the same
people and timelines moved by exactly 18 months (01–03/2024 → 07–09/2025), the cells under
their new codes (BL01 → BLM101 … BL04 → BLM401, each under its commune BLM1–BLM4), the
course register sent by the province's school of politics (LDTCT). It is not generated a
second time: the 2024 data is built once and shifted (``_shift_person``), so both demos tell
the same story and the 2024 files stay byte for byte what they were.

The people are invented but behave like real candidates: each has a timeline of stage-entry
dates, so that month by month some get helpers, attend the awareness course, write their
files, are verified, get the cell's resolution and are admitted; a teacher admitted in early
2023 becomes a full member; a student moves away and is no longer followed. Every workbook
passes the form's rules except ONE planted error (see ``planted_error``), and every file is
on time except one late January report — so a demo run shows each part of the system once.

Randomness comes from ``random.Random`` seeded with strings (stable across processes,
unlike ``hash()``), and the workbooks are written reproducibly: the same seed always gives
byte-identical files.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.counts import derive_roster_counts
from core.form import Header, RosterRow, SummaryLine
from core.layout import FORM_VERSION, INDICATORS, POPULATIONS, ROSTER_INDICATORS, SHEET_ROSTER
from core.periods import (
    add_months,
    first_day,
    in_period,
    last_day,
    months_between,
    parse_period,
    period_of,
)
from core.registry import Registry, Unit
from forms.course_register import CourseRecord, write_course_register
from forms.writer import (
    roster_column_letter,
    roster_excel_row,
    summary_excel_row,
    write_cell_workbook,
)

DEMO_UNITS = ("BL01", "BL02", "BL03", "BL04")
DEMO_PERIODS = ("2024-01", "2024-02", "2024-03")
CENTER_CODE = "BLTT"
DEFAULT_SEED = 2024
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE_CODE = "068"  # Lâm Đồng, first three digits of a personal identification number
YOUTH_UNION_EXECUTIVE = "BCH Đoàn trường"

# The one planted error: an impossible date of birth (rule R02).
PLANTED_UNIT = "BL03"
PLANTED_PERIOD = "2024-02"
PLANTED_FIELD = "birth_date"
PLANTED_TEXT = "31/02/2007"  # the clerk typed 02 for the month of 31/03/2007 (2025: 30/02/2008)
_PLANTED_BIRTH = date(2007, 3, 31)

# The one late report: the remote Lộc Bắc school sends January's on the 27th.
LATE_UNIT = "BL04"
LATE_PERIOD = "2024-01"
_LATE_RECEIVED = datetime(2024, 1, 27, 9, 40, tzinfo=TZ)

# In the demo months every event falls on or before this day, and every report is dated
# after it, so that no stage date is later than "Ngày lập" (R02).
_LAST_EVENT_DAY = 16


# =======================================================================================
# Hierarchies: the 2024 district (cell → district → province) and the structure from
# 1 July 2025 (cell → commune → province). The 2025 demo is the 2024 one moved in time.

HIERARCHIES = ("2024", "2025")
DEFAULT_HIERARCHY = "2024"
SHIFT_MONTHS: dict[str, int] = {"2024": 0, "2025": 18}
# 2024 cell code -> the cell's code in each hierarchy (config/registry/lam-dong-2025)
UNIT_CODES_BY_HIERARCHY: dict[str, dict[str, str]] = {
    "2024": {code: code for code in DEMO_UNITS},
    "2025": {"BL01": "BLM101", "BL02": "BLM201", "BL03": "BLM301", "BL04": "BLM401"},
}
DEMO_UNITS_BY_HIERARCHY: dict[str, tuple[str, ...]] = {
    h: tuple(codes[u] for u in DEMO_UNITS) for h, codes in UNIT_CODES_BY_HIERARCHY.items()}
# Who sends the course register: the district's Political Center, then the province's school.
CENTER_CODE_BY_HIERARCHY: dict[str, str] = {"2024": CENTER_CODE, "2025": "LDTCT"}


def _hierarchy(hierarchy: str) -> str:
    if hierarchy not in SHIFT_MONTHS:
        raise ValueError(f"the demo hierarchies are {', '.join(HIERARCHIES)}, not {hierarchy!r}")
    return hierarchy


def shift_date(day: date, hierarchy: str) -> date:
    """A 2024-demo date in ``hierarchy``: same day, months later, clamped to the month end."""
    months = SHIFT_MONTHS[_hierarchy(hierarchy)]
    return add_months(day, months) if months else day


def shift_datetime(moment: datetime, hierarchy: str) -> datetime:
    """A 2024-demo time in ``hierarchy``: its date shifted, the same local time of day."""
    if not SHIFT_MONTHS[_hierarchy(hierarchy)]:
        return moment
    return datetime.combine(shift_date(moment.date(), hierarchy), moment.timetz())


def shift_period(period: str, hierarchy: str) -> str:
    """A 2024-demo month in ``hierarchy`` (``2024-02`` → ``2025-08`` for "2025")."""
    return period_of(shift_date(first_day(parse_period(period)), hierarchy))


DEMO_PERIODS_BY_HIERARCHY: dict[str, tuple[str, ...]] = {
    h: tuple(shift_period(p, h) for p in DEMO_PERIODS) for h in HIERARCHIES}


def _base_unit(unit_code: str, hierarchy: str) -> str:
    """The 2024 code of a demo cell given under its ``hierarchy`` code."""
    for base, code in UNIT_CODES_BY_HIERARCHY[_hierarchy(hierarchy)].items():
        if code == unit_code:
            return base
    raise ValueError(f"{unit_code!r} is not a demo cell of the {hierarchy} hierarchy")


def _base_period(period: str, hierarchy: str) -> str:
    """The 2024 month a ``hierarchy`` demo month was shifted from."""
    return DEMO_PERIODS[DEMO_PERIODS_BY_HIERARCHY[_hierarchy(hierarchy)].index(period)]


# =======================================================================================
# Courses of the Political Center


@dataclass(frozen=True)
class Course:
    code: str
    date_from: date
    date_to: date
    cert_date: date
    first_no: int  # certificate numbers restart every year; where ours start


COURSES: dict[str, Course] = {c.code: c for c in (
    Course("K03/2019", date(2019, 5, 6), date(2019, 5, 10), date(2019, 5, 17), 44),
    Course("K02/2022", date(2022, 5, 9), date(2022, 5, 13), date(2022, 5, 20), 52),
    Course("K01/2023", date(2023, 4, 10), date(2023, 4, 14), date(2023, 4, 21), 18),
    Course("K03/2023", date(2023, 10, 9), date(2023, 10, 13), date(2023, 10, 20), 96),
    Course("K04/2023", date(2023, 12, 4), date(2023, 12, 8), date(2023, 12, 15), 121),
    Course("K01/2024", date(2024, 1, 8), date(2024, 1, 12), date(2024, 1, 15), 5),
    Course("K02/2024", date(2024, 3, 4), date(2024, 3, 8), date(2024, 3, 12), 31),
)}
REGISTER_TITLE = "SỔ THEO DÕI HỌC VIÊN CÁC LỚP BỒI DƯỠNG NHẬN THỨC VỀ ĐẢNG"


@lru_cache(maxsize=4)
def _course_codes(hierarchy: str) -> dict[str, str]:
    """2024-demo course code -> its code in ``hierarchy``. Courses are numbered within the
    year they are held (K03/2023 is the third course of 2023), so a shifted course is
    numbered again within its new year, in date order."""
    if not SHIFT_MONTHS[_hierarchy(hierarchy)]:
        return {code: code for code in COURSES}
    by_year: dict[int, list[str]] = {}
    for course in sorted(COURSES.values(), key=lambda c: c.date_from):
        by_year.setdefault(shift_date(course.date_from, hierarchy).year, []).append(course.code)
    return {code: f"K{n:02d}/{year}" for year, codes in by_year.items()
            for n, code in enumerate(codes, start=1)}


def demo_courses(hierarchy: str = DEFAULT_HIERARCHY) -> dict[str, Course]:
    """The courses behind the demo certificates in ``hierarchy``, by course code."""
    if not SHIFT_MONTHS[_hierarchy(hierarchy)]:
        return dict(COURSES)
    codes = _course_codes(hierarchy)
    shifted = (Course(codes[c.code], shift_date(c.date_from, hierarchy),
                      shift_date(c.date_to, hierarchy), shift_date(c.cert_date, hierarchy),
                      c.first_no) for c in COURSES.values())
    return {c.code: c for c in shifted}


# =======================================================================================
# People


@dataclass(frozen=True)
class DemoPerson:
    """One candidate with the dates on which they entered each stage."""

    unit_code: str
    key: str  # stable id, e.g. "BL03-06"
    full_name: str
    birth_date: date
    gender: str
    pid: str
    ethnicity: str
    religion: str
    population: str
    class_or_position: str
    youth_union: bool
    helper_1: str
    helper_2: str
    stages: tuple[tuple[int, date], ...]  # (stage, entry date), in the order lived
    course: str | None = None  # course of the certificate held
    failed_course: str | None = None  # an earlier attempt without a certificate
    cert_no: str | None = None
    decision_no: str | None = None
    stop_reason: str | None = None
    cert_date: date | None = None  # the certificate's date (that of its course)

    def date_of(self, stage: int) -> date | None:
        return dict(self.stages).get(stage)

    def stage_on(self, day: date) -> int | None:
        """The stage held on ``day`` (None before the person was listed)."""
        current = None
        for stage, entered in self.stages:
            if entered <= day:
                current = stage
        return current

    def in_roster(self, period: str) -> bool:
        """Listed while at stages 1–7, and in the month they reach 8 or 0."""
        stage = self.stage_on(last_day(period))
        if stage is None:
            return False
        if stage in (0, 8):
            return in_period(self.date_of(stage), period)
        return True


# ---------------------------------------------------------------------------------------
# Names. Kinh names are composed; K'Ho and Mạ names follow the local patterns (a man's
# "K'", a woman's "Ka", clan names such as Kră Jăn, Lơ Mu, Liêng Hót; the Mạ "Điểu").

_KINH_SURNAMES = (
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
    ("Phan", 4), ("Vũ", 4), ("Võ", 4), ("Đặng", 3), ("Bùi", 3), ("Đỗ", 3), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 2), ("Lý", 1), ("Đinh", 1), ("Trương", 1),
)
_KINH_MIDDLE = {"Nam": ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Gia", "Công", "Anh"),
                "Nữ": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Bảo", "Phương")}
_KINH_SECOND_MIDDLE = {"Nam": ("Minh", "Hoàng", "Tuấn", "Quang"),
                       "Nữ": ("Thu", "Ngọc", "Kim", "Thanh", "Hồng")}
_KINH_GIVEN = {
    "Nam": ("Hùng", "Dũng", "Khang", "Phúc", "Huy", "Nam", "Tuấn", "Long", "Bảo", "Khôi",
            "Đạt", "Thịnh", "Trí", "Quân", "Hiếu", "Lộc", "Phát", "Tài", "Sơn", "Vinh"),
    "Nữ": ("Hà", "Lan", "Linh", "Trang", "Ngân", "Hương", "Thảo", "Vy", "Nhi", "My", "Yến",
           "Duyên", "Quỳnh", "Hằng", "Nhung", "Uyên", "Trâm", "Giang", "Mai", "Tuyết"),
}
_KHO_CLANS = ("Kră Jăn", "Lơ Mu", "Liêng Hót", "Bon Niêng", "Cil", "Kơ Să", "Rơ Ông")
_KHO_GIVEN = {"Nam": ("Brỏi", "Tiếp", "Duy", "Thuận", "Sang", "Thuyên", "Hoàng", "Sơn", "Phi",
                      "Thương", "Tơ Nhia"),
              "Nữ": ("Điệp", "H'Rin", "Nguyệt", "Hiền", "Thùy", "Bích", "Sương", "Tuyết",
                     "Nhung", "H'Lan")}
_MA_GIVEN = {"Nam": ("Lang", "Bré", "Ré", "Tâm", "Sơn", "Dũng", "Quyết"),
             "Nữ": ("Hương", "Nhi", "Thảo", "Bích", "Hoa", "Liên", "Ngọc")}
# Tày and Nùng teachers who came south with their families: their usual surnames.
_NORTHERN_SURNAMES = {"Tày": ("Hoàng", "Nông", "Ma", "Hà", "Lường"),
                      "Nùng": ("Lương", "Vi", "Lục", "Nông", "Triệu")}


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _kinh_name(rng: random.Random, gender: str) -> str:
    surname = _weighted(rng, _KINH_SURNAMES)
    middle = [rng.choice(_KINH_MIDDLE[gender])]
    if rng.random() < 0.35:  # "Nguyễn Thị Thu Hà"; never "Minh Minh" or "Hoàng … Hoàng"
        middle.append(rng.choice([m for m in _KINH_SECOND_MIDDLE[gender]
                                  if m not in (surname, *middle)]))
    given = rng.choice([g for g in _KINH_GIVEN[gender] if g not in middle])
    return " ".join((surname, *middle, given))


def _kho_name(rng: random.Random, gender: str) -> str:
    given = rng.choice(_KHO_GIVEN[gender])
    if gender == "Nam":
        return f"K' {given}" if rng.random() < 0.5 else f"{rng.choice(_KHO_CLANS)} Ha {given}"
    return f"Ka {given}" if rng.random() < 0.5 else f"{rng.choice(_KHO_CLANS)} Ka {given}"


def _ma_name(rng: random.Random, gender: str) -> str:
    given = rng.choice(_MA_GIVEN[gender])
    if gender == "Nam":
        return f"Điểu K'{given}" if rng.random() < 0.5 else f"Điểu Văn {given}"
    return f"Điểu Thị {given}" if rng.random() < 0.6 else f"Ka {given}"


def _name(rng: random.Random, ethnicity: str, gender: str, used: set[str]) -> str:
    for _ in range(200):
        if ethnicity == "K'Ho":
            name = _kho_name(rng, gender)
        elif ethnicity == "Mạ":
            name = _ma_name(rng, gender)
        elif ethnicity in _NORTHERN_SURNAMES:
            middle = "Văn" if gender == "Nam" else "Thị"
            name = (f"{rng.choice(_NORTHERN_SURNAMES[ethnicity])} {middle} "
                    f"{rng.choice(_KINH_GIVEN[gender])}")
        else:
            name = _kinh_name(rng, gender)
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError(f"demo name pool for {ethnicity}/{gender} exhausted")


_RELIGIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "Kinh": (("Không", 75), ("Công giáo", 12), ("Phật giáo", 13)),
    "K'Ho": (("Tin lành", 45), ("Công giáo", 35), ("Không", 20)),
    "Mạ": (("Công giáo", 40), ("Tin lành", 20), ("Không", 40)),
}


def _religion(rng: random.Random, ethnicity: str) -> str:
    return _weighted(rng, _RELIGIONS.get(ethnicity, (("Không", 1),)))


def _pid_prefix(birth: date, gender: str) -> str:
    """Digits 4–6 of an identification number (rule R04): gender and century, birth year."""
    century = 0 if birth.year < 2000 else 2
    code = century + (1 if gender == "Nữ" else 0)
    return f"{code}{birth.year % 100:02d}"


def _pid(rng: random.Random, birth: date, gender: str, used: set[str]) -> str:
    """A 12-digit number consistent with rule R04: province, gender/century, birth year."""
    prefix = _pid_prefix(birth, gender)
    while True:
        pid = f"{PROVINCE_CODE}{prefix}{rng.randint(0, 999_999):06d}"
        if pid not in used:
            used.add(pid)
            return pid


# ---------------------------------------------------------------------------------------
# The cells


@dataclass(frozen=True)
class CellProfile:
    student_ethnicities: tuple[tuple[str, float], ...]
    classes_12: tuple[str, ...]
    classes_11: tuple[str, ...]
    students: tuple[int, int]  # range of enrolled students (TH01)
    staff: tuple[int, int]  # range of teachers and staff (TH01)
    # (track, population, overrides) in no particular order; see _TRACKS
    plan: tuple[tuple[str, str, dict[str, object]], ...]


def _plan(*entries: str | tuple[str, str, dict[str, object]]
          ) -> tuple[tuple[str, str, dict[str, object]], ...]:
    """``"A"`` is a student on track A, ``"vc:J"`` a staff member on track J."""
    out: list[tuple[str, str, dict[str, object]]] = []
    for entry in entries:
        if isinstance(entry, tuple):
            out.append(entry)
        elif entry.startswith("vc:"):
            out.append((entry[3:], "vien_chuc", {}))
        else:
            out.append((entry, "hoc_sinh", {}))
    return tuple(out)


_PROFILES: dict[str, CellProfile] = {
    "BL01": CellProfile(
        (("Kinh", 65), ("K'Ho", 25), ("Mạ", 10)),
        tuple(f"12A{i}" for i in range(1, 9)), tuple(f"11A{i}" for i in range(1, 9)),
        (1180, 1300), (78, 90),
        _plan("A", "B", "C", "D", "E1", "F", "H", "I", "I_new", "J2", "vc:K2", "vc:J", "vc:H"),
    ),
    "BL02": CellProfile(
        (("Kinh", 70), ("K'Ho", 20), ("Mạ", 10)),
        tuple(f"12A{i}" for i in range(1, 7)), tuple(f"11A{i}" for i in range(1, 7)),
        (1000, 1150), (66, 80),
        _plan("A", "D", "E2", "G_fail", "H", "L", "I", "I", "vc:J", "vc:D", "vc:I", "vc:S"),
    ),
    "BL03": CellProfile(
        (("Kinh", 55), ("K'Ho", 35), ("Mạ", 10)),
        tuple(f"12A{i}" for i in range(1, 6)), tuple(f"11A{i}" for i in range(1, 6)),
        (920, 1050), (62, 74),
        _plan("B", "C", "E1", "F", "H", ("I", "hoc_sinh", {"planted": True}), "J2",
              "vc:K3", "vc:E2", "vc:I_new"),
    ),
    "BL04": CellProfile(
        (("Kinh", 30), ("K'Ho", 40), ("Mạ", 30)),
        ("12A1", "12A2", "12A3"), ("11A1", "11A2", "11A3"),
        (900, 980), (60, 70),
        _plan("A", "D", "E2", "G", "H", "I", "I", "vc:J", "vc:H"),
    ),
}
_TEACHER_POSITIONS = (
    "Giáo viên Toán", "Giáo viên Ngữ văn", "Giáo viên Tiếng Anh", "Giáo viên Vật lí",
    "Giáo viên Hóa học", "Giáo viên Sinh học", "Giáo viên Lịch sử", "Giáo viên Địa lí",
    "Giáo viên Tin học", "Giáo viên Giáo dục thể chất",
)
_OTHER_STAFF_POSITIONS = ("Nhân viên thư viện", "Nhân viên kế toán", "Nhân viên văn thư",
                          "Nhân viên thiết bị")
_STOP_REASONS = ("Chuyển trường theo gia đình vào tỉnh Đồng Nai",)


# ---------------------------------------------------------------------------------------
# Tracks: how a person's stages unfold. Each returns the stage dates, the course of the
# certificate, and the latest birth month allowed (aged full 18 by month at the cell's
# resolution, rule R05). Every date inside the demo months falls on or before the 16th.

def _day(rng: random.Random, year: int, months: tuple[int, ...] | int, lo: int = 1,
         hi: int = 28) -> date:
    month = months if isinstance(months, int) else rng.choice(months)
    if (year, month) >= (2024, 1):
        hi = min(hi, _LAST_EVENT_DAY)
    return date(year, month, rng.randint(lo, hi))


@dataclass
class _Timeline:
    stages: list[tuple[int, date]] = field(default_factory=list)
    course: str | None = None
    failed_course: str | None = None
    born_by: date | None = None  # latest birth month allowed (first day of it)

    def add(self, stage: int, day: date) -> _Timeline:
        self.stages.append((stage, day))
        return self


def _course(t: _Timeline, code: str) -> _Timeline:
    t.course = code
    return t.add(3, COURSES[code].cert_date)


def _track_a(rng: random.Random) -> _Timeline:  # admitted in February
    t = _Timeline(born_by=date(2006, 1, 1))
    t.add(1, _day(rng, 2023, (3, 4, 5))).add(2, _day(rng, 2023, 9))
    _course(t, "K03/2023").add(4, _day(rng, 2023, 11)).add(5, _day(rng, 2023, 12))
    return t.add(6, _day(rng, 2024, 1, lo=3)).add(7, _day(rng, 2024, 2))


def _track_b(rng: random.Random) -> _Timeline:  # admitted in March
    t = _Timeline(born_by=date(2006, 2, 1))
    t.add(1, _day(rng, 2023, (4, 5, 6))).add(2, _day(rng, 2023, 9))
    _course(t, "K03/2023").add(4, _day(rng, 2023, (11, 12)))
    return t.add(5, _day(rng, 2024, 1)).add(6, _day(rng, 2024, 2)).add(7, _day(rng, 2024, 3))


def _track_c(rng: random.Random) -> _Timeline:  # cell resolution in March
    t = _Timeline(born_by=date(2006, 3, 1))
    t.add(1, _day(rng, 2023, (5, 6, 7, 8))).add(2, _day(rng, 2023, (9, 10, 11), hi=25))
    _course(t, "K04/2023")
    return t.add(4, _day(rng, 2024, 1)).add(5, _day(rng, 2024, 2)).add(6, _day(rng, 2024, 3))


def _track_d(rng: random.Random) -> _Timeline:  # file in January, verification Feb/Mar
    t = _Timeline()
    t.add(1, _day(rng, 2023, (6, 7, 8))).add(2, _day(rng, 2023, (9, 10, 11), hi=25))
    _course(t, "K04/2023")
    return t.add(4, _day(rng, 2024, 1, lo=3)).add(5, _day(rng, 2024, (2, 3)))


def _track_e1(rng: random.Random) -> _Timeline:  # course in December, file Feb/Mar
    t = _Timeline()
    t.add(1, _day(rng, 2023, (6, 7, 8))).add(2, _day(rng, 2023, (9, 10, 11), hi=25))
    return _course(t, "K04/2023").add(4, _day(rng, 2024, (2, 3)))


def _track_e2(rng: random.Random) -> _Timeline:  # course in January, file Feb/Mar
    t = _Timeline()
    t.add(1, _day(rng, 2023, (6, 7, 8, 9))).add(2, _day(rng, 2023, (10, 11, 12), hi=20))
    return _course(t, "K01/2024").add(4, _day(rng, 2024, (2, 3)))


def _track_f(rng: random.Random) -> _Timeline:  # course in January
    t = _Timeline()
    t.add(1, _day(rng, 2023, (5, 6, 7, 8, 9))).add(2, _day(rng, 2023, (10, 11, 12), hi=20))
    return _course(t, "K01/2024")


def _track_g(rng: random.Random, failed_first: bool = False) -> _Timeline:  # course in March
    t = _Timeline()
    t.add(1, _day(rng, 2023, (8, 9, 10)))
    if failed_first:  # sat the January course without passing, passed in March
        t.add(2, _day(rng, 2023, 12, hi=20))
        t.failed_course = "K01/2024"
    else:
        t.add(2, _day(rng, 2024, (1, 2)))
    return _course(t, "K02/2024")


def _track_h(rng: random.Random) -> _Timeline:  # helpers assigned in the demo months
    t = _Timeline()
    return t.add(1, _day(rng, 2023, (9, 10, 11, 12))).add(2, _day(rng, 2024, (1, 2, 3)))


def _track_s(rng: random.Random) -> _Timeline:  # teacher whose file has stalled since 2023
    # course in 2019, file begun in August 2023 and not moving: from February the district
    # sees her as stalled (H04) and her certificate expiring in May 2024 (R07)
    t = _Timeline()
    t.add(1, _day(rng, 2018, (9, 10))).add(2, _day(rng, 2019, (1, 2)))
    return _course(t, "K03/2019").add(4, _day(rng, 2023, 8, hi=20))


def _track_i(rng: random.Random) -> _Timeline:  # on the sympathizer list
    return _Timeline().add(1, _day(rng, 2023, (9, 10, 11, 12)))


def _track_i_new(rng: random.Random) -> _Timeline:  # added to the list in Feb/Mar
    return _Timeline().add(1, _day(rng, 2024, (2, 3)))


def _track_j(rng: random.Random) -> _Timeline:  # teacher admitted mid-2023, on probation
    t = _Timeline()
    t.add(1, _day(rng, 2021, (9, 10, 11, 12))).add(2, _day(rng, 2022, (1, 2, 3)))
    _course(t, "K02/2022").add(4, _day(rng, 2022, (9, 10, 11))).add(5, _day(rng, 2023, (1, 2)))
    month = rng.choice((5, 6, 7, 8, 9))
    return t.add(6, _day(rng, 2023, month)).add(7, _day(rng, 2023, month + 1))


def _track_j2(rng: random.Random) -> _Timeline:  # grade-12 student admitted late 2023
    t = _Timeline(born_by=date(2005, 10, 1))
    t.add(1, _day(rng, 2022, (9, 10, 11))).add(2, _day(rng, 2023, (1, 2)))
    _course(t, "K01/2023").add(4, _day(rng, 2023, (5, 6, 7))).add(5, _day(rng, 2023, 9))
    return t.add(6, _day(rng, 2023, 10)).add(7, _day(rng, 2023, (11, 12)))


def _track_k(rng: random.Random, full_month: int) -> _Timeline:
    """Admitted in early 2023; full member twelve months later, in the demo months."""
    t = _Timeline()
    t.add(1, _day(rng, 2021, (2, 3, 4, 5))).add(2, _day(rng, 2021, (8, 9, 10)))
    _course(t, "K02/2022").add(4, _day(rng, 2022, (7, 8))).add(5, _day(rng, 2022, (9, 10)))
    resolution = (_day(rng, 2022, 12) if full_month == 2 else _day(rng, 2023, 1))
    decision = date(2023, full_month, rng.randint(1, 5))
    full = date(2024, full_month, decision.day + rng.randint(7, 11))
    return t.add(6, resolution).add(7, decision).add(8, full)


def _track_l(rng: random.Random) -> _Timeline:  # stops being followed in February
    t = _Timeline().add(1, _day(rng, 2023, (9, 10, 11)))
    if rng.random() < 0.5:
        t.add(2, _day(rng, 2023, 12))
    return t.add(0, _day(rng, 2024, 2, lo=5))


_TRACKS: dict[str, Callable[[random.Random], _Timeline]] = {
    "A": _track_a, "B": _track_b, "C": _track_c, "D": _track_d, "E1": _track_e1,
    "E2": _track_e2, "F": _track_f, "G": _track_g,
    "G_fail": lambda rng: _track_g(rng, failed_first=True),
    "H": _track_h, "I": _track_i, "I_new": _track_i_new, "J": _track_j, "J2": _track_j2,
    "K2": lambda rng: _track_k(rng, 2), "K3": lambda rng: _track_k(rng, 3), "L": _track_l,
    "S": _track_s,
}
# Tracks of students who need to be in grade 12 (admission in sight, or stage 4 and on).
_GRADE_12_TRACKS = frozenset({"A", "B", "C", "D", "E1", "E2", "J2"})


# ---------------------------------------------------------------------------------------
# Building people


def _student_birth(rng: random.Random, grade: int, born_by: date | None) -> date:
    """A student's date of birth; ``born_by`` is the latest birth month a track allows."""
    if born_by is None:
        year = 2006 if grade == 12 else 2007
        return date(year, rng.randint(1, 12), rng.randint(1, 28))
    if born_by.year >= 2006 and rng.random() >= 0.3:
        year, month = 2006, rng.randint(1, born_by.month)
    else:  # a year behind at school: common among the hill communes' students
        latest = born_by.month if born_by.year == 2005 else 12
        year, month = 2005, rng.randint(min(3, latest), latest)
    return date(year, month, rng.randint(1, 28))


def _party_members(rng: random.Random, used: set[str]) -> list[str]:
    """The cell's Party members who act as helpers; the first is the secretary."""
    return [_name(rng, "Kinh", rng.choice(("Nam", "Nữ")), used) for _ in range(6)]


@dataclass(frozen=True)
class DemoCell:
    unit_code: str
    secretary: str
    prepared_by: str
    people: tuple[DemoPerson, ...]


def _check_timeline(key: str, t: _Timeline, birth: date) -> None:
    """Guards the track definitions: dates strictly in the order lived, age at resolution."""
    days = [d for _, d in t.stages]
    if days != sorted(days) or len(set(days)) != len(days):
        raise AssertionError(f"demo person {key}: stage dates out of order {t.stages}")
    resolution = dict(t.stages).get(6)
    if resolution is not None and months_between(birth, resolution) < 216:
        raise AssertionError(f"demo person {key}: under 18 at the resolution")


def _build_person(rng: random.Random, unit: str, index: int, track: str, population: str,
                  overrides: dict[str, object], profile: CellProfile, members: list[str],
                  positions: list[str], peoples: list[str], names: set[str], pids: set[str]
                  ) -> DemoPerson:
    t = _TRACKS[track](rng)
    if population == "hoc_sinh":
        gender = "Nữ" if rng.random() < 0.6 else "Nam"
        ethnicity = peoples.pop()
        grade = 12 if track in _GRADE_12_TRACKS or rng.random() < 0.5 else 11
        birth = _student_birth(rng, grade, t.born_by)
        if overrides.get("planted"):
            grade, birth = 11, _PLANTED_BIRTH
        classes = profile.classes_12 if grade == 12 else profile.classes_11
        class_or_position = rng.choice(classes)
        # Students on the list are nearly all Union members; the Union introduces them.
        youth_union = track not in ("I", "I_new", "H") or rng.random() < 0.85
    else:
        gender = rng.choice(("Nam", "Nữ"))
        ethnicity = _weighted(rng, (("Kinh", 80), ("Tày", 10), ("Nùng", 10)))
        birth = date(rng.randint(1982, 1999), rng.randint(1, 12), rng.randint(1, 28))
        class_or_position = positions.pop()
        youth_union = months_between(birth, date(2024, 1, 1)) < 30 * 12
    key = f"{unit}-{index + 1:02d}"
    _check_timeline(key, t, birth)
    helper_1, other = rng.sample(members[1:], 2)
    helper_2 = (YOUTH_UNION_EXECUTIVE if population == "hoc_sinh" and rng.random() < 0.6
                else other)
    stop_reason = rng.choice(_STOP_REASONS) if any(s == 0 for s, _ in t.stages) else None
    return DemoPerson(
        unit_code=unit, key=key, full_name=_name(rng, ethnicity, gender, names),
        birth_date=birth, gender=gender, pid=_pid(rng, birth, gender, pids),
        ethnicity=ethnicity, religion=_religion(rng, ethnicity), population=population,
        class_or_position=class_or_position, youth_union=youth_union,
        helper_1=helper_1, helper_2=helper_2, stages=tuple(t.stages), course=t.course,
        failed_course=t.failed_course, stop_reason=stop_reason,
        cert_date=COURSES[t.course].cert_date if t.course else None,
    )


def _student_ethnicities(rng: random.Random, profile: CellProfile, count: int) -> list[str]:
    """The students' peoples in the school's proportions, at least one of each listed."""
    total = sum(w for _, w in profile.student_ethnicities)
    out: list[str] = []
    for ethnicity, weight in profile.student_ethnicities:
        if ethnicity != "Kinh":
            out += [ethnicity] * max(1, round(count * weight / total))
    out += ["Kinh"] * (count - len(out))
    rng.shuffle(out)
    return out


def _number_certificates(cells: list[DemoCell], rng: random.Random) -> list[DemoCell]:
    """Certificate numbers run per course; gaps are attendees from other units."""
    numbers: dict[str, str] = {}
    for code, course in COURSES.items():
        n = course.first_no
        for cell in cells:
            for person in cell.people:
                if person.course == code:
                    numbers[person.key] = f"{n}/GCN-TTCT"
                    n += 1 + rng.randint(0, 2)
    return [replace(c, people=tuple(replace(p, cert_no=numbers.get(p.key)) for p in c.people))
            for c in cells]


def _number_decisions(cells: list[DemoCell], rng: random.Random) -> list[DemoCell]:
    """Admission decisions of the district committee (…-QĐ/HU), numbered through time."""
    admitted = sorted((p.date_of(7), p.key) for c in cells for p in c.people
                      if p.date_of(7) is not None)
    numbers: dict[str, str] = {}
    n = 240
    previous: date | None = None
    for day, key in admitted:
        if previous is not None:  # the committee issues about one decision every 3 days
            n += 1 + (day - previous).days // 3 + rng.randint(0, 1)
        numbers[key] = f"{n}-QĐ/HU"
        previous = day
    return [replace(c, people=tuple(replace(p, decision_no=numbers.get(p.key))
                                    for p in c.people)) for c in cells]


@lru_cache(maxsize=8)
def _build(seed: int) -> tuple[DemoCell, ...]:
    names: set[str] = set()
    pids: set[str] = set()
    cells: list[DemoCell] = []
    for unit in DEMO_UNITS:
        rng = random.Random(f"{seed}:{unit}:people")
        profile = _PROFILES[unit]
        members = _party_members(rng, names)
        # Mostly teachers, sometimes someone from the school office.
        positions = rng.sample(_TEACHER_POSITIONS, 3)
        positions.insert(rng.randint(0, 1), rng.choice(_OTHER_STAFF_POSITIONS))
        peoples = _student_ethnicities(
            rng, profile, sum(1 for _, pop, _ in profile.plan if pop == "hoc_sinh"))
        people = [_build_person(rng, unit, i, track, pop, overrides, profile, members,
                                positions, peoples, names, pids)
                  for i, (track, pop, overrides) in enumerate(profile.plan)]
        # A roster lists people in the order they joined the sympathizer list.
        people.sort(key=lambda p: (p.stages[0][1], p.key))
        cells.append(DemoCell(unit, secretary=members[0], prepared_by=members[1],
                              people=tuple(people)))
    rng = random.Random(f"{seed}:numbers")
    return tuple(_number_decisions(_number_certificates(cells, rng), rng))


def _shift_person(person: DemoPerson, hierarchy: str) -> DemoPerson:
    """The same person in ``hierarchy``: every date moved, the cell's new code, and an
    identification number whose gender/century and birth-year digits follow the shifted
    date of birth (rule R04); its other digits stay."""
    unit = UNIT_CODES_BY_HIERARCHY[hierarchy][person.unit_code]
    birth = shift_date(person.birth_date, hierarchy)
    codes = _course_codes(hierarchy)
    shifted = replace(
        person, unit_code=unit, key=f"{unit}-{person.key.rsplit('-', 1)[1]}",
        birth_date=birth,
        pid=f"{person.pid[:3]}{_pid_prefix(birth, person.gender)}{person.pid[6:]}",
        stages=tuple((stage, shift_date(day, hierarchy)) for stage, day in person.stages),
        course=codes[person.course] if person.course else None,
        failed_course=codes[person.failed_course] if person.failed_course else None,
        cert_date=shift_date(person.cert_date, hierarchy) if person.cert_date else None,
    )
    days = [d for _, d in shifted.stages]
    if days != sorted(days) or len(set(days)) != len(days):  # a clamped month end
        raise AssertionError(f"demo person {shifted.key}: the shift reorders {shifted.stages}")
    return shifted


@lru_cache(maxsize=8)
def _build_in(seed: int, hierarchy: str) -> tuple[DemoCell, ...]:
    """The demo cells of ``hierarchy``: the 2024 ones, moved in time and renamed."""
    if not SHIFT_MONTHS[_hierarchy(hierarchy)]:
        return _build(seed)
    cells = tuple(replace(c, unit_code=UNIT_CODES_BY_HIERARCHY[hierarchy][c.unit_code],
                          people=tuple(_shift_person(p, hierarchy) for p in c.people))
                  for c in _build(seed))
    pids = [p.pid for c in cells for p in c.people]
    if len(set(pids)) != len(pids):
        raise AssertionError(f"demo {hierarchy}: two people share a shifted number")
    return cells


def demo_cells(seed: int = DEFAULT_SEED, hierarchy: str = DEFAULT_HIERARCHY
               ) -> dict[str, DemoCell]:
    """The demo cells with their secretaries and people, by unit code."""
    return {c.unit_code: c for c in _build_in(seed, hierarchy)}


def demo_people(seed: int = DEFAULT_SEED, hierarchy: str = DEFAULT_HIERARCHY
                ) -> dict[str, list[DemoPerson]]:
    """Every demo person with their full timeline, by unit code (roster order)."""
    return {c.unit_code: list(c.people) for c in _build_in(seed, hierarchy)}


# =======================================================================================
# One month's workbook


def _check_period(period: str, hierarchy: str = DEFAULT_HIERARCHY) -> str:
    period = parse_period(period)
    periods = DEMO_PERIODS_BY_HIERARCHY[_hierarchy(hierarchy)]
    if period not in periods:
        raise ValueError(f"the {hierarchy} demo covers {', '.join(periods)}, not {period}")
    return period


def _roster_row(person: DemoPerson, period: str, index: int) -> RosterRow:
    stage = person.stage_on(last_day(period))
    assert stage is not None
    reached = {s for s, d in person.stages if d <= last_day(period)}
    row = RosterRow(
        excel_row=roster_excel_row(index), stt=index + 1, full_name=person.full_name,
        birth_date=person.birth_date, gender=person.gender, pid=person.pid,
        ethnicity=person.ethnicity, religion=person.religion, population=person.population,
        class_or_position=person.class_or_position, youth_union=person.youth_union,
        stage=stage, stage_date=person.date_of(stage),
    )
    if 2 in reached:
        row.helper_1, row.helper_2 = person.helper_1, person.helper_2
    if 3 in reached:
        row.cert_no, row.cert_date = person.cert_no, person.cert_date
    if 6 in reached:
        row.resolution_date = person.date_of(6)
    if 7 in reached:
        row.decision_no, row.decision_date = person.decision_no, person.date_of(7)
    if 8 in reached:
        row.full_member_date = person.date_of(8)
    if stage == 0:
        row.note = person.stop_reason
    return row


def _planted(hierarchy: str) -> tuple[str, str, date, str]:
    """Unit, month, the date of birth meant and the text typed instead, in ``hierarchy``."""
    birth = shift_date(_PLANTED_BIRTH, hierarchy)
    text = f"{birth.day:02d}/02/{birth.year}"  # the clerk typed 02 for the month
    return (UNIT_CODES_BY_HIERARCHY[hierarchy][PLANTED_UNIT],
            shift_period(PLANTED_PERIOD, hierarchy), birth, text)


def demo_roster(unit_code: str, period: str, seed: int = DEFAULT_SEED,
                hierarchy: str = DEFAULT_HIERARCHY) -> list[RosterRow]:
    """The roster a cell sends for ``period``, including the planted error."""
    period = _check_period(period, hierarchy)
    people = [p for p in demo_people(seed, hierarchy)[unit_code] if p.in_roster(period)]
    rows = [_roster_row(p, period, i) for i, p in enumerate(people)]
    unit, month, birth, text = _planted(hierarchy)
    if (unit_code, period) == (unit, month):
        for row in rows:
            if row.birth_date == birth:
                row.birth_date = None
                row.invalid[PLANTED_FIELD] = text
    return rows


@dataclass(frozen=True)
class PlantedError:
    """Where the demo's one invalid value sits, for tests and the demo walkthrough."""

    unit_code: str
    period: str
    rule: str
    sheet: str
    excel_row: int
    column: str
    field: str
    raw_text: str
    full_name: str


def planted_error(seed: int = DEFAULT_SEED, hierarchy: str = DEFAULT_HIERARCHY
                  ) -> PlantedError:
    unit, month, _, text = _planted(hierarchy)
    for row in demo_roster(unit, month, seed, hierarchy):
        if PLANTED_FIELD in row.invalid:
            return PlantedError(
                unit_code=unit, period=month, rule="R02", sheet=SHEET_ROSTER,
                excel_row=row.excel_row, column=roster_column_letter(PLANTED_FIELD),
                field=PLANTED_FIELD, raw_text=text, full_name=row.full_name or "",
            )
    raise AssertionError("the planted person is missing from the demo roster")


# ---------------------------------------------------------------------------------------
# TongHop


@dataclass(frozen=True)
class _Figures:
    """The school's own figures for one month (TH01–TH04), per population."""

    total: dict[str, int]
    adults: dict[str, int]
    union: dict[str, int]
    members: dict[str, int]


def _school_figures(unit: str, period: str, seed: int) -> _Figures:
    rng = random.Random(f"{seed}:{unit}:figures")
    profile = _PROFILES[unit]
    month_index = DEMO_PERIODS.index(period)
    # Enrolment drifts a little month to month (transfers, drop-outs), never by much (H08).
    students = rng.randint(*profile.students)
    staff = rng.randint(*profile.staff)
    drifts = [(-rng.randint(0, 4), rng.choice((-1, 0, 0, 1))) for _ in DEMO_PERIODS]
    for ds, dv in drifts[1:month_index + 1]:
        students, staff = students + ds, staff + dv
    grade_12 = round(students * rng.uniform(0.30, 0.34))
    older = round(grade_12 * 0.06)
    month = int(period[5:])
    # Grade 12 is born in 2006: by the end of month m of 2024, those born in months 1..m
    # are 18, plus those a year behind.
    students_18 = older + round((grade_12 - older) * month / 12)
    union_rate = rng.uniform(0.90, 0.96)
    young_staff = rng.uniform(0.22, 0.35)
    staff_members = rng.randint(28, 42)

    people = demo_people(seed)[unit]
    end = last_day(period)
    admitted = {pop: sum(1 for p in people if p.population == pop
                         and (p.date_of(7) or date.max) <= end) for pop in POPULATIONS}
    roster_adults = sum(1 for p in people if p.population == "hoc_sinh" and p.in_roster(period)
                        and months_between(p.birth_date, end) >= 216)
    return _Figures(
        total={"hoc_sinh": students, "vien_chuc": staff},
        adults={"hoc_sinh": max(students_18, roster_adults), "vien_chuc": staff},
        union={"hoc_sinh": round(students * union_rate), "vien_chuc": round(staff * young_staff)},
        members={"hoc_sinh": admitted["hoc_sinh"],
                 "vien_chuc": staff_members + admitted["vien_chuc"]},
    )


def demo_summary(registry: Registry, unit_code: str, period: str,
                 seed: int = DEFAULT_SEED, hierarchy: str = DEFAULT_HIERARCHY
                 ) -> dict[str, SummaryLine]:
    """Sheet TongHop: the school's own figures and the counts the roster gives.

    The school's own figures (TH01–TH04) are those of the 2024 month the ``hierarchy``'s
    month was shifted from; the roster counts are made from the shifted roster, and the
    targets (TH13) are the registry's for the unit and year."""
    period = _check_period(period, hierarchy)
    figures = _school_figures(_base_unit(unit_code, hierarchy),
                              _base_period(period, hierarchy), seed)
    derived = derive_roster_counts(demo_roster(unit_code, period, seed, hierarchy), period)
    year = int(period[:4])
    own = {"TH01": figures.total, "TH02": figures.adults, "TH03": figures.union,
           "TH04": figures.members,
           "TH13": {pop: registry.target(unit_code, year, pop) for pop in POPULATIONS}}
    summary: dict[str, SummaryLine] = {}
    for indicator in INDICATORS:
        code = indicator.code
        if code in ROSTER_INDICATORS:
            values = {pop: derived[(pop, code)] for pop in POPULATIONS}
        else:
            values = own[code]
        summary[code] = SummaryLine(code=code, excel_row=summary_excel_row(code),
                                    hoc_sinh=values["hoc_sinh"], vien_chuc=values["vien_chuc"])
    return summary


# ---------------------------------------------------------------------------------------
# Dates of sending


def _received_at_2024(unit: str, period: str, seed: int) -> datetime:
    if (unit, period) == (LATE_UNIT, LATE_PERIOD):
        return _LATE_RECEIVED
    rng = random.Random(f"{seed}:{unit}:{period}:sent")
    start = first_day(period)
    # A working day between the 20th and the 24th, one or two days after "Ngày lập" (18th
    # to 23rd): on time, the deadline is the 25th.
    days = [start.replace(day=d) for d in range(20, 25) if start.replace(day=d).weekday() < 5]
    day = rng.choice(days)
    return datetime(day.year, day.month, day.day, rng.randint(7, 16), rng.randint(0, 59),
                    tzinfo=TZ)


def _report_date_2024(unit: str, period: str, seed: int) -> date:
    received = _received_at_2024(unit, period, seed).date()
    rng = random.Random(f"{seed}:{unit}:{period}:dated")
    return received - timedelta(days=rng.randint(1, 2))


def _received_at(unit: str, period: str, seed: int,
                 hierarchy: str = DEFAULT_HIERARCHY) -> datetime:
    """When a cell's file arrives: the 2024 arrival, shifted (same day and local time; the
    weekday may differ)."""
    return shift_datetime(_received_at_2024(_base_unit(unit, hierarchy),
                                            _base_period(period, hierarchy), seed), hierarchy)


def _report_date(unit: str, period: str, seed: int,
                 hierarchy: str = DEFAULT_HIERARCHY) -> date:
    return shift_date(_report_date_2024(_base_unit(unit, hierarchy),
                                        _base_period(period, hierarchy), seed), hierarchy)


def demo_header(registry: Registry, unit_code: str, period: str,
                seed: int = DEFAULT_SEED, hierarchy: str = DEFAULT_HIERARCHY) -> Header:
    period = _check_period(period, hierarchy)
    unit = _unit(registry, unit_code, period)
    cell = demo_cells(seed, hierarchy)[unit_code]
    return Header(unit_code=unit.code, unit_name=unit.name, period=period,
                  report_date=_report_date(unit_code, period, seed, hierarchy),
                  prepared_by=cell.prepared_by, secretary=cell.secretary,
                  form_version=FORM_VERSION)


def _unit(registry: Registry, code: str, period: str | None = None) -> Unit:
    unit = registry.get(code)
    if unit is None or (period is not None and not unit.active_in(period)):
        raise ValueError(f"the demo needs unit {code} in the registry"
                         + (f", active in {period}" if period else ""))
    return unit


# =======================================================================================
# Files


@dataclass(frozen=True)
class DemoFile:
    unit_code: str
    period: str
    filename: str
    content: bytes
    received_at: datetime


def generate_month(registry: Registry, period: str, seed: int = DEFAULT_SEED,
                   hierarchy: str = DEFAULT_HIERARCHY) -> list[DemoFile]:
    """One workbook per demo cell for ``period``: ``2024-01`` … ``2024-03`` in the 2024
    hierarchy, ``2025-07`` … ``2025-09`` in the 2025 one (``DEMO_PERIODS_BY_HIERARCHY``)."""
    period = _check_period(period, hierarchy)
    files = []
    for code in DEMO_UNITS_BY_HIERARCHY[hierarchy]:
        content = write_cell_workbook(demo_header(registry, code, period, seed, hierarchy),
                                      demo_summary(registry, code, period, seed, hierarchy),
                                      demo_roster(code, period, seed, hierarchy))
        files.append(DemoFile(code, period, f"{code}_{period}.xlsx", content,
                              _received_at(code, period, seed, hierarchy)))
    return files


def demo_course_records(seed: int = DEFAULT_SEED, hierarchy: str = DEFAULT_HIERARCHY
                        ) -> list[CourseRecord]:
    """Every attendance of a demo person at a course, in course order."""
    courses = demo_courses(hierarchy)
    attendances: list[tuple[date, bool, int, str, DemoPerson, str]] = []
    for people in demo_people(seed, hierarchy).values():
        for p in people:
            if p.failed_course:
                course = courses[p.failed_course]
                attendances.append((course.date_from, False, 0, p.full_name, p,
                                    p.failed_course))
            if p.course and p.cert_no:
                number = int(p.cert_no.split("/")[0])
                attendances.append((courses[p.course].date_from, True, number, p.full_name, p,
                                    p.course))
    # Within a course: passed in certificate order, then those who did not pass.
    attendances.sort(key=lambda a: (a[0], not a[1], a[2], a[3]))
    records = []
    for stt, (_, passed, _, _, person, code) in enumerate(attendances, start=1):
        course = courses[code]
        records.append(CourseRecord(
            stt=stt, full_name=person.full_name, birth_date=person.birth_date,
            pid=person.pid, unit_code=person.unit_code, course_code=code,
            date_from=course.date_from, date_to=course.date_to, passed=passed,
            cert_no=person.cert_no if passed else None,
            cert_date=course.cert_date if passed else None,
        ))
    return records


def demo_course_register(registry: Registry, seed: int = DEFAULT_SEED,
                         hierarchy: str = DEFAULT_HIERARCHY) -> DemoFile:
    """The register of the courses behind the demo certificates, from the Political Center
    (2024) or the province's school of politics (2025)."""
    center = CENTER_CODE_BY_HIERARCHY[_hierarchy(hierarchy)]
    _unit(registry, center)
    records = demo_course_records(seed, hierarchy)
    content = write_course_register(records, course_code=None, title=REGISTER_TITLE)
    last = max(COURSES.values(), key=lambda c: c.cert_date)
    # Sent a few days after the last course's certificates were issued.
    received = shift_datetime(datetime.combine(last.cert_date + timedelta(days=3),
                                               datetime.min.time(),
                                               tzinfo=TZ).replace(hour=14, minute=30),
                              hierarchy)
    month = shift_period(period_of(last.cert_date), hierarchy)
    return DemoFile(center, month, f"{center}_HocVien_{month}.xlsx", content, received)


def generate_demo(registry: Registry, seed: int = DEFAULT_SEED,
                  hierarchy: str = DEFAULT_HIERARCHY) -> list[DemoFile]:
    """Every demo file: the course register, then the cells' reports month by month."""
    files = [demo_course_register(registry, seed, hierarchy)]
    for period in DEMO_PERIODS_BY_HIERARCHY[_hierarchy(hierarchy)]:
        files.extend(generate_month(registry, period, seed, hierarchy))
    return files
