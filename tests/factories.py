"""Factories that build real BC-PTĐ-HS/1 workbooks for the tests (no mocks of the form)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core import layout
from core.counts import derive_roster_counts
from core.form import Header, RosterRow, SummaryLine
from forms.writer import write_cell_workbook

PERIOD = "2024-03"


def make_header(unit_code: str = "BL01", period: str = PERIOD, **changes: object) -> Header:
    year, month = map(int, period.split("-"))
    header = Header(unit_code=unit_code, unit_name="Chi bộ Trường THPT Bảo Lâm", period=period,
                    report_date=date(year, month, 20), prepared_by="Nguyễn Thị Lan",
                    secretary="Trần Văn Hùng", form_version=layout.FORM_VERSION)
    return replace(header, **changes)


def make_row(n: int, stage: int = 1, **changes: object) -> RosterRow:
    """A valid roster row at ``stage`` (dates in order, adult at the resolution)."""
    row = RosterRow(
        excel_row=0, stt=n, full_name=f"Nguyễn Văn Nam {n}", birth_date=date(2005, 4, n % 28 + 1),
        gender="Nam", pid=f"06820500{n:04d}", ethnicity="Kinh", religion="Không",
        population="hoc_sinh", class_or_position="12A1", youth_union=True, stage=stage,
        stage_date=date(2024, 1, 10))
    if stage >= 2 and stage != 0:
        row = replace(row, helper_1="Lê Văn Bình", helper_2="BCH Đoàn trường")
    if stage >= 3:
        row = replace(row, cert_no=f"{n}/GCN-TTCT", cert_date=date(2023, 11, 20))
    if stage >= 6:
        row = replace(row, resolution_date=date(2024, 1, 10), stage_date=date(2024, 1, 10))
    if stage >= 7:
        row = replace(row, decision_no=f"{400 + n}-QĐ/HU", decision_date=date(2024, 3, 5),
                      stage_date=date(2024, 3, 5))
    return replace(row, **changes)


def make_roster(stages: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)) -> list[RosterRow]:
    return [make_row(i + 1, stage) for i, stage in enumerate(stages)]


def make_summary(roster: list[RosterRow], period: str = PERIOD, **overrides: int
                 ) -> dict[str, SummaryLine]:
    """TongHop consistent with the roster; ``overrides`` like ``TH07_hoc_sinh=9``."""
    derived = derive_roster_counts(roster, period)
    fixed = {"TH01": (1000, 80), "TH02": (300, 80), "TH03": (900, 20), "TH04": (0, 40),
             "TH13": (6, 2)}  # BL01's 2024 targets in the registry
    summary = {}
    for code in layout.INDICATOR_CODES:
        values = fixed.get(code) or (derived[("hoc_sinh", code)], derived[("vien_chuc", code)])
        summary[code] = SummaryLine(code=code, excel_row=0, hoc_sinh=values[0],
                                    vien_chuc=values[1])
    for name, value in overrides.items():
        code, population = name.split("_", 1)
        setattr(summary[code], population, value)
    return summary


def make_workbook(header: Header | None = None, roster: list[RosterRow] | None = None,
                  summary: dict[str, SummaryLine] | None = None) -> bytes:
    header = header or make_header()
    roster = make_roster() if roster is None else roster
    summary = summary or make_summary(roster, header.period or PERIOD)
    return write_cell_workbook(header, summary, roster)


def make_rejected_bl02() -> bytes:
    """BL02's March report with an impossible date of birth (31/02/2007): rejected with one
    error, its summary still that of a clean roster."""
    roster = make_roster()
    roster[1] = replace(roster[1], birth_date=None, invalid={"birth_date": "31/02/2007"})
    return make_workbook(header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An"),
                         roster=roster, summary=make_summary(make_roster()))


def counted_person(n: int, stage: int, population: str = "hoc_sinh", **changes: object
                   ) -> RosterRow:
    """A roster row of April 2024's counting tests (the blank form's formulas, the reader)."""
    values: dict = dict(excel_row=0, stt=n, full_name=f"Người thứ {n}",
                        birth_date=date(2005, 1, n), gender="Nam", ethnicity="Kinh",
                        religion="Không", population=population, youth_union=True,
                        stage=stage, stage_date=date(2024, 1, 1))
    values.update(changes)
    return RosterRow(**values)


def counting_roster(**defaults: object) -> list[RosterRow]:
    """Every stage in both populations, admissions in April 2024, earlier this year and last
    year, full membership in April and the month before: each roster indicator of April
    2024 counts someone (``defaults``: fields every row shares, e.g. its ethnicity)."""
    def person(n: int, stage: int, population: str = "hoc_sinh", **changes: object
               ) -> RosterRow:
        return counted_person(n, stage, population, **{**defaults, **changes})

    return [
        person(1, 1), person(2, 2), person(3, 3, "vien_chuc"), person(4, 4), person(5, 5),
        person(6, 6, "vien_chuc"), person(7, 7, decision_date=date(2024, 4, 3)),
        person(8, 7, decision_date=date(2024, 1, 30)),
        person(9, 7, "vien_chuc", decision_date=date(2023, 12, 30)),
        person(10, 8, "vien_chuc", decision_date=date(2023, 4, 1),
               full_member_date=date(2024, 4, 1)),
        person(11, 8, decision_date=date(2023, 3, 1), full_member_date=date(2024, 3, 31)),
        person(12, 0, note="Chuyển trường"),
        person(13, 7, decision_date=date(2024, 4, 30)),
    ]
