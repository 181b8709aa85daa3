"""The feedback workbook printed by LibreOffice (issue 20, points 6 and 7): the verdict in
large coloured words on the first page with the date to send a correction by, every
message whole, at full size, the table's header on every page of the findings sheet.

One LibreOffice run for the module converts both workbooks (turned back, accepted)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import pdfplumber
import pytest
from factories import make_roster, make_summary, make_workbook
from styles import convert_with_libreoffice

from core.findings import WARNING, Finding
from forms.dispatch import read_any
from reports.feedback import FeedbackContext, build_feedback
from validations.frames import BatchItem
from validations.run import validate_batch

pytestmark = pytest.mark.usefixtures("libreoffice")

CTX = FeedbackContext("BL01_2024-03.xlsx", "Chi bộ Trường THPT Bảo Lâm (BL01)", "2024-03", 1,
                      datetime(2024, 3, 20, 9, 0), accepted=False, deadline=date(2024, 3, 25))
# long enough to wrap over several lines of the message column, and to fill two pages
LONG = ("Quần chúng Nguyễn Văn Nam {n} dừng ở giai đoạn 4 (đã có giấy chứng nhận, đang hoàn "
        "thiện hồ sơ) đã {n} tháng, từ tháng 08/2023. Đề nghị chi bộ phân công đảng viên "
        "giúp đỡ đôn đốc hoàn thiện hồ sơ, lấy ý kiến nhận xét của đoàn thể và chi ủy nơi cư "
        "trú, báo cáo Ban Tổ chức trước kỳ báo cáo sau.")


@dataclass(frozen=True)
class Printed:
    messages: list[str]
    turned_back: Path
    accepted: Path


def _findings(registry) -> list[Finding]:  # type: ignore[no-untyped-def]
    """The rules' own messages on a roster with five mistakes, and long warnings."""
    roster = make_roster()
    roster[0] = replace(roster[0], gender="Nm")
    roster[1] = replace(roster[1], pid="12345")
    roster[2] = replace(roster[2], birth_date=None, invalid={"birth_date": "31/02/2007"})
    roster[4] = replace(roster[4], cert_no=None)
    roster[5] = replace(roster[5], birth_date=date(2010, 1, 1))
    content = make_workbook(roster=roster, summary=make_summary(make_roster()))
    [found] = validate_batch([BatchItem(read_any(content).report)], registry, "2024-03")
    assert len(found) >= 5
    stalled = [Finding("H04", "DanhSach", 4 + n % 7, "M", LONG.format(n=n + 6), WARNING)
               for n in range(10)]
    two_paragraphs = Finding("H05", "DanhSach", 10, "Q", "Giai đoạn 6 quá 60 ngày làm việc "
                             "chưa có quyết định kết nạp.\nĐề nghị chi bộ báo cáo Đảng ủy cấp "
                             "trên xem xét, ra quyết định.", WARNING)
    return [*found, two_paragraphs, *stalled]


@pytest.fixture(scope="module")
def printed(registry, tmp_path_factory) -> Printed:  # type: ignore[no-untyped-def]
    findings = _findings(registry)
    original = make_workbook()
    turned_back = build_feedback(original, findings, CTX)
    accepted = build_feedback(original, findings[-3:], replace(CTX, accepted=True))
    folder = tmp_path_factory.mktemp("feedback-pdf")
    paths = []
    for name, pdf in zip(("tra-lai", "nhan"), convert_with_libreoffice(
            [turned_back, accepted], "pdf"), strict=True):
        (path := folder / f"{name}.pdf").write_bytes(pdf)
        paths.append(path)
    return Printed([f.message for f in findings], *paths)


def _page_texts(path: Path) -> list[str]:
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout)[1])
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, pages + 1)]


def _findings_pages(path: Path) -> list[str]:
    """The pages of the findings sheet: the first ones, each under the table's header (the
    cell's own sheets follow; the comments printed after them repeat the messages)."""
    pages = []
    for text in _page_texts(path):
        if not ("Quy tắc" in text and "Nội dung" in text):
            break
        pages.append(text)
    return pages


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def test_every_message_prints_whole_on_the_findings_pages(printed):
    pages = _findings_pages(printed.turned_back)
    assert len(pages) >= 2  # the long warnings run over; the header repeats on each page
    text = _collapsed(" ".join(pages))
    missing = [m for m in printed.messages if _collapsed(m) not in text]
    assert not missing, missing


def test_the_verdict_prints_large_red_first_with_the_date_to_send_again(printed):
    with pdfplumber.open(printed.turned_back) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(extra_attrs=["size", "non_stroking_color"])
        text = _collapsed(page.extract_text())
    verdict = [w for w in words if w["text"] in ("TRẢ", "LẠI")][:2]
    assert [w["text"] for w in verdict] == ["TRẢ", "LẠI"]
    assert all(w["size"] >= 24 for w in verdict), verdict
    red, green, blue = verdict[0]["non_stroking_color"][:3]
    assert red > 0.6 and green < 0.2 and blue < 0.2
    first_word = min(words, key=lambda w: (round(w["top"]), w["x0"]))
    assert words.index(verdict[0]) <= 10 and first_word["text"] == "KẾT"
    assert ("Đề nghị chi bộ sửa các lỗi dưới đây và gửi lại trước hạn nộp 25/03/2024."
            in text)


def test_an_accepted_file_prints_nhan_large_and_green(printed):
    with pdfplumber.open(printed.accepted) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size", "non_stroking_color"])
    # the first «NHẬN» of the page (the conclusion's «CHẤP NHẬN» comes below)
    verdict = min((w for w in words if w["text"] == "NHẬN"), key=lambda w: w["top"])
    assert verdict["size"] >= 24
    red, green, blue = verdict["non_stroking_color"][:3]
    assert green > 0.3 and red < 0.1 and blue < 0.1
    assert "TRẢ" not in {w["text"] for w in words}


def test_the_findings_pages_print_at_full_size(printed):
    """The widths fit a landscape A4 page: nothing shrunk, the body stays 12 pt."""
    pages = len(_findings_pages(printed.turned_back))
    with pdfplumber.open(printed.turned_back) as pdf:
        sizes = [c["size"] for page in pdf.pages[:pages] for c in page.chars
                 if c["text"].strip()]
    assert min(sizes) >= 11.9, min(sizes)
