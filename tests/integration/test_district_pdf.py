"""The district workbook opens in LibreOffice and prints to two PDFs (services.reporting
.print_report): the report for sending, every sheet but the internal list, each from a page
of its own; and the internal list, alone."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from district_month import demo_month

from reports.district import build_district_workbook
from reports.document import DocumentHeader
from services.reporting import print_report

pytestmark = pytest.mark.usefixtures("libreoffice")

SENT = (
    "BÁO CÁO TỔNG HỢP",
    "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC CHI BỘ",
    "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN",
    "SO SÁNH KẾT QUẢ KẾT NẠP ĐẢNG VIÊN",
    "KẾT NẠP ĐẢNG VIÊN TỪNG THÁNG TỪ ĐẦU NĂM",
    "CƠ CẤU QUẦN CHÚNG CẢM TÌNH ĐẢNG VÀ ĐẢNG VIÊN MỚI KẾT NẠP",
    "KẾT QUẢ KIỂM TRA BÁO CÁO CỦA CÁC CHI BỘ",
    "BIỂU ĐỒ PHÁT TRIỂN ĐẢNG VIÊN",
)
INTERNAL = "DANH SÁCH QUẦN CHÚNG, ĐẢNG VIÊN DỰ BỊ CẦN QUAN TÂM"


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")]


def test_the_district_workbook_prints_the_report_and_the_internal_list_apart(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not read")
    workbook = tmp_path / "BaoCaoTongHop_BL_2024-09.xlsx"
    month = demo_month()
    workbook.write_bytes(build_district_workbook(
        month, document=DocumentHeader(signer_name="Nguyễn Văn Thử")))
    printed = print_report(workbook)
    assert printed is not None and printed.internal == tmp_path / "DanhSachTheoDoi_BL_2024-09.pdf"
    assert printed.sending.read_bytes().startswith(b"%PDF")
    sent, internal = pdf_pages(printed.sending), pdf_pages(printed.internal)
    # the sheets in the workbook's order, each starting on a page of its own
    starts = [next(i for i, page in enumerate(sent) if re.sub(r"\s+", "", title) in page)
              for title in SENT]
    assert starts == sorted(starts) and len(set(starts)) == len(SENT)
    whole = "".join(sent)
    for words in ("ĐẢNG CỘNG SẢN VIỆT NAM", "Nguyễn Văn Thử", "Chưa kết nạp học sinh nào",
                  "Đã gửi"):
        assert re.sub(r"\s+", "", words) in whole, words
    assert re.sub(r"\s+", "", INTERNAL) not in whole
    assert re.sub(r"\s+", "", INTERNAL) in internal[0]
    assert month.attention
    for item in month.attention:
        name = re.sub(r"\s+", "", item.full_name)
        assert name not in whole and name in "".join(internal), item.full_name
    assert not any(re.sub(r"\s+", "", title) in "".join(internal) for title in SENT[1:])
