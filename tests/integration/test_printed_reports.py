"""The month's reports as LibreOffice prints them (issue 20, points 1 and 2).

The demo's March 2024, rebuilt from its warehouse with ``pdf=True`` as ``cellreports report``
does, gives two PDFs for the district: the report for sending (no name, date of birth or
ID of anyone) and the internal follow-up list (the named people of CanQuanTam); the
province gives the report for sending only. Read back with pdftotext and pdfplumber: on
every page of a report for sending no character is below 10 pt, the signed summary's
heading is 13–15 pt and its table 10–11 pt, and the summary's 19 columns are two A4
landscape pages across — never one page shrunk to fit.

One demo run is shared by the worker (tests/desk_site.py); this module prints a copy of it:
one LibreOffice run for the district's two PDFs, one for the province's.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from desk_site import PERIOD, DemoSite
from openpyxl import load_workbook

from cellreports.demo import demo_people
from core.registry import Registry
from reports.district import SHEET_SUMMARY
from reports.district_attention import ATTENTION_TITLE, SHEET_ATTENTION
from services.levels import ProvinceLevel
from services.reporting import Outputs, write_district_outputs

pytestmark = pytest.mark.usefixtures("libreoffice")

MIN_SIZE = 10 - 0.1  # pdfplumber's sizes are the page's, rounded
SENT_TITLES = ("BÁO CÁO TỔNG HỢP", "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC CHI BỘ",
               "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN", "SO SÁNH KẾT QUẢ KẾT NẠP ĐẢNG VIÊN",
               "KẾT NẠP ĐẢNG VIÊN TỪNG THÁNG TỪ ĐẦU NĂM",
               "CƠ CẤU QUẦN CHÚNG CẢM TÌNH ĐẢNG VÀ ĐẢNG VIÊN MỚI KẾT NẠP",
               "KẾT QUẢ KIỂM TRA BÁO CÁO CỦA CÁC CHI BỘ", "BIỂU ĐỒ PHÁT TRIỂN ĐẢNG VIÊN")
A4_LANDSCAPE = (842, 595)  # points


@dataclass(frozen=True)
class Printed:
    district: Outputs
    province: Outputs


@pytest.fixture(scope="module")
def printed(fresh_demo_site: DemoSite) -> Printed:
    settings = fresh_demo_site.settings
    district = write_district_outputs(settings, Registry.load(settings.registry_dir), PERIOD,
                                      pdf=True)
    province = ProvinceLevel.of(settings).write_outputs(PERIOD, pdf=True)
    return Printed(district, province)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def squeezed(text: str) -> str:
    """Without any whitespace: a name wrapped in its cell still reads whole."""
    return re.sub(r"\s+", "", text)


def pages(path: Path) -> Iterator[pdfplumber.page.Page]:
    with pdfplumber.open(path) as pdf:
        yield from pdf.pages


def sizes_of(page: pdfplumber.page.Page, words: str) -> set[float]:
    """The font sizes of the characters of ``words`` (one line of the page)."""
    found = page.search(re.escape(words), return_chars=True)
    assert found, f"{words!r} not on the page"
    return {round(c["size"], 1) for c in found[0]["chars"] if c["text"].strip()}


# ---------------------------------------------------------------- two documents


def test_the_district_prints_a_report_for_sending_and_an_internal_list(printed: Printed):
    outputs = printed.district
    assert outputs.pdf == outputs.report.with_name(f"BaoCaoTongHop_BL_{PERIOD}.pdf")
    assert outputs.internal_pdf == outputs.report.with_name(f"DanhSachTheoDoi_BL_{PERIOD}.pdf")
    sent, internal = pdf_text(outputs.pdf), pdf_text(outputs.internal_pdf)
    for title in SENT_TITLES:
        assert title in sent and title not in internal, title
    assert ATTENTION_TITLE in internal and ATTENTION_TITLE not in sent
    assert "Tài liệu nội bộ — không gửi cấp trên" in internal
    # the workbook itself stays whole: the officer still has every sheet
    assert SHEET_ATTENTION in load_workbook(outputs.report, read_only=True).sheetnames


def test_the_report_for_sending_names_no_one_and_the_internal_list_does(printed: Printed):
    outputs = printed.district
    sent, internal = squeezed(pdf_text(outputs.pdf)), squeezed(pdf_text(outputs.internal_pdf))
    people = [p for unit in demo_people().values() for p in unit]
    assert len(people) > 20
    for person in people:
        assert squeezed(person.full_name) not in sent, person.full_name
        assert person.birth_date.strftime("%d/%m/%Y") not in sent, person.full_name
        assert person.pid not in sent, person.full_name
    # everyone the month's follow-up list names is in the internal PDF, with the birth date
    sheet = load_workbook(outputs.report)[SHEET_ATTENTION]
    listed = {(row[2], row[3]) for row in sheet.iter_rows(values_only=True)
              if row[3] is not None and hasattr(row[3], "strftime")}
    assert listed, "the demo month has no one to follow up"
    for name, born in listed:
        assert squeezed(name) in internal and squeezed(name) not in sent, name
        assert born.strftime("%d/%m/%Y") in internal, name
    assert {squeezed(p.full_name) for p in people} & {squeezed(n) for n, _ in listed}


def test_the_province_prints_its_report_for_sending_only(printed: Printed):
    outputs = printed.province
    assert outputs.pdf == outputs.report.with_suffix(".pdf") and outputs.internal_pdf is None
    assert not list(outputs.report.parent.glob("DanhSachTheoDoi_*"))
    text = pdf_text(outputs.pdf)
    assert "TỈNH ỦY LÂM ĐỒNG" in text and "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU" in text


# ---------------------------------------------------------------- readable on paper


@pytest.mark.parametrize("level", ["district", "province"])
def test_no_text_of_a_report_for_sending_is_below_10_points(printed: Printed, level: str):
    path = getattr(printed, level).pdf
    smallest = {}
    for number, page in enumerate(pages(path), start=1):
        chars = [c for c in page.chars if c["text"].strip()]
        assert chars, f"page {number} is empty"
        smallest[number] = min(c["size"] for c in chars)
    assert min(smallest.values()) >= MIN_SIZE, smallest
    assert len(smallest) >= 4  # every sheet printed, none left out


@pytest.mark.parametrize("level", ["district", "province"])
def test_the_signed_summary_is_set_as_a_party_document(printed: Printed, level: str):
    """Heading 13–15 pt (the document's kind 15, as Guide 36-HD/VPTW sets it), the table's
    codes and figures 11 pt, its labels 10 pt; on A4 landscape."""
    with pdfplumber.open(getattr(printed, level).pdf) as pdf:
        first = pdf.pages[0]
        assert (round(first.width), round(first.height)) == A4_LANDSCAPE
        assert sizes_of(first, "ĐẢNG CỘNG SẢN VIỆT NAM") == {14.0}
        assert sizes_of(first, "BÁO CÁO TỔNG HỢP") == {15.0}
        assert sizes_of(first, "BAN TỔ CHỨC") == {13.0}
        assert sizes_of(first, "Biểu số 01") == {13.0}
        assert sizes_of(first, "TH01") == {11.0}
        assert sizes_of(first, "Tổng số") == {10.0}
        below = first.search("TH01")[0]["bottom"]  # the table: its labels, rows, totals
        figures = [c for c in first.chars if c["text"].isdigit() and c["top"] > below]
        assert figures and {round(c["size"], 1) for c in figures} <= {10.0, 11.0}


@pytest.mark.parametrize("level", ["district", "province"])
def test_the_summary_table_is_two_pages_across_and_the_signature_closes_it(printed: Printed,
                                                                          level: str):
    """TH01–TH08 under the heading (and its header on each further page down); then,
    under "Biểu số 01 (tiếp theo)", the unit columns again beside TH09–TH15, the totals,
    "Nơi nhận" and the signer. Then the next sheet: nothing of the summary after it."""
    texts = [squeezed(t) for t in pdf_text(getattr(printed, level).pdf).split("\f")]
    caption, continued = squeezed("Biểu số 01"), squeezed("Biểu số 01 (tiếp theo)")
    summary = [i for i, t in enumerate(texts) if caption in t]
    assert summary == list(range(len(summary)))  # the first pages, one after the other
    across = [i for i in summary if continued not in texts[i]]
    beside = [i for i in summary if continued in texts[i]]
    assert across and beside and max(across) < min(beside)
    assert squeezed("ĐẢNG CỘNG SẢN VIỆT NAM") in texts[0]
    for i in across:
        assert all(f"TH{n:02d}" in texts[i] for n in range(1, 9))
        assert not any(f"TH{n:02d}" in texts[i] for n in range(9, 16))
    for i in beside:
        assert all(f"TH{n:02d}" in texts[i] for n in range(9, 16)) and "STT" in texts[i]
        assert not any(f"TH{n:02d}" in texts[i] for n in range(1, 9))
    last = texts[beside[-1]]
    for words in ("Cộng toàn", "Nơi nhận:", "K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "(Họ và tên)"):
        assert squeezed(words) in last, words
    assert "TÌNHHÌNH" in texts[beside[-1] + 1]  # the completeness sheet comes next


def test_the_workbook_is_the_same_sheet_on_screen(printed: Printed):
    """The print layout changes nothing an officer reads on screen: TongHop keeps every
    indicator of every cell in one table (E–S)."""
    ws = load_workbook(printed.district.report)[SHEET_SUMMARY]
    header = next(r for r in ws.iter_rows() if r[4].value == "TH01")
    assert [c.value for c in header[4:19]] == [f"TH{n:02d}" for n in range(1, 16)]
