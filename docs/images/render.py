"""Regenerate the PNGs of docs/images from the demos, as LibreOffice prints the workbooks.

    .venv/bin/python docs/images/render.py

Runs ``cellreports demo`` (2024) and ``cellreports demo --hierarchy 2025`` in a temporary
folder, prints the chosen workbooks to PDF with LibreOffice (``soffice``) and turns the
pages into PNGs with poppler's ``pdftoppm``. Needs both installed (docs: README,
Development). Each picture is the first printed page that shows its sheet's title.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDTH = 820  # pixels of a page's long side, as the earlier pictures

# (image stem, workbook under the demo's data dir, a text on the sheet's first page)
DISTRICT = "reports/2024-03/BaoCaoTongHop_BL_2024-03.xlsx"
FEBRUARY = "reports/2024-02/BaoCaoTongHop_BL_2024-02.xlsx"
FEEDBACK = "outbox/BL03/BL03_2024-02_KetQuaKiemTra.xlsx"
PROVINCE = "province/reports/2024-03/BaoCaoTongHop_LD_2024-03.xlsx"
PAGES_2024 = [
    ("district-1-tonghop", DISTRICT, "BÁO CÁO TỔNG HỢP"),
    ("district-1b-tonghop-tiep", DISTRICT, "(tiếp theo)"),
    ("district-2-tinhhinhnopbaocao", DISTRICT, "TÌNH HÌNH NỘP BÁO CÁO"),
    ("district-3-chitieu", DISTRICT, "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU"),
    ("district-3b-xuhuong", DISTRICT, "SO SÁNH KẾT QUẢ KẾT NẠP"),
    ("district-3c-theothang", DISTRICT, "KẾT NẠP ĐẢNG VIÊN TỪNG THÁNG"),
    ("district-4-phantich", DISTRICT, "CƠ CẤU QUẦN CHÚNG"),
    ("district-5-canquantam", DISTRICT, "CẦN QUAN TÂM"),
    ("district-6-kiemtra", DISTRICT, "KẾT QUẢ KIỂM TRA BÁO CÁO"),
    ("district-7-bieudo", DISTRICT, "BIỂU ĐỒ PHÁT TRIỂN"),
    # February: BL03 rejected — the totals say 3/4, the target stays the registry's
    ("district-feb-tonghop", FEBRUARY, "BÁO CÁO TỔNG HỢP"),
    ("district-feb-chitieu", FEBRUARY, "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU"),
    ("provincial-tonghop", PROVINCE, "BÁO CÁO TỔNG HỢP"),
    ("provincial-1b-tonghop-tiep", PROVINCE, "(tiếp theo)"),
    ("provincial-2-tinhhinh", PROVINCE, "TÌNH HÌNH GỬI TỆP DỮ LIỆU"),
    ("provincial-3-chitieu", PROVINCE, "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU"),
    ("provincial-4-cocau", PROVINCE, "CƠ CẤU QUẦN CHÚNG"),
    # the Word report's first page (LibreOffice Writer: libreoffice-writer-nogui)
    ("word-1", "reports/2024-03/BaoCao_BL_2024-03.docx", "BÁO CÁO"),
    ("provincial-word-1", "province/reports/2024-03/BaoCao_LD_2024-03.docx", "BÁO CÁO"),
    ("feedback-ketquakiemtra", FEEDBACK, "KẾT QUẢ KIỂM TRA"),
    ("feedback-danhsach", FEEDBACK, "Ngày sinh"),
]
# The blank form a cell downloads (cellreports template), in the 2024 demo's data dir
TEMPLATE = "templates/BC-PTD-HS_BL01_2024-03.xlsx"
PAGES_TEMPLATE = [
    ("blank-form-1-thongtin", TEMPLATE, "BÁO CÁO TÌNH HÌNH PHÁT TRIỂN"),
    ("blank-form-2-tonghop", TEMPLATE, "TỔNG HỢP SỐ LIỆU PHÁT TRIỂN ĐẢNG"),
    ("blank-form-3-danhsach", TEMPLATE, "DANH SÁCH QUẦN CHÚNG"),
    ("blank-form-4-huongdan", TEMPLATE, "HƯỚNG DẪN ĐIỀN BIỂU MẪU"),
    ("blank-form-5-huongdan-2", TEMPLATE, "Các giai đoạn:"),
]
PAGES_2025 = [
    # August 2025: the commune Bảo Lâm 3's only cell rejected
    ("commune-blm3-aug-tonghop", "reports/2025-08/BaoCaoTongHop_BLM3_2025-08.xlsx",
     "BÁO CÁO TỔNG HỢP"),
    ("provincial-2025-08-tonghop", "province/reports/2025-08/BaoCaoTongHop_LD_2025-08.xlsx",
     "BÁO CÁO TỔNG HỢP"),
]


def demo(folder: Path, *args: str) -> Path:
    folder.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "cellreports.cli", "demo", "--data-dir", "var",
                    *args], check=True, cwd=folder, capture_output=True)
    return folder / "var"


def template(data_dir: Path) -> Path:
    subprocess.run([sys.executable, "-m", "cellreports.cli", "template", "--unit", "BL01",
                    "--period", "2024-03", "--data-dir", str(data_dir)], check=True,
                   capture_output=True)
    return data_dir


def to_pdf(workbook: Path, work: Path) -> list[Path]:
    """The document as it is printed: a report workbook as the two PDFs the district prints
    (for sending, the internal list: services.reporting.print_report), anything else whole."""
    if workbook.name.startswith("BaoCaoTongHop_"):
        from services.reporting import print_report

        work.mkdir(parents=True, exist_ok=True)
        copy = work / workbook.name
        shutil.copy(workbook, copy)
        printed = print_report(copy)
        assert printed is not None
        return [p for p in (printed.sending, printed.internal) if p]
    return [_whole(workbook, work)]


def _whole(workbook: Path, work: Path) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    profile = work / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(workbook)], check=True,
                   capture_output=True, env={**os.environ, "HOME": str(profile)})
    return work / f"{workbook.stem}.pdf"


def first_page_with(pdfs: list[Path], text: str) -> tuple[Path, int]:
    for pdf in pdfs:
        page = _page_with(pdf, text)
        if page:
            return pdf, page
    raise SystemExit(f"{', '.join(p.name for p in pdfs)}: no page shows {text!r}")


def _page_with(pdf: Path, text: str) -> int | None:
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()
        if line.startswith("Pages:")))
    for page in range(1, pages + 1):
        found = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                               check=True, capture_output=True, text=True).stdout
        if text in found:
            return page
    return None


def render(pdf: Path, page: int, out: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                    "-scale-to", str(WIDTH), str(pdf), str(out.with_suffix(""))], check=True)


def main() -> None:
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        sys.exit("needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    with tempfile.TemporaryDirectory(prefix="cellreports-images-") as tmp:
        work = Path(tmp)
        data_2024 = demo(work / "2024")
        runs = [(data_2024, PAGES_2024), (template(data_2024), PAGES_TEMPLATE),
                (demo(work / "2025", "--hierarchy", "2025"), PAGES_2025)]
        pdfs: dict[Path, list[Path]] = {}
        for data_dir, pages in runs:
            for stem, relative, marker in pages:
                workbook = data_dir / relative
                if workbook not in pdfs:
                    pdfs[workbook] = to_pdf(workbook, work / str(len(pdfs)))
                render(*first_page_with(pdfs[workbook], marker), HERE / f"{stem}.png")
                print(f"docs/images/{stem}.png")


if __name__ == "__main__":
    main()
