"""Synthetic month for the benchmark: N cell workbooks of form BC-PTĐ-HS/1 and a registry
that expects them, with a realistic share of invalid files.

    .venv/bin/python bench/generate.py OUT_DIR [N] [ROWS]

OUT_DIR/registry/ (units.csv, targets.csv, document.toml) and OUT_DIR/inbox/<unit>/<file>.
Deterministic (seeded); written once and reused by bench/run.py (generation is not timed).
"""

from __future__ import annotations

import random
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from core import layout
from core.counts import derive_roster_counts
from core.form import Header, RosterRow, SummaryLine
from core.settings import DEFAULT_REGISTRY
from forms.writer import write_cell_workbook

PERIOD = "2024-03"
SEED = 20240320
INVALID_SHARE = 0.05  # one file in twenty has an error (a bad date, a wrong total)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương")


def unit_code(i: int) -> str:
    return f"C{i:05d}"


def write_registry(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["code,name,level,parent_code,valid_from,valid_to,senders",
             "LD,Đảng bộ tỉnh Lâm Đồng,tinh,,,,", "BL,Đảng bộ huyện Bảo Lâm,huyen,LD,,,"]
    lines += [f"{unit_code(i)},Chi bộ Trường số {i},chi_bo,BL,,,{unit_code(i)}"
              for i in range(n)]
    (folder / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "targets.csv").write_text("unit_code,year,population,target\n",
                                        encoding="utf-8")
    shutil.copy(DEFAULT_REGISTRY / "document.toml", folder / "document.toml")


def _row(rng: random.Random, cell: int, n: int, rows: int) -> RosterRow:
    stage = rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 7))
    gender = rng.choice(("Nam", "Nữ"))
    # born in 2005: of age (18) at the January 2024 resolutions; one birthday per row, so
    # that no two rows of a file are the same person by name and date of birth (R09)
    birth = date(2005, 1, 1) + timedelta(days=n * 5 % 300)
    row = RosterRow(
        excel_row=0, stt=n, full_name=f"{rng.choice(SURNAMES)} Văn {rng.choice(GIVEN)}",
        birth_date=birth, gender=gender,
        # Lâm Đồng (068), 2/3: man/woman born 2000–2099, 05: born 2005; unique per person
        pid=f"068{2 if gender == 'Nam' else 3}05{(cell * rows + n) % 1_000_000:06d}",
        ethnicity="Kinh", religion="Không", population="hoc_sinh", class_or_position="12A1",
        youth_union=True, stage=stage, stage_date=date(2024, 1, 10))
    if stage >= 2:
        row = replace(row, helper_1="Lê Văn Bình", helper_2="BCH Đoàn trường")
    if stage >= 3:
        row = replace(row, cert_no=f"{cell}-{n}/GCN", cert_date=date(2023, 11, 20))
    if stage >= 6:
        row = replace(row, resolution_date=date(2024, 1, 10))
    if stage >= 7:
        row = replace(row, decision_no=f"{n}-QĐ/HU", decision_date=date(2024, 3, 5),
                      stage_date=date(2024, 3, 5))
    return row


def workbook(i: int, rows: int, rng: random.Random) -> bytes:
    roster = [_row(rng, i, k + 1, rows) for k in range(rows)]
    derived = derive_roster_counts(roster, PERIOD)
    fixed = {"TH01": (1000, 80), "TH02": (300, 80), "TH03": (900, 20), "TH04": (0, 40),
             "TH13": (6, 2)}
    summary = {code: SummaryLine(code, 0, *(fixed.get(code) or (
        derived[("hoc_sinh", code)], derived[("vien_chuc", code)])))
        for code in layout.INDICATOR_CODES}
    if rng.random() < INVALID_SHARE:  # an invalid file: a total that the roster contradicts
        summary["TH05"] = SummaryLine("TH05", 0, summary["TH05"].hoc_sinh + 3, 0)
    header = Header(unit_code=unit_code(i), unit_name=f"Chi bộ Trường số {i}", period=PERIOD,
                    report_date=date(2024, 3, 20), prepared_by="Nguyễn Thị Lan",
                    secretary="Trần Văn Hùng", form_version=layout.FORM_VERSION)
    return write_cell_workbook(header, summary, roster)


def generate(out: Path, n: int, rows: int = 60) -> Path:
    """The month's inbox under ``out`` (kept: a second call with the same N reuses it)."""
    done = out / f".done-{n}-{rows}"
    if done.exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    write_registry(out / "registry", n)
    with ProcessPoolExecutor() as pool:  # openpyxl writing is CPU-bound: use every core
        list(pool.map(_write_one, [(out, i, rows) for i in range(n)], chunksize=50))
    done.write_text("")
    return out


def _write_one(job: tuple[Path, int, int]) -> None:
    out, i, rows = job
    folder = out / "inbox" / unit_code(i)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{SEED}-{i}")  # each file its own stream: same bytes in any order
    (folder / f"{unit_code(i)}_{PERIOD}.xlsx").write_bytes(workbook(i, rows, rng))


if __name__ == "__main__":
    target = Path(sys.argv[1])
    generate(target, int(sys.argv[2]) if len(sys.argv) > 2 else 1000,
             int(sys.argv[3]) if len(sys.argv) > 3 else 60)
    print(f"{target}: ready")
