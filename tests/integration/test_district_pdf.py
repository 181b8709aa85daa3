"""The district workbook opens in LibreOffice and prints to PDF, every sheet with it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from district_month import demo_month
from styles import convert_with_libreoffice

from reports.district import build_district_workbook
from reports.document import DocumentHeader

pytestmark = pytest.mark.usefixtures("libreoffice")

TITLES = (
    "BÁO CÁO TỔNG HỢP",
    "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC CHI BỘ",
    "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN",
    "CƠ CẤU QUẦN CHÚNG CẢM TÌNH ĐẢNG VÀ ĐẢNG VIÊN MỚI KẾT NẠP",
    "DANH SÁCH QUẦN CHÚNG, ĐẢNG VIÊN DỰ BỊ CẦN QUAN TÂM",
    "KẾT QUẢ KIỂM TRA BÁO CÁO CỦA CÁC CHI BỘ",
    "BIỂU ĐỒ PHÁT TRIỂN ĐẢNG VIÊN",
)


def test_district_workbook_converts_to_pdf(tmp_path) -> None:
    content = build_district_workbook(demo_month(),
                                      document=DocumentHeader(signer_name="Nguyễn Văn Thử"))
    [pdf] = convert_with_libreoffice([content], "pdf")
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not read")
    path = tmp_path / "district.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    # pdftotext may split a kerned word of a scaled page ("Đ ẢNG"): compare without spaces
    pages = [re.sub(r"\s+", "", page) for page in text.split("\f")]
    # the sheets in the workbook's order, each starting on a page of its own
    starts = [next(i for i, page in enumerate(pages) if re.sub(r"\s+", "", title) in page)
              for title in TITLES]
    assert starts == sorted(starts) and len(set(starts)) == len(TITLES)
    for words in ("ĐẢNG CỘNG SẢN VIỆT NAM", "Nguyễn Văn Thử", "Chưa kết nạp học sinh nào",
                  "Tài liệu nội bộ — không gửi cấp trên", "Đã gửi"):
        assert words in text
