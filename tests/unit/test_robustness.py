"""Odd files and odd cells never stop the month: each gets a named reason or a finding."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

from factories import make_header, make_workbook
from openpyxl import Workbook, load_workbook

from connectors.base import IncomingFile
from connectors.folder_inbox import FolderInbox
from core.findings import Finding
from forms.dispatch import read_any
from forms.errors import OversizedWorkbook
from reports.feedback import FeedbackContext, build_feedback

CTX = FeedbackContext("BL01_2024-03.xlsx", "Chi bộ Trường THPT Bảo Lâm (BL01)", "2024-03", 1,
                      datetime(2024, 3, 20, 9, 0), False)


def test_a_stray_value_far_away_is_refused_before_any_reader_allocates_it():
    workbook = load_workbook(io.BytesIO(make_workbook()))
    workbook["DanhSach"]["XFD20000"] = "x"
    out = io.BytesIO()
    workbook.save(out)
    outcome = read_any(out.getvalue())
    assert isinstance(outcome.error, OversizedWorkbook)
    assert outcome.error.rule_id == "F01"


def test_styled_but_empty_cells_far_away_do_not_count():
    workbook = load_workbook(io.BytesIO(make_workbook()))
    workbook["DanhSach"]["XFD20000"].number_format = "0"  # styled, no value
    out = io.BytesIO()
    workbook.save(out)
    assert read_any(out.getvalue()).report is not None


def test_feedback_marks_a_finding_inside_a_merged_cell_on_its_top_left_cell():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ThongTin"
    sheet["A8"] = "Bí thư chi bộ"
    sheet.merge_cells("A8:B8")
    out = io.BytesIO()
    workbook.save(out)
    finding = Finding("F03", "ThongTin", 8, "B", "Trang ThongTin thiếu «Bí thư chi bộ».")
    result = load_workbook(io.BytesIO(build_feedback(out.getvalue(), [finding], CTX)))
    assert "F03" in result["ThongTin"]["A8"].comment.text


def test_feedback_of_an_unreadable_file_is_the_findings_sheet_alone():
    finding = Finding("F01", None, None, None, "Tệp không phải bảng tính Excel.")
    result = load_workbook(io.BytesIO(build_feedback(b"%PDF-1.4", [finding], CTX)))
    assert result.sheetnames == ["KetQuaKiemTra"]


def test_a_file_without_findings_gets_the_findings_sheet_alone_and_its_verdict():
    accepted = FeedbackContext(CTX.filename, CTX.unit_label, CTX.period, 1, CTX.received_at,
                               True)
    result = load_workbook(io.BytesIO(build_feedback(make_workbook(), [], accepted)))
    assert result.sheetnames == ["KetQuaKiemTra"]
    texts = [c.value for row in result["KetQuaKiemTra"].iter_rows() for c in row if c.value]
    assert any(str(t).startswith("CHẤP NHẬN") for t in texts)
    assert "Không phát hiện sai sót." in texts


def test_a_file_with_findings_comes_back_whole_with_the_findings_sheet_first():
    finding = Finding("R03", "DanhSach", 8, "F", "Giới tính «Nm» không đúng danh mục.")
    result = load_workbook(io.BytesIO(build_feedback(make_workbook(), [finding], CTX)))
    assert result.sheetnames[0] == "KetQuaKiemTra"
    assert {"ThongTin", "TongHop", "DanhSach"} <= set(result.sheetnames)


def test_feedback_never_turns_text_into_a_live_formula():
    finding = Finding("R03", "DanhSach", 5, "F", "=HYPERLINK(\"http://x\")")
    result = load_workbook(io.BytesIO(build_feedback(make_workbook(), [finding], CTX)))
    cells = [c for row in result["KetQuaKiemTra"].iter_rows() for c in row
             if c.value == finding.message]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_file_replaced_during_the_run_is_not_moved_out_of_the_inbox(tmp_path):
    inbox = FolderInbox(tmp_path / "inbox", tmp_path / "done", tmp_path / "out")
    (tmp_path / "inbox" / "BL01").mkdir(parents=True)
    path = tmp_path / "inbox" / "BL01" / "report.xlsx"
    path.write_bytes(b"first version")
    [item] = list(inbox.fetch())
    path.write_bytes(b"second version, arrived while the run was loading the first")
    inbox.acknowledge(item)
    assert path.read_bytes().startswith(b"second version")
    untouched = IncomingFile(b"second version, arrived while the run was loading the first",
                             "report.xlsx", "folder", "BL01", datetime.now(UTC),
                             "BL01/report.xlsx")
    inbox.acknowledge(untouched)
    assert not path.exists()
    assert [p.name for p in (tmp_path / "done").rglob("*.xlsx")] == ["report.xlsx"]


def test_unit_code_and_form_version_are_not_case_sensitive():
    content = make_workbook(header=make_header(unit_code="bl01", form_version="BC-PTD-HS/1"))
    header = read_any(content).report.header
    assert (header.unit_code, header.form_version) == ("BL01", "BC-PTĐ-HS/1")


def test_a_file_whose_bytes_the_run_let_go_leaves_the_inbox_only_as_archived(tmp_path):
    # the run lets a loaded batch's bytes go; the inbox compares the file with the archived
    # bytes before it moves it out: one replaced since stays for the next run
    from types import SimpleNamespace

    from flows.common import acknowledge_loaded
    from warehouse.archive import Archive

    inbox = FolderInbox(tmp_path / "inbox", tmp_path / "done", tmp_path / "out")
    archive = Archive(tmp_path / "archive")
    for unit in ("BL01", "BL02"):
        (tmp_path / "inbox" / unit).mkdir(parents=True)
        (tmp_path / "inbox" / unit / "report.xlsx").write_bytes(f"{unit} as sent".encode())
    collected = [SimpleNamespace(incoming=replace(item, content=b""),
                                 stored=archive.store(item.content))
                 for item in inbox.fetch()]
    replaced = tmp_path / "inbox" / "BL02" / "report.xlsx"
    replaced.write_bytes(b"BL02, a second version sent while the run was loading")
    acknowledge_loaded([inbox], collected, set(), archive)
    assert not (tmp_path / "inbox" / "BL01" / "report.xlsx").exists()
    assert replaced.read_bytes().startswith(b"BL02, a second version")
    assert [p.parent.name for p in (tmp_path / "done").rglob("*.xlsx")] == ["BL01"]
