"""The province's board (issue 19, page 7) on the real app and the demo's warehouse: each
district's data file with its status and checks, the provincial report's files, the
province's figures — the same as the provincial data file — and who may see it."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from desk_site import PERIOD, DemoSite, text
from fastapi.testclient import TestClient
from province_factories import district_csv, edit, matches, province_registry

from core.layout import INDICATOR_CODES
from core.run import RunSummary
from core.settings import PROVINCE

MONTHS = ("2024-01", "2024-02", "2024-03")
DISTRICTS = ("BL", "BLC", "DL", "LH")
BOARD = f"/tinh/LD/{PERIOD}"
FIGURE = re.compile(r'data-fig="([^"|]+)\|([^"|]+)\|([^"|]+)">(\d+)</td>')
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def province_reports(site: DemoSite, period: str) -> Path:
    return site.settings.paths(PROVINCE).reports / period


def data_file(site: DemoSite, period: str) -> list[dict[str, str]]:
    path = province_reports(site, period) / f"DuLieu_LD_{period}.csv"
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def status_rows(html: str) -> dict[str, list[str]]:
    """The status table as the officer reads it: unit code -> the texts of its cells."""
    return {code: [text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for code, row in re.findall(r'<tr id="don-vi-(\w+)"[^>]*>(.*?)</tr>', html, re.S)}


def figures(html: str) -> dict[tuple[str, str, str], int]:
    return {(u, p, i): int(v) for u, p, i, v in FIGURE.findall(html)}


def file_figures(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], int]:
    """The data file's TH01–TH15 of every population of the units that carry them."""
    return {(r["unit_code"], r["population"], r["indicator"]): int(r["value"]) for r in rows
            if r["breakdown"] == "tong" and r["indicator"] in INDICATOR_CODES}


def reports_count(rows: list[dict[str, str]], unit: str, indicator: str) -> int:
    return next(int(r["value"]) for r in rows
                if r["unit_code"] == unit and r["indicator"] == indicator)


@pytest.fixture(scope="module")
def province_client(demo_site: DemoSite) -> TestClient:
    return demo_site.client("CANBO.LD")


# ---- the board after the demo


def test_the_board_lists_bao_lam_as_received_and_the_other_districts_as_not_sent(
        province_client: TestClient) -> None:
    page = province_client.get(BOARD)
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    rows = status_rows(page.text)
    assert list(rows) == list(DISTRICTS)
    bl = rows["BL"]
    assert bl[:6] == ["BL", "Đảng bộ huyện Bảo Lâm", "Đã nhận hợp lệ", "DuLieu_BL_2024-03.csv",
                      "1", "16:30 25/03/2024"]
    for code in ("BLC", "DL", "LH"):
        assert rows[code][2] == "Chưa gửi (quá hạn)"
        assert rows[code][3:6] == ["—", "—", "—"]
    words = text(page.text)
    assert "Bảng theo dõi của tỉnh — tháng 03/2024" in words
    assert "1/4 đảng bộ có tệp dữ liệu hợp lệ" in words
    assert "1/4 đúng hạn" in words
    assert "Hạn gửi tệp dữ liệu: 25/03/2024 (đã qua hạn)" in words
    assert "Tệp đạt tất cả các kiểm tra, không có lỗi hay cảnh báo." in words
    for name in ("Đảng bộ thành phố Bảo Lộc (BLC)", "Đảng bộ huyện Di Linh (DL)",
                 "Đảng bộ huyện Lâm Hà (LH)"):
        assert f"{name}: chưa gửi tệp — đã quá hạn." in words


@pytest.mark.parametrize("period", MONTHS)
def test_the_board_figures_are_those_of_the_provincial_data_file(
        demo_site: DemoSite, province_client: TestClient, period: str) -> None:
    rows = data_file(demo_site, period)
    page = province_client.get(f"/tinh/LD/{period}")
    assert page.status_code == 200
    shown = figures(page.text)
    assert shown == file_figures(rows)
    assert {u for u, _p, _i in shown} == {"BL", "LD"}  # the districts without data: no zeros
    assert len(shown) == 2 * 3 * len(INDICATOR_CODES)
    # the cells each file counts, and the province's, are the data file's REPORTS_* rows
    table = status_rows(page.text)
    assert int(table["BL"][6]) == reports_count(rows, "BL", "REPORTS_ACCEPTED")
    assert int(table["BL"][7]) == reports_count(rows, "BL", "REPORTS_EXPECTED")
    for code in ("BLC", "DL", "LH"):
        assert int(table[code][8]) == reports_count(rows, code, "REPORTS_EXPECTED")
    expected = reports_count(rows, "LD", "REPORTS_EXPECTED")
    accepted = reports_count(rows, "LD", "REPORTS_ACCEPTED")
    on_time = reports_count(rows, "LD", "REPORTS_ON_TIME")
    assert (f"{accepted}/{expected} chi bộ có báo cáo hợp lệ ({on_time} đúng hạn)"
            in text(page.text))
    assert "Toàn tỉnh — Đảng bộ tỉnh Lâm Đồng (1/4 đơn vị có số liệu)" in text(page.text)


def test_the_board_links_to_the_served_district_read_only(province_client: TestClient) -> None:
    page = province_client.get(BOARD)
    assert f'href="/don-vi/BL/{PERIOD}"' in page.text
    assert "Đảng bộ huyện Bảo Lâm (BL): xem bảng theo dõi của đơn vị tháng 03/2024 (chỉ xem)" \
        in text(page.text)


@pytest.mark.parametrize("period", MONTHS)
def test_each_report_file_downloads_the_bytes_on_disk(
        demo_site: DemoSite, province_client: TestClient, period: str) -> None:
    page = province_client.get(f"/tinh/LD/{period}")
    names = re.findall(rf'href="/tinh/LD/{period}/tep/([^"]+)"', page.text)
    assert names == [f"BaoCaoTongHop_LD_{period}.xlsx", f"BaoCao_LD_{period}.docx",
                     f"DuLieu_LD_{period}.csv", f"DuLieu_LD_{period}.json"]
    for name in names:
        answer = province_client.get(f"/tinh/LD/{period}/tep/{name}")
        assert answer.status_code == 200
        assert answer.content == (province_reports(demo_site, period) / name).read_bytes()
        assert name in answer.headers["content-disposition"]
    assert province_client.get(f"/tinh/LD/{period}/tep/{names[0]}").headers[
        "content-type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("name", [
    "KhongCo.xlsx",
    "DuLieu_LD_2024-02.csv",  # another month's file is not this month's
    "00017_DuLieu_LD_2024-03.csv",  # a copy under history/ is not served here
    "..%2F..%2Fwarehouse.sqlite",
    "%2E%2E",
    "DuLieu_BL_2024-03.csv",  # the district's own file, in another folder
])
def test_a_file_the_report_log_did_not_record_for_the_month_is_not_found(
        province_client: TestClient, name: str) -> None:
    answer = province_client.get(f"{BOARD}/tep/{name}")
    assert answer.status_code == 404
    assert "Không tìm thấy" in answer.text


def test_a_month_without_files_says_the_report_is_not_built(province_client: TestClient) -> None:
    page = province_client.get("/tinh/LD/2023-12")
    assert page.status_code == 200
    words = text(page.text)
    assert "0/4 đảng bộ có tệp dữ liệu hợp lệ" in words
    assert "Báo cáo tổng hợp tháng 12/2023 của tỉnh chưa được lập." in words
    assert "Toàn tỉnh — Đảng bộ tỉnh Lâm Đồng (0/4 đơn vị có số liệu) Không có số liệu hợp lệ" \
        in words
    assert figures(page.text) == {}


def test_a_period_that_is_not_a_month_is_not_found(province_client: TestClient) -> None:
    assert province_client.get("/tinh/LD/2024-13").status_code == 404
    assert province_client.get("/tinh/LD/thang-ba").status_code == 404


def test_the_board_only_reads_a_post_changes_nothing(province_client: TestClient) -> None:
    before = province_client.get(BOARD).text
    answer = province_client.post(BOARD, data={})
    assert answer.status_code == 405
    assert "Không thực hiện được" in answer.text
    assert province_client.get(BOARD).text == before


# ---- who may see it


@pytest.mark.parametrize("login", ["BL01", "CANBO.BL", "CANBO.BLC"])
@pytest.mark.parametrize("path", [BOARD, f"{BOARD}/tep/DuLieu_LD_{PERIOD}.csv", "/tinh/LD"])
def test_a_cell_or_a_district_officer_finds_no_province_board(
        demo_site: DemoSite, login: str, path: str) -> None:
    answer = demo_site.client(login).get(path)
    assert answer.status_code == 404
    assert "Không tìm thấy" in answer.text
    assert "DuLieu_BL" not in answer.text and "4289" not in answer.text


@pytest.mark.parametrize("path", [BOARD, f"{BOARD}/tep/DuLieu_LD_{PERIOD}.csv"])
def test_nobody_signed_in_is_sent_to_sign_in(demo_site: DemoSite, path: str) -> None:
    answer = demo_site.client().get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dang-nhap"


@pytest.mark.parametrize("path", ["/tinh/BL/2024-03", "/tinh/BL/2024-03/tep/DuLieu_BL_2024-03.csv",
                                  "/tinh/XX/2024-03"])
def test_the_province_officer_finds_no_board_of_another_unit(
        province_client: TestClient, path: str) -> None:
    assert province_client.get(path).status_code == 404


# ---- a month with a late file with a warning and a rejected one (its own demo run)


def drop(site: DemoSite, sender: str, name: str, content: bytes, day: int) -> None:
    from flows.provincial import province_paths

    folder = province_paths(site.settings).inbox / sender
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    moment = datetime(2024, 3, day, 8, 0, tzinfo=LOCAL).timestamp()
    os.utime(folder / name, (moment, moment))


def one_more_expected(records: list[dict[str, str]]) -> None:
    for r in records:
        if matches(r, unit_code="BLC", indicator="REPORTS_EXPECTED"):
            r["value"] = "4"  # the registry says 3: the P07 warning, the file still valid


def a_wrong_total(records: list[dict[str, str]]) -> None:
    for r in records:
        if matches(r, unit_code="DL", population="tong", indicator="TH01", breakdown="tong"):
            r["value"] = str(int(r["value"]) + 1)  # not học sinh + viên chức: errors


@pytest.fixture(scope="module")
def checked_month(fresh_demo_site: DemoSite) -> tuple[DemoSite, RunSummary]:
    """March again at the province: Bảo Lộc's file late with a warning, Di Linh's
    rejected; returns the site and the run's summary."""
    from flows.provincial import provincial_consolidation

    registry = province_registry()
    drop(fresh_demo_site, "BLC", "DuLieu_BLC_2024-03.csv",
         edit(district_csv(registry, "BLC", seed=5), one_more_expected), day=27)
    drop(fresh_demo_site, "DL", "DuLieu_DL_2024-03.csv",
         edit(district_csv(registry, "DL", seed=9), a_wrong_total), day=24)
    summary = provincial_consolidation(PERIOD, fresh_demo_site.settings)
    return fresh_demo_site, summary


def test_a_late_valid_file_shows_late_with_its_warning_and_a_rejected_one_its_errors(
        checked_month: tuple[DemoSite, RunSummary]) -> None:
    site, summary = checked_month
    runs = {r.unit: r for r in summary.rows}
    assert runs["BLC"].status == "accepted" and runs["DL"].status == "rejected"
    page = site.client("CANBO.LD").get(BOARD)
    rows = status_rows(page.text)
    assert rows["BLC"][2:6] == ["Nộp muộn", "DuLieu_BLC_2024-03.csv", "1", "08:00 27/03/2024"]
    assert rows["BLC"][9:] == ["0", "1"]
    assert rows["DL"][2] == "Bị trả lại"
    assert rows["DL"][4:6] == ["1", "08:00 24/03/2024"]
    assert rows["DL"][9:] == [str(runs["DL"].errors), str(runs["DL"].warnings)]
    assert rows["LH"][2] == "Chưa gửi (quá hạn)"
    words = text(page.text)
    assert "2/4 đảng bộ có tệp dữ liệu hợp lệ" in words
    assert "1/4 đúng hạn" in words and "3/4 đã gửi tệp" in words
    assert ("P07 — Số báo cáo phải nộp, đã hợp lệ, đúng hạn nhất quán Cảnh báo "
            "REPORTS_EXPECTED ghi 4 chi bộ phải báo cáo; danh mục của tỉnh có 3 chi bộ") in words
    assert (f"Tệp lần gửi 1 bị trả lại: {runs['DL'].errors} lỗi, {runs['DL'].warnings} "
            "cảnh báo.") in words
    assert "Đảng bộ huyện Di Linh (DL): tệp bị trả lại." in words
    # the rejected file's own findings, as the checks wrote them
    assert ("Đảng bộ huyện Di Linh (DL) — DuLieu_DL_2024-03.csv" in words)
    assert "P06 — Số chung bằng học sinh cộng viên chức Lỗi Số chung của «DL» ở TH01/tong" \
        in words


def test_after_the_new_run_the_figures_are_still_those_of_the_data_file(
        checked_month: tuple[DemoSite, RunSummary]) -> None:
    site, _summary = checked_month
    page = site.client("CANBO.LD").get(BOARD)
    shown = figures(page.text)
    assert shown == file_figures(data_file(site, PERIOD))
    assert {u for u, _p, _i in shown} == {"BL", "BLC", "LD"}
    assert "Toàn tỉnh — Đảng bộ tỉnh Lâm Đồng (2/4 đơn vị có số liệu)" in text(page.text)
