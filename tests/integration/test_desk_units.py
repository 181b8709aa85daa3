"""The officers' pages of one unit (issue 19, pages 2, 3 and 6) on the real app and the
demo's warehouse: a cell's page, the month's findings by rule, a figure explained.

What they show is checked against what the reports hold: the upward data file written by
the demo run, ``Warehouse.explain`` and ``cellreports explain``. Who may see them: the
district's own officer (names included), the province's officer (no names, no annotated
workbook); a cell's account, another district's officer and nobody signed in find
nothing (404, or the sign-in page)."""

from __future__ import annotations

import csv
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from desk_site import PERIOD, DemoSite, csrf, text
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.registry import Registry
from core.settings import Settings
from services import cell_desk
from services.accounts import add_account
from warehouse import models as m
from warehouse.unit_of_work import Warehouse
from web.app import create_app

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = f"/don-vi/BL/{PERIOD}"
# names and dates of birth on BL02's March roster (its stalled candidate first)
BL02_NAMES = ("Vi Thị Lan", "27/11/1995", "Phan Ngọc Hà", "Điểu Văn Sơn")
WITHHELD = "chỉ cán bộ của đơn vị xem được"


@pytest.fixture(scope="module")
def clients(demo_site: DemoSite) -> dict[str | None, TestClient]:
    """One app on the demo's warehouse, a client signed in as each account (None: nobody)."""
    app = demo_site.app()
    logins = ("CANBO.BL", "CANBO.BLC", "CANBO.LD", "BL01")
    found: dict[str | None, TestClient] = {login: demo_site.client(login, app=app)
                                           for login in logins}
    found[None] = demo_site.client(None, app=app)
    return found


@pytest.fixture(scope="module")
def bl02_march_id(demo_site: DemoSite) -> int:
    return next(s.submission_id for s in cell_desk.submissions(demo_site.settings, "BL02")
                if s.period == PERIOD)


def _page(clients: dict[str | None, TestClient], login: str | None, url: str) -> str:
    answer = clients[login].get(url)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:500])
    return answer.text


def _data_file(demo_site: DemoSite, period: str) -> dict[tuple[str, str, str, str], int]:
    """The upward data file the demo run wrote for the month: (unit, population,
    indicator, breakdown) -> value."""
    path = demo_site.settings.reports / period / f"DuLieu_BL_{period}.csv"
    with path.open(encoding="utf-8") as f:
        return {(r["unit_code"], r["population"], r["indicator"], r["breakdown"]):
                int(r["value"]) for r in csv.DictReader(f)}


def _figure_rows(page: str) -> dict[str, list[str]]:
    """The cell's figures table: indicator -> the six cells (this month, last month, last
    year; học sinh and viên chức each) as the officer reads them."""
    table = re.search(r'<table class="figures">(.*?)</table>', page, re.S)
    assert table, page
    def seen(cell: str) -> str:  # what the eye reads: the screen reader's words left out
        return text(re.sub(r'<span class="sr">.*?</span>', "", cell))

    return {code: [seen(c) for c in re.findall(r'<td class="num">(.*?)</td>', body, re.S)]
            for code, body in re.findall(r'<th scope="row" class="code">(TH\d\d)</th>(.*?)</tr>',
                                         table.group(1), re.S)}


# ---- who may see what ---------------------------------------------------------------------

ROUTES = (f"{BASE}/chi-bo/BL01", f"{BASE}/loi",
          f"{BASE}/giai-thich?don_vi=BL&chi_tieu=TH05&doi_tuong=hoc_sinh&phan_loai=tong",
          f"{BASE}/giai-thich")


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("login", ["BL01", "CANBO.BLC"])
def test_a_cell_account_and_another_district_s_officer_find_none_of_the_unit_pages(
        clients, url, login):
    answer = clients[login].get(url)
    assert answer.status_code == 404
    assert "Không tìm thấy" in answer.text and "Chi bộ Trường THPT" not in answer.text


def test_a_cell_does_not_see_its_own_unit_s_officer_page_nor_its_annotated_workbook(
        clients, demo_site):
    own = next(s.submission_id for s in cell_desk.submissions(demo_site.settings, "BL01")
               if s.period == PERIOD)
    assert clients["BL01"].get(f"{BASE}/chi-bo/BL01").status_code == 404
    assert clients["BL01"].get(f"{BASE}/chi-bo/BL01/phan-hoi/{own}").status_code == 404


@pytest.mark.parametrize("url", [*ROUTES, f"{BASE}/chi-bo/BL02/phan-hoi/1"])
def test_nobody_signed_in_is_sent_to_sign_in(clients, url):
    answer = clients[None].get(url)
    assert answer.status_code == 303 and answer.headers["location"] == "/dang-nhap"


@pytest.mark.parametrize("login", ["BL01", "CANBO.BLC", "CANBO.LD"])
def test_only_the_district_s_own_officer_downloads_an_annotated_workbook(
        clients, bl02_march_id, login):
    """The workbook is the cell's whole roster, names included: not for the province."""
    answer = clients[login].get(f"{BASE}/chi-bo/BL02/phan-hoi/{bl02_march_id}")
    assert answer.status_code == 404


def test_the_province_s_officer_on_its_own_scope_finds_no_unit_pages(clients):
    for url in (f"/don-vi/LD/{PERIOD}/chi-bo/BL01", f"/don-vi/LD/{PERIOD}/loi",
                f"/don-vi/LD/{PERIOD}/giai-thich?don_vi=BL&chi_tieu=TH05"):
        assert clients["CANBO.LD"].get(url).status_code == 404, url


@pytest.mark.parametrize("code", ["BL", "BLTT", "LD", "BLC01", "XX"])
def test_a_unit_that_is_not_a_reporting_cell_of_the_district_has_no_page(clients, code):
    """The district itself, its Political Center, the province, units it does not hold."""
    assert clients["CANBO.BL"].get(f"{BASE}/chi-bo/{code}").status_code == 404


@pytest.mark.parametrize("period", ["2024-13", "03-2024", "tháng-ba"])
def test_a_month_that_is_no_month_is_no_page(clients, period):
    assert clients["CANBO.BL"].get(f"/don-vi/BL/{period}/chi-bo/BL01").status_code == 404
    assert clients["CANBO.BL"].get(f"/don-vi/BL/{period}/loi").status_code == 404


# ---- a cell's page ------------------------------------------------------------------------

def test_the_cell_page_lists_its_submissions_with_verdict_version_channel_time_and_counts(
        clients, bl02_march_id):
    page = _page(clients, "CANBO.BL", f"{BASE}/chi-bo/BL02")
    words = html.unescape(text(page))
    assert "<title>Chi bộ Trường THPT Lộc An (BL02) — tháng 03/2024</title>" in page
    assert '<html lang="vi">' in page and page.count("<h1>") == 1
    # March first, then the earlier months, newest first; arrival in Hà Nội time
    assert ("16:02 20/03/2024 BL02_2024-03.xlsx 1 Thư mục nhận tệp Nhận 0 2") in words
    assert words.index("10:41 20/02/2024 BL02_2024-02.xlsx 02/2024 1") \
        < words.index("15:22 22/01/2024 BL02_2024-01.xlsx 01/2024 1")
    # each finding: level, rule code and title, sheet, row, column, message
    assert ("Cảnh báo H04: Không dừng lâu ở một giai đoạn DanhSach 4 L Ở cùng giai đoạn 4 "
            "từ ngày 12/08/2023") in words
    assert "Cảnh báo R07: Giấy chứng nhận BDNTVĐ sắp hết hạn DanhSach 4 P" in words
    assert f'href="{BASE}/chi-bo/BL02/phan-hoi/{bl02_march_id}"' in page


def test_a_rejected_submission_shows_its_errors_on_the_page_of_its_month(clients):
    page = _page(clients, "CANBO.BL", "/don-vi/BL/2024-02/chi-bo/BL03")
    words = html.unescape(text(page))
    assert "BL03_2024-02.xlsx 1 Thư mục nhận tệp Trả lại 1 0" in words
    assert ("Lỗi R02: Ngày tháng hợp lệ và hợp lý DanhSach 12 C «Ngày sinh» ghi «31/02/2007» "
            "không phải ngày hợp lệ") in words
    # the March file is not shown on February's page
    assert "BL03_2024-03.xlsx" not in words


def test_the_cell_figures_are_the_data_file_s_this_month_last_month_and_a_dash_a_year_ago(
        clients, demo_site):
    rows = _figure_rows(_page(clients, "CANBO.BL", f"{BASE}/chi-bo/BL01"))
    march, february = _data_file(demo_site, PERIOD), _data_file(demo_site, "2024-02")
    assert len(rows) == 15
    for code, shown in rows.items():
        expected = [str(month[("BL01", p, code, "tong")])
                    for month in (march, february) for p in ("hoc_sinh", "vien_chuc")]
        assert shown == [*expected, "—", "—"], code  # no report in March 2023


def test_a_month_the_cell_was_rejected_shows_a_dash_and_says_so(clients, demo_site):
    """BL03's February file was rejected: no figure of it is in February's data file."""
    page = _page(clients, "CANBO.BL", f"{BASE}/chi-bo/BL03")
    rows = _figure_rows(page)
    march = _data_file(demo_site, PERIOD)
    assert rows["TH01"][:2] == [str(march[("BL03", "hoc_sinh", "TH01", "tong")]),
                                str(march[("BL03", "vien_chuc", "TH01", "tong")])]
    assert all(shown[2:4] == ["—", "—"] for shown in rows.values())
    assert "Tháng 02/2024 bị trả lại" in text(page)
    assert ("BL03", "hoc_sinh", "TH01", "tong") not in _data_file(demo_site, "2024-02")


def test_each_figure_of_the_month_links_to_its_explanation_with_the_same_value(clients):
    page = _page(clients, "CANBO.BL", f"{BASE}/chi-bo/BL01")
    links = re.findall(r'<td class="num"><a href="([^"]+)">(\d+)<span class="sr">', page)
    assert len(links) == 30  # TH01–TH15 × two populations, this month only
    for url, value in links[8:12] + links[20:22]:  # TH05, TH06, TH11 of both populations
        shown = _page(clients, "CANBO.BL", html.unescape(url))
        assert re.search(r'<dd class="value" id="gia-tri">(\d+)</dd>', shown).group(1) == value


def test_the_pipeline_counts_each_stage_and_agrees_with_the_report_s_figures(
        clients, demo_site):
    page = _page(clients, "CANBO.BL", f"{BASE}/chi-bo/BL02")
    words = text(page)
    table = re.search(r'<table class="stages">(.*?)</table>', page, re.S).group(1)
    found = {int(stage): (int(hs), int(vc), int(total)) for stage, hs, vc, total in re.findall(
        r'<th scope="row">(\d)\. [^<]+</th><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td><td class="num">(\d+)</td>', table)}
    assert sorted(found) == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert found[1] == (2, 1, 3) and found[4] == (1, 1, 2) and found[7] == (1, 1, 2)
    assert "tổng 11 người" in words
    march = _data_file(demo_site, PERIOD)
    for i, population in enumerate(("hoc_sinh", "vien_chuc")):
        # TH05 counts stages 1–6 and TH14 stage 7 (the form's spec)
        assert sum(found[s][i] for s in range(1, 7)) == march[("BL02", population, "TH05",
                                                               "tong")]
        assert found[7][i] == march[("BL02", population, "TH14", "tong")]


def test_the_district_officer_sees_the_stalled_candidate_by_name_and_date_of_birth(clients):
    words = text(_page(clients, "CANBO.BL", f"{BASE}/chi-bo/BL02"))
    assert ("Vi Thị Lan 27/11/1995 Viên chức 4 12/08/2023 H04: Không dừng lâu ở một giai "
            "đoạn") in words
    assert "R07: Giấy chứng nhận BDNTVĐ sắp hết hạn" in words


def test_the_province_officer_sees_the_cell_page_with_counts_and_without_any_name(clients):
    page = _page(clients, "CANBO.LD", f"{BASE}/chi-bo/BL02")
    words = text(page)
    for personal in BL02_NAMES:
        assert personal not in words
    assert "H04: Không dừng lâu ở một giai đoạn 1" in words  # the stall, counted
    assert "tổng 11 người" in words and "1. Cảm tình đảng 2 1 3" in words
    # the roster's messages may name a person: withheld; the file's own facts are shown
    assert WITHHELD in words and "Ở cùng giai đoạn 4 từ ngày" not in words
    assert "16:02 20/03/2024 BL02_2024-03.xlsx 1 Thư mục nhận tệp Nhận 0 2" in words
    assert "/phan-hoi/" not in page  # no annotated workbook to download


# ---- the annotated workbook, on a warehouse of our own ------------------------------------

@pytest.fixture
def small_site(tmp_path: Path) -> tuple[TestClient, Settings, dict[str, int]]:
    """A district with two submissions of BL01: one whose workbook is in the outbox, one
    whose recorded path points outside it; and one of BL02."""
    settings = Settings(data_dir=tmp_path / "var", pid_hash_key="test-key")
    registry = Registry.load(settings.registry_dir)
    Warehouse.of(settings).ready(registry)
    inside = settings.outbox / "BL01" / "BL01_2024-03_KetQuaKiemTra.xlsx"
    inside.parent.mkdir(parents=True, exist_ok=True)
    inside.write_bytes(b"PK annotated workbook of BL01")
    outside = tmp_path / "secret.xlsx"
    outside.write_bytes(b"not the outbox")
    ids = {}
    with Warehouse.of(settings).transaction() as session:
        for key, unit, path in (("inside", "BL01", inside), ("outside", "BL01", outside),
                                ("other", "BL02", settings.outbox / "BL02" / "x.xlsx")):
            session.add(m.RawFile(sha256=key * 8, size=1, archive_path=key))
            sub = m.Submission(sha256=key * 8, filename=f"{unit}_2024-03.xlsx",
                               channel="folder", sender=unit, kind="cell_report",
                               received_at=datetime(2024, 3, 20, 2, 0, tzinfo=UTC),
                               unit_code=unit, period=PERIOD, version=1, status="rejected",
                               error_count=1, feedback_path=str(path))
            session.add(sub)
            session.flush()
            ids[key] = sub.id
    _, password = add_account(settings, registry, "CANBO.BL", "", "district", "BL")
    client = TestClient(create_app(settings, clock=lambda: datetime(2024, 3, 28, tzinfo=HCM)),
                        follow_redirects=False, raise_server_exceptions=False)
    token = csrf(client.get("/dang-nhap").text)
    assert client.post("/dang-nhap", data={"login": "CANBO.BL", "password": password,
                                           "csrf": token}).status_code == 303
    return client, settings, ids


def test_the_annotated_workbook_is_served_from_the_outbox_and_the_download_recorded(
        small_site):
    client, settings, ids = small_site
    page = client.get(f"{BASE}/chi-bo/BL01").text
    assert f"/chi-bo/BL01/phan-hoi/{ids['inside']}" in page
    assert f"/chi-bo/BL01/phan-hoi/{ids['outside']}" not in page  # no link to what is refused
    answer = client.get(f"{BASE}/chi-bo/BL01/phan-hoi/{ids['inside']}")
    assert answer.status_code == 200 and answer.content == b"PK annotated workbook of BL01"
    assert "BL01_2024-03_KetQuaKiemTra.xlsx" in answer.headers["content-disposition"]
    with Warehouse.of(settings).session() as session:
        audit = session.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "download")).all()
    assert [(a.login, a.unit_code, a.submission_id) for a in audit] == [
        ("CANBO.BL", "BL01", ids["inside"])]


def test_a_path_outside_the_outbox_or_another_cell_s_submission_is_never_served(small_site):
    client, _settings, ids = small_site
    assert client.get(f"{BASE}/chi-bo/BL01/phan-hoi/{ids['outside']}").status_code == 404
    assert client.get(f"{BASE}/chi-bo/BL01/phan-hoi/{ids['other']}").status_code == 404
    assert client.get(f"{BASE}/chi-bo/BL01/phan-hoi/999999").status_code == 404
    assert client.get(f"{BASE}/chi-bo/BLTT/phan-hoi/{ids['inside']}").status_code == 404


# ---- findings by rule ---------------------------------------------------------------------

def test_findings_by_rule_count_units_rows_errors_and_warnings_and_say_which_files(clients):
    page = _page(clients, "CANBO.BL", "/don-vi/BL/2024-02/loi")
    words = html.unescape(text(page))
    assert "<title>Lỗi theo quy tắc — tháng 02/2024</title>" in page
    assert ("tệp đang dùng (đã nhận) của 3 chi bộ và tệp gửi gần nhất bị trả lại của 1 chi bộ"
            in words)
    # rule, units, rows, errors, warnings — titles as in the feedback workbook
    assert "R02: Ngày tháng hợp lệ và hợp lý 1 1 1 0" in words
    assert "H04: Không dừng lâu ở một giai đoạn 1 1 0 1" in words
    assert "R07: Giấy chứng nhận BDNTVĐ sắp hết hạn 1 1 0 1" in words
    assert "Chi bộ Trường THPT Lộc Thành (BL03) : 1 lần, trong tệp bị trả lại" in words
    assert "Chi bộ Trường THPT Lộc An (BL02) : 1 lần, trong tệp đang dùng" in words
    assert ("«Ngày sinh» ghi «31/02/2007» không phải ngày hợp lệ. Đề nghị ghi theo dạng "
            "ngày/tháng/năm (ví dụ 05/03/2007). 1") in words
    assert 'href="/don-vi/BL/2024-02/chi-bo/BL03"' in page


def test_findings_by_rule_of_march_are_only_the_warnings_of_the_files_in_force(clients):
    words = text(_page(clients, "CANBO.BL", f"{BASE}/loi"))
    assert "của 4 chi bộ và tệp gửi gần nhất bị trả lại của 0 chi bộ" in words
    assert "R02" not in words
    assert "H04: Không dừng lâu ở một giai đoạn 1 1 0 1" in words


def test_the_province_officer_sees_findings_by_rule_without_the_roster_s_messages(clients):
    words = html.unescape(text(_page(clients, "CANBO.LD", "/don-vi/BL/2024-02/loi")))
    assert "R02: Ngày tháng hợp lệ và hợp lý 1 1 1 0" in words
    assert "31/02/2007" not in words and WITHHELD in words


# ---- a figure explained -------------------------------------------------------------------

FIGURES = (("BL", "hoc_sinh", "TH05", "tong"), ("BL", "tong", "TH11", "tong"),
           ("BL01", "hoc_sinh", "TH05", "nu"), ("BL02", "vien_chuc", "TH01", "tong"),
           ("BL", "tong", "TH12", "doan_vien"), ("BL", "tong", "REPORTS_ACCEPTED", "tong"))


def _explain_url(unit: str, population: str, indicator: str, breakdown: str,
                 period: str = PERIOD) -> str:
    return (f"/don-vi/BL/{period}/giai-thich?don_vi={unit}&chi_tieu={indicator}"
            f"&doi_tuong={population}&phan_loai={breakdown}")


def _shown_explanation(page: str) -> tuple[int, list[list[str]], dict[str, list[list[str]]]]:
    """The page's value, its sources table and each source's roster rows, as text."""
    value = int(re.search(r'<dd class="value" id="gia-tri">(\d+)</dd>', page).group(1))

    def rows(table: str) -> list[list[str]]:
        return [[html.unescape(text(c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
                for r in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]

    sources = re.search(r'<table class="sources">(.*?)</table>', page, re.S)
    listed = {re.search(r"danh sách (\w+) \(", t).group(1): rows(t)
              for t in re.findall(r'<table class="rows">(.*?)</table>', page, re.S)}
    return value, rows(sources.group(1)) if sources else [], listed


def _cli_explanation(data_dir: Path, unit: str, population: str, indicator: str,
                     breakdown: str) -> tuple[int, list[tuple], dict[str, list[tuple]]]:
    """``cellreports explain`` on the same data: its value, sources and rows."""
    from typer.testing import CliRunner

    from cellreports.cli import app as cli

    result = CliRunner().invoke(cli, ["explain", "--period", PERIOD, "--unit", unit,
                                      "--population", population, "--indicator", indicator,
                                      "--breakdown", breakdown, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    said = re.sub(r"\s+", " ", result.output)
    value = int(re.search(r" = (\d+)", said).group(1))
    sources, listed = [], {}
    for part in re.split(r" (?=\w+: \d+ from submission #)", said)[1:]:
        code, amount, sid, version, name, sha, received, sheet = re.match(
            r"(\w+): (\d+) from submission #(\d+) version (\S+) '([^']+)' \(sha256 (\w+), "
            r"received ([\d-]+ [\d:]+)\), sheet (\S+)", part).groups()
        local = datetime.strptime(received, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        sources.append((code, version, name, sha, local.astimezone(HCM)
                        .strftime("%H:%M %d/%m/%Y"), sheet, amount))
        listed[code] = re.findall(r"row (\d+) STT (\S+) (.*?) stage (\S+)", part)
    return value, sources, listed


@pytest.mark.parametrize("figure", FIGURES, ids="-".join)
def test_the_explained_figure_is_warehouse_explain_s_and_the_cli_s_answer(
        clients, demo_site, figure):
    unit, population, indicator, breakdown = figure
    page = _page(clients, "CANBO.BL", _explain_url(*figure))
    value, sources, listed = _shown_explanation(page)

    registry = Registry.load(demo_site.settings.registry_dir)
    truth = Warehouse.of(demo_site.settings).explain(registry, unit, PERIOD, population,
                                                     indicator, breakdown)
    assert value == truth.value
    assert [(row[0].rsplit("(", 1)[1].rstrip(")"), row[1], row[2], row[3], row[6])
            for row in sources] == [
        (s.unit_code, str(s.version), s.filename, s.sha256[:12], str(s.value))
        for s in truth.sources]

    assert sources  # every figure asked about has accepted workbooks behind it in March
    assert sum(len(r) for r in listed.values()) == sum(len(s.rows) for s in truth.sources)

    cli_value, cli_sources, cli_rows = _cli_explanation(demo_site.settings.data_dir, *figure)
    assert sum(len(r) for r in cli_rows.values()) == sum(len(s.rows) for s in truth.sources)
    assert value == cli_value and len(sources) == len(cli_sources)
    for shown, said in zip(sources, cli_sources, strict=True):
        code, version, name, sha, when, sheet, amount = said
        assert shown[0].endswith(f"({code})") and shown[1:] == [version, name, sha, when,
                                                                  sheet, amount]
    for code, rows in cli_rows.items():
        assert [(r[0], r[1], r[2], r[3].split(".")[0]) for r in listed.get(code, [])] == [
            (row, stt, name, stage) for row, stt, name, stage in rows], code


def test_the_roster_rows_behind_a_figure_have_names_for_the_district_only(clients):
    url = _explain_url("BL02", "hoc_sinh", "TH05", "tong")
    district = _shown_explanation(_page(clients, "CANBO.BL", url))[2]["BL02"]
    province = _shown_explanation(_page(clients, "CANBO.LD", url))[2]["BL02"]
    assert ["8", "5", "Phan Ngọc Hà", "5. Thẩm tra lý lịch"] in district
    assert [[r[0], r[1], r[3]] for r in district] == province  # the same rows, no names
    assert "Phan Ngọc Hà" not in _page(clients, "CANBO.LD", url)


@pytest.mark.parametrize("query, said", [
    ("chi_tieu=TH99", "Không có chỉ tiêu «TH99» trong báo cáo"),
    ("chi_tieu=TH01&phan_loai=nu", "Chỉ tiêu TH01 không được báo cáo theo «Nữ»"),
    ("chi_tieu=TH05&doi_tuong=giao_vien", "Không có đối tượng «giao_vien»"),
    ("chi_tieu=TH05&phan_loai=tuoi", "Không có cách phân loại «tuoi»"),
    ("chi_tieu=REPORTS_ON_TIME&doi_tuong=tong", "Số báo cáo đúng hạn được tính từ thời điểm"),
    ("don_vi=BL01&chi_tieu=REPORTS_EXPECTED&doi_tuong=tong", "là số liệu của toàn đơn vị"),
])
def test_a_figure_the_reports_do_not_hold_is_a_message_in_vietnamese(clients, query, said):
    answer = clients["CANBO.BL"].get(f"{BASE}/giai-thich?{query}")
    assert answer.status_code == 400
    words = html.unescape(text(answer.text))
    assert "Không có số liệu này." in words and said in words
    assert "Traceback" not in answer.text and "UnknownFigure" not in answer.text
    assert '<select id="chi_tieu" name="chi_tieu">' in answer.text  # pick another one


@pytest.mark.parametrize("unit", ["BLC01", "LD", "BLTT", "BLC"])
def test_explaining_a_unit_that_is_not_the_district_s_is_not_found(clients, unit):
    answer = clients["CANBO.BL"].get(_explain_url(unit, "hoc_sinh", "TH05", "tong"))
    assert answer.status_code == 404


def test_the_picker_offers_every_unit_indicator_population_and_breakdown_with_labels(clients):
    page = _page(clients, "CANBO.BL", f"{BASE}/giai-thich")
    for field, label in (("don_vi", "Đơn vị"), ("chi_tieu", "Chỉ tiêu"),
                         ("doi_tuong", "Đối tượng"), ("phan_loai", "Phân loại")):
        assert f'<label for="{field}">{label}</label>' in page
    assert f'action="{BASE}/giai-thich"' in page and 'method="get"' in page
    for option in ('<option value="BL01">Chi bộ Trường THPT Bảo Lâm (BL01)</option>',
                   '<option value="TH11">TH11 — Kết nạp trong tháng</option>',
                   '<option value="vien_chuc">Viên chức</option>',
                   '<option value="dan_toc_thieu_so">Dân tộc thiểu số</option>'):
        assert option in page
    assert "Giá trị" not in text(page)  # no figure until one is picked


def test_the_registry_count_of_reports_expected_is_explained_as_such(clients):
    page = _page(clients, "CANBO.BL", _explain_url("BL", "tong", "REPORTS_EXPECTED", "tong"))
    value, sources, _ = _shown_explanation(page)
    assert value == 4 and sources == []
    assert "danh mục đơn vị" in text(page)
