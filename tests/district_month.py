"""Hand-made months for the district workbook's tests: small and exact, or demo-like."""

from __future__ import annotations

from datetime import date, datetime

from core.month import AttentionItem, MonthData, UnitStatus
from core.registry import Unit

INDICATORS = [f"TH{n:02d}" for n in range(1, 16)]
ROSTER = ("TH05", "TH06", "TH07", "TH08", "TH09", "TH10", "TH11", "TH12", "TH14", "TH15")
POPULATIONS = ["hoc_sinh", "vien_chuc"]
BREAKDOWNS = ("nu", "dan_toc_thieu_so", "ton_giao", "doan_vien")


def unit(code: str, name: str, level: str = "chi_bo", parent: str | None = "BL") -> Unit:
    return Unit(code, name, level, parent, None, None)


DISTRICT = unit("BL", "Đảng bộ huyện Bảo Lâm", "huyen", "LD")
BL01 = unit("BL01", "Chi bộ Trường THPT Bảo Lâm")
BL02 = unit("BL02", "Chi bộ Trường THPT Lộc An")
BL03 = unit("BL03", "Chi bộ Trường THPT Lộc Thành")
BL04 = unit("BL04", "Chi bộ Trường THCS-THPT Lộc Bắc")

# Targets as in config/registry/bao-lam-2024/targets.csv.
TARGETS = {
    ("BL01", "hoc_sinh"): 6, ("BL01", "vien_chuc"): 2,
    ("BL02", "hoc_sinh"): 5, ("BL02", "vien_chuc"): 2,
    ("BL03", "hoc_sinh"): 4, ("BL03", "vien_chuc"): 1,
    ("BL04", "hoc_sinh"): 3, ("BL04", "vien_chuc"): 1,
}
# BL01: 2 students, no staff yet (staff behind pace); BL02: no student yet.
YEAR_TO_DATE = {("BL01", "hoc_sinh"): 2, ("BL01", "vien_chuc"): 0,
                ("BL02", "hoc_sinh"): 0, ("BL02", "vien_chuc"): 1}
MONTHLY = {
    ("BL01", "hoc_sinh", "2024-01"): 1, ("BL01", "hoc_sinh", "2024-03"): 1,
    ("BL01", "vien_chuc", "2024-01"): 0,
    ("BL02", "vien_chuc", "2024-02"): 1, ("BL02", "hoc_sinh", "2024-02"): 0,
}
AGE_BANDS_DATA = {
    ("BL01", "hoc_sinh", "TH05", "dưới 18"): 3, ("BL01", "hoc_sinh", "TH05", "18–30"): 2,
    ("BL01", "vien_chuc", "TH05", "31–40"): 1, ("BL01", "hoc_sinh", "TH12", "18–30"): 2,
    ("BL02", "vien_chuc", "TH05", "18–30"): 2, ("BL02", "vien_chuc", "TH05", "41–50"): 1,
    ("BL02", "vien_chuc", "TH12", "31–40"): 1,
}
ATTENTION = [
    AttentionItem("BL01", "Nguyễn Thị Lan", date(2006, 5, 12), "hoc_sinh", 4,
                  date(2023, 8, 1), "H04", "Ở giai đoạn 4 từ 01/08/2023, đã 7 tháng."),
    AttentionItem("BL02", "Trần Văn Bình", date(1990, 2, 3), "vien_chuc", 6,
                  date(2023, 11, 20), "H05", "Chi bộ đề nghị kết nạp từ 20/11/2023, quá "
                  "60 ngày làm việc chưa có quyết định kết nạp."),
    AttentionItem("BL01", "K'Brơi", date(1988, 9, 30), "vien_chuc", 3,
                  date(2019, 4, 15), "R07", "Giấy chứng nhận cấp ngày 15/04/2019 hết hạn "
                  "ngày 15/04/2024."),
]


def values_for(accepted: list[str]) -> dict[tuple[str, str, str, str], int]:
    values = {
        (code, population, indicator, "tong"): (n * 7 + i * 3 + len(population)) % 23
        for n, code in enumerate(accepted, start=1)
        for population in POPULATIONS
        for i, indicator in enumerate(INDICATORS)
    }
    for (code, population), ytd in YEAR_TO_DATE.items():
        if code in accepted:
            values[(code, population, "TH12", "tong")] = ytd
    for (code, population, indicator, _), total in list(values.items()):
        if indicator in ROSTER:
            for k, breakdown in enumerate(BREAKDOWNS, start=2):
                values[(code, population, indicator, breakdown)] = total // k
    return values


def make_month(*, all_accepted: bool = False) -> MonthData:
    """BL01 on time, BL02 late, BL03 rejected, BL04 never sent (unless all_accepted)."""
    cells = [
        UnitStatus(BL01, received=True, accepted=True, on_time=True, version=1,
                   received_at=datetime(2024, 4, 3, 8, 15), warnings=1),
        UnitStatus(BL02, received=True, accepted=True, on_time=False, version=3,
                   received_at=datetime(2024, 4, 9, 16, 40), warnings=2),
        UnitStatus(BL03, received=True, accepted=all_accepted, on_time=all_accepted,
                   version=1 if all_accepted else None,
                   received_at=datetime(2024, 4, 4, 7, 5), errors=0 if all_accepted else 4),
        UnitStatus(BL04, received=all_accepted, accepted=all_accepted, on_time=all_accepted),
    ]
    accepted = [c.unit.code for c in cells if c.accepted]
    return MonthData(
        period="2024-03",
        unit=DISTRICT,
        parents={"BL": "LD", **{c.unit.code: "BL" for c in cells}},
        levels={"BL": "huyen", **{c.unit.code: "chi_bo" for c in cells}},
        cells=cells,
        values=values_for(accepted),
        generated_at=datetime(2024, 4, 5, 10, 30),
        targets=dict(TARGETS),
        monthly_admissions=dict(MONTHLY),
        age_bands=dict(AGE_BANDS_DATA),
        attention=list(ATTENTION),
    )


# ---------------------------------------------------------------- a demo-like month

SCHOOLS = (
    "THPT Bảo Lâm", "THPT Lộc An", "THPT Lộc Thành", "THCS-THPT Lộc Bắc", "THPT Nguyễn Du",
    "THCS Lộc Nam", "THCS Lộc Quảng", "THCS-THPT Lê Lợi", "THCS Lộc Ngãi", "THCS Lộc Phú",
    "Trung tâm GDNN-GDTX huyện Bảo Lâm", "THCS Lộc Thành",
)
NAMES = ("Nguyễn Thị Hoa", "Trần Văn Nam", "Lê Thị Mai", "K'Brơi", "Ka Hương",
         "Phạm Minh Tuấn", "Hoàng Thị Ngọc Ánh", "Vũ Đức Thắng", "Đặng Thị Thu Trang")


def demo_month(period: str = "2024-09") -> MonthData:
    """Twelve schools, one rejected and one missing, data for every sheet."""
    year, last = int(period[:4]), int(period[5:7])
    cells: list[UnitStatus] = []
    for n, school in enumerate(SCHOOLS, start=1):
        u = unit(f"BL{n:02d}", f"Chi bộ Trường {school}")
        if n == 6:
            cells.append(UnitStatus(u, received=True, version=2, errors=3, warnings=1,
                                    received_at=datetime(year, last + 1, 6, 14, 2)))
        elif n == 9:
            cells.append(UnitStatus(u))
        else:
            cells.append(UnitStatus(u, received=True, accepted=True, on_time=n % 4 != 0,
                                    version=1 + (n % 4 == 0), warnings=n % 3,
                                    received_at=datetime(year, last + 1, 2 + n % 7, 8 + n, 5)))
    accepted = [c.unit.code for c in cells if c.accepted]
    values: dict[tuple[str, str, str, str], int] = {}
    monthly: dict[tuple[str, str, str], int] = {}
    targets: dict[tuple[str, str], int] = {}
    bands: dict[tuple[str, str, str, str], int] = {}
    for n, cell in enumerate(cells, start=1):
        code = cell.unit.code
        targets[(code, "hoc_sinh")] = 3 + n % 4
        targets[(code, "vien_chuc")] = 1 + n % 2
        for population in POPULATIONS:
            staff = population == "vien_chuc"
            ytd = 0
            for m in range(1, last + 1):
                admitted = (n + m + staff) % (7 if staff else 3) == 0 and not (
                    n == 3 and not staff)
                monthly[(code, population, f"{year}-{m:02d}")] = int(admitted)
                ytd += int(admitted)
            if code not in accepted:
                continue
            base = {"TH01": 900 + 37 * n if not staff else 60 + n, "TH02": 300 + 11 * n
                    if not staff else 60 + n, "TH03": 700 + 20 * n if not staff else 30 + n,
                    "TH04": 0 if not staff else 18 + n % 5, "TH05": 12 + n % 5,
                    "TH06": 9 + n % 4, "TH07": 7 + n % 3, "TH08": 4 + n % 3, "TH09": 2 + n % 2,
                    "TH10": 1 + n % 2, "TH11": monthly[(code, population, period)],
                    "TH12": ytd, "TH13": targets[(code, population)], "TH14": ytd + n % 2,
                    "TH15": n % 2}
            for indicator, value in base.items():
                values[(code, population, indicator, "tong")] = value
                if indicator in ROSTER:
                    for k, breakdown in enumerate(BREAKDOWNS, start=2):
                        values[(code, population, indicator, breakdown)] = value // k
            for group in ("TH05", "TH12"):
                split = (("dưới 18", "18–30") if not staff
                         else ("18–30", "31–40", "41–50", "51–60"))
                remaining = base[group]
                for i, label in enumerate(split):
                    share = remaining if i == len(split) - 1 else (remaining + 1) // 2
                    bands[(code, population, group, label)] = share
                    remaining -= share
    attention = [
        AttentionItem(f"BL{1 + (k * 5) % 12:02d}", NAMES[k % len(NAMES)],
                      date(1985 + k * 3 % 20, 1 + k % 12, 1 + k * 2 % 27),
                      POPULATIONS[k % 2], (4, 6, 7, 3)[k % 4], date(year - 1, 1 + k % 12, 10),
                      ("H04", "H05", "H06", "R07")[k % 4],
                      ("Ở cùng giai đoạn từ hơn 6 tháng, đề nghị chi bộ đôn đốc hoàn thiện hồ sơ.",
                       "Quá 60 ngày làm việc từ nghị quyết chi bộ chưa có quyết định kết nạp.",
                       "Quá 12 tháng và 30 ngày làm việc chưa xét chuyển đảng chính thức.",
                       "Giấy chứng nhận bồi dưỡng nhận thức về Đảng hết hạn trong 3 tháng tới."
                       )[k % 4])
        for k in range(9) if f"BL{1 + (k * 5) % 12:02d}" in accepted
    ]
    return MonthData(
        period=period, unit=DISTRICT,
        parents={"BL": "LD", **{c.unit.code: "BL" for c in cells}},
        levels={"BL": "huyen", **{c.unit.code: "chi_bo" for c in cells}},
        cells=cells, values=values, generated_at=datetime(year, last + 1, 10, 9, 0),
        targets=targets, monthly_admissions=monthly, age_bands=bands, attention=attention,
    )
