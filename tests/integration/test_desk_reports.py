"""The officers' reports page (issue 19, pages 4 and 5) on the demo's three months: the
month's files and their earlier versions downloaded byte for byte as the reports wrote
them, the PDF for sending, the approval (the CLI's lock) with a late upload that waits and
a reopening that applies it and rebuilds the reports, the Data Docs behind the sign-in, the
Prefect artifacts' links to these pages — and who may see or do none of it."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import pytest
from desk_site import PERIOD, DemoSite, csrf, text

from cellreports.demo import demo_header, demo_roster, demo_summary
from core.registry import Registry
from core.run import RunSummary
from forms.writer import write_cell_workbook
from reports import artifacts
from warehouse.unit_of_work import Warehouse

BASE = f"/don-vi/BL/{PERIOD}"
PAGE = f"{BASE}/bao-cao"
WORKBOOK, DATA_CSV, DATA_JSON = (f"BaoCaoTongHop_BL_{PERIOD}.xlsx", f"DuLieu_BL_{PERIOD}.csv",
                                 f"DuLieu_BL_{PERIOD}.json")
POSTS = (f"{BASE}/phe-duyet", f"{BASE}/mo-lai", f"{PAGE}/pdf")


def _month_folder(site: DemoSite, level: str = "district") -> Path:
    return site.settings.paths(level).reports / PERIOD


def _builds(site: DemoSite, unit: str, period: str = PERIOD) -> list:
    return Warehouse.of(site.settings).month_history(unit, period).builds


def _gets(site: DemoSite) -> list[str]:
    """Every GET route of the page, each with something real behind it."""
    build = _builds(site, "BL")[0]
    return [PAGE, f"{PAGE}/tep/{WORKBOOK}", f"{PAGE}/tep/{DATA_CSV}",
            f"{PAGE}/ban/{build.id}", "/don-vi/BL/data-docs/index.html"]


def _lock(site: DemoSite) -> tuple:
    """What approval and reopening change: the month's state and its audit trail."""
    warehouse = Warehouse.of(site.settings)
    states, pending = warehouse.months("BL")
    history = warehouse.month_history("BL", PERIOD)
    return ([(s.period, s.status, s.approved_by) for s in states], len(pending),
            [(e.action, e.actor) for e in history.approvals], len(history.builds))


# ---- the month's reports -----------------------------------------------------------------

def test_the_district_officer_sees_the_month_s_reports_and_downloads_each_as_written(
        demo_site):
    officer = demo_site.client("CANBO.BL")
    page = officer.get(PAGE)
    assert page.status_code == 200
    shown = text(page.text)
    assert "Báo cáo và phê duyệt tháng 03/2024 — Đảng bộ huyện Bảo Lâm" in shown
    assert "Chưa phê duyệt" in shown and "Không có bản sửa nào đang chờ." in shown
    assert "Báo cáo tổng hợp (bảng tính Excel) BaoCaoTongHop_BL_2024-03.xlsx" in shown
    assert "Tệp dữ liệu gửi cấp trên (CSV) DuLieu_BL_2024-03.csv" in shown
    assert "Lần lập 1 — " in shown and "(hiện hành)" in shown
    assert '<html lang="vi">' in page.text and "<caption>" in page.text
    assert '<link rel="stylesheet" href="/static/reports.css">' in page.text
    for name, media in ((WORKBOOK, "spreadsheetml"), (DATA_CSV, "text/csv"),
                        (DATA_JSON, "application/json")):
        answer = officer.get(f"{PAGE}/tep/{name}")
        assert answer.status_code == 200, name
        assert media in answer.headers["content-type"]
        assert f'filename="{name}"' in answer.headers["content-disposition"]
        assert answer.content == (_month_folder(demo_site) / name).read_bytes()


def test_each_earlier_version_downloads_byte_for_byte_from_its_stored_copy(demo_site):
    officer = demo_site.client("CANBO.BL")
    shown = officer.get(PAGE).text
    for build in _builds(demo_site, "BL"):
        assert f'href="{PAGE}/ban/{build.id}"' in shown
        answer = officer.get(f"{PAGE}/ban/{build.id}")
        assert answer.status_code == 200
        stem, suffix = build.file_name.rsplit(".", 1)
        assert f'filename="{stem}_ban{build.id}.{suffix}"' in answer.headers[
            "content-disposition"]
        assert answer.content == (demo_site.settings.reports / build.copy_path).read_bytes()


def test_a_version_of_another_month_or_unit_is_not_found(demo_site):
    officer = demo_site.client("CANBO.BL")
    february = _builds(demo_site, "BL", "2024-02")[0].id
    province = _builds(demo_site, "LD")[0].id
    for build_id in (february, province, 99999, "abc", "-1"):
        answer = officer.get(f"{PAGE}/ban/{build_id}")
        assert answer.status_code == 404, build_id
        assert "Không tìm thấy" in text(answer.text)


def test_only_files_the_month_s_report_log_knows_are_served(demo_site):
    officer = demo_site.client("CANBO.BL")
    for name in ("DuLieu_BL_2024-02.csv",  # February's, not this month's folder
                 "BaoCaoTongHop_LD_2024-03.xlsx",  # the province's
                 "warehouse.sqlite", "..%2F..%2Fwarehouse.sqlite", "%2E%2E",
                 f"BaoCaoTongHop_BL_{PERIOD}.pdf"):  # no PDF made yet
        answer = officer.get(f"{PAGE}/tep/{name}")
        assert answer.status_code == 404, name
    assert officer.get("/don-vi/BL/2024-13/bao-cao").status_code == 404


def test_the_province_officer_sees_the_province_s_own_reports(demo_site):
    officer = demo_site.client("CANBO.LD")
    page = officer.get(f"/don-vi/LD/{PERIOD}/bao-cao")
    assert page.status_code == 200
    shown = text(page.text)
    assert "Đảng bộ tỉnh Lâm Đồng" in shown and f"BaoCaoTongHop_LD_{PERIOD}.xlsx" in shown
    assert "Phê duyệt và khoá số liệu tháng" in shown  # the province's own month
    folder = _month_folder(demo_site, "province")
    for name in (f"BaoCaoTongHop_LD_{PERIOD}.xlsx", f"DuLieu_LD_{PERIOD}.csv"):
        answer = officer.get(f"/don-vi/LD/{PERIOD}/bao-cao/tep/{name}")
        assert answer.status_code == 200 and answer.content == (folder / name).read_bytes()
    build = _builds(demo_site, "LD")[0]
    answer = officer.get(f"/don-vi/LD/{PERIOD}/bao-cao/ban/{build.id}")
    assert answer.content == (demo_site.settings.province_reports / build.copy_path
                              ).read_bytes()
    # a district build is not the province's
    assert officer.get(f"/don-vi/LD/{PERIOD}/bao-cao/ban/{_builds(demo_site, 'BL')[0].id}"
                       ).status_code == 404


def test_the_province_officer_reads_the_district_s_page_but_may_not_act_on_it(demo_site):
    officer = demo_site.client("CANBO.LD")
    page = officer.get(PAGE)
    assert page.status_code == 200
    shown = text(page.text)
    assert "Tài khoản của đồng chí chỉ xem trang này" in shown
    assert 'action="/don-vi/BL/2024-03/phe-duyet"' not in page.text
    assert "Tạo tệp PDF" not in shown
    assert officer.get(f"{PAGE}/tep/{DATA_CSV}").status_code == 200
    assert officer.get(f"{PAGE}/tep/BaoCao_BL_{PERIOD}.docx").status_code == 200


def test_the_province_officer_never_gets_the_district_files_that_name_people(demo_site):
    """The district workbook carries CanQuanTam (names, dates of birth): the province reads
    the district's month as its data reaches it — the data file, the Word report."""
    officer = demo_site.client("CANBO.LD")
    assert WORKBOOK not in officer.get(PAGE).text
    assert officer.get(f"{PAGE}/tep/{WORKBOOK}").status_code == 404
    workbooks = [b for b in _builds(demo_site, "BL") if b.kind == "workbook"]
    data = [b for b in _builds(demo_site, "BL") if b.kind == "data_csv"]
    assert workbooks and data
    for build in workbooks:
        assert officer.get(f"{PAGE}/ban/{build.id}").status_code == 404
    assert officer.get(f"{PAGE}/ban/{data[0].id}").status_code == 200
    district = demo_site.client("CANBO.BL")  # the district's own officer gets them
    assert WORKBOOK in district.get(PAGE).text
    assert district.get(f"{PAGE}/tep/{WORKBOOK}").status_code == 200


# ---- who may see and do none of it -------------------------------------------------------

@pytest.mark.parametrize("login", ["BL01", "CANBO.BLC"])
def test_a_cell_or_another_district_s_officer_finds_nothing_here(demo_site, login):
    client = demo_site.client(login)
    for url in _gets(demo_site):
        assert client.get(url).status_code == 404, url
    token = csrf(client.get("/dang-nhap").text)  # the session's own token
    for url in POSTS:
        assert client.post(url, data={"csrf": token}).status_code == 404, url
    # nor on pages of its own unit: a cell or another district has no reports page here
    own = "BL01" if login == "BL01" else "BLC"
    assert client.get(f"/don-vi/{own}/{PERIOD}/bao-cao").status_code == 404


def test_nobody_signed_in_is_sent_to_sign_in(demo_site):
    stranger = demo_site.client()
    for url in _gets(demo_site):
        answer = stranger.get(url)
        assert (answer.status_code, answer.headers["location"]) == (303, "/dang-nhap"), url
    for url in POSTS:
        answer = stranger.post(url, data={"csrf": "x"})
        assert (answer.status_code, answer.headers["location"]) == (303, "/dang-nhap"), url


def test_a_post_without_the_page_s_token_does_nothing(fresh_demo_site):
    before = _lock(fresh_demo_site)
    officer = fresh_demo_site.client("CANBO.BL")
    officer.get(PAGE)  # the session has its token; these forms do not carry it
    for url in POSTS:
        for data in ({}, {"csrf": "not-the-token"}):
            assert officer.post(url, data=data).status_code == 404, (url, data)
    assert _lock(fresh_demo_site) == before
    assert not (_month_folder(fresh_demo_site) / f"BaoCaoTongHop_BL_{PERIOD}.pdf").exists()


def test_the_province_officer_s_posts_on_the_district_s_month_are_not_found(fresh_demo_site):
    before = _lock(fresh_demo_site)
    officer = fresh_demo_site.client("CANBO.LD")
    token = csrf(officer.get(PAGE).text)
    for url in POSTS:
        assert officer.post(url, data={"csrf": token}).status_code == 404, url
    assert _lock(fresh_demo_site) == before


# ---- the PDF for sending -----------------------------------------------------------------

def test_without_libreoffice_the_page_says_so_in_vietnamese(fresh_demo_site, monkeypatch):
    import services.reporting

    monkeypatch.setattr(services.reporting, "soffice", lambda: None)
    officer = fresh_demo_site.client("CANBO.BL")
    page = officer.get(PAGE)
    assert "Máy chủ chưa cài LibreOffice nên chưa tạo được tệp PDF" in text(page.text)
    answer = officer.post(f"{PAGE}/pdf", data={"csrf": csrf(page.text)})
    assert answer.headers["location"] == f"{PAGE}?tb=khong-co-libreoffice"
    assert "Máy chủ chưa cài LibreOffice" in text(officer.get(answer.headers["location"]).text)
    assert not (_month_folder(fresh_demo_site) / f"BaoCaoTongHop_BL_{PERIOD}.pdf").exists()


def test_the_pdf_for_sending_is_made_from_the_current_workbook_and_downloaded(
        fresh_demo_site, libreoffice):
    officer = fresh_demo_site.client("CANBO.BL")
    page = officer.get(PAGE)
    assert "Tạo tệp PDF để gửi" in text(page.text)
    answer = officer.post(f"{PAGE}/pdf", data={"csrf": csrf(page.text)})
    assert (answer.status_code, answer.headers["location"]) == (303, f"{PAGE}?tb=pdf")
    shown = text(officer.get(answer.headers["location"]).text)
    assert "Đã tạo tệp PDF của báo cáo tổng hợp để gửi." in shown
    assert f"Báo cáo tổng hợp để gửi (PDF) BaoCaoTongHop_BL_{PERIOD}.pdf" in shown
    assert "Tạo tệp PDF để gửi" not in shown  # made, and not older than the workbook
    pdf = officer.get(f"{PAGE}/tep/BaoCaoTongHop_BL_{PERIOD}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # the internal follow-up list beside it, for the district only
    internal = f"DanhSachTheoDoi_BL_{PERIOD}.pdf"
    assert f"Danh sách theo dõi nội bộ (PDF, có họ tên — không gửi cấp trên) {internal}" \
        in shown
    assert officer.get(f"{PAGE}/tep/{internal}").content.startswith(b"%PDF")
    province = fresh_demo_site.client("CANBO.LD")
    assert internal not in province.get(PAGE).text
    assert province.get(f"{PAGE}/tep/{internal}").status_code == 404
    assert province.get(f"{PAGE}/tep/BaoCaoTongHop_BL_{PERIOD}.pdf").status_code == 200


# ---- approval: approve → lock → a late upload waits → reopen applies it ------------------

def _corrected_bl01(site: DemoSite) -> tuple[bytes, int, int]:
    """BL01's March workbook of the demo with three more students in TH01: the workbook,
    the figure as reported and as corrected."""
    registry = Registry.load(site.settings.registry_dir)
    summary = demo_summary(registry, "BL01", PERIOD)
    before = summary["TH01"].hoc_sinh
    summary["TH01"] = dataclasses.replace(summary["TH01"], hoc_sinh=before + 3)
    content = write_cell_workbook(demo_header(registry, "BL01", PERIOD), summary,
                                  demo_roster("BL01", PERIOD))
    return content, before, before + 3


def _th01_in_csv(content: bytes) -> int:
    """BL01's TH01 (students, total) as the upward data file gives it."""
    [value] = [int(r["value"]) for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
               if (r["unit_code"], r["population"], r["indicator"], r["breakdown"])
               == ("BL01", "hoc_sinh", "TH01", "tong")]
    return value


def test_approve_then_a_late_upload_waits_and_reopening_applies_it_and_rebuilds(
        fresh_demo_site):
    site = fresh_demo_site
    app = site.app()
    officer = site.client("CANBO.BL", app)
    old_csv = officer.get(f"{PAGE}/tep/{DATA_CSV}").content
    builds_before = len(_builds(site, "BL"))

    answer = officer.post(f"{BASE}/phe-duyet", data={"csrf": csrf(officer.get(PAGE).text)})
    assert (answer.status_code, answer.headers["location"]) == (303, f"{PAGE}?tb=phe-duyet")
    page = text(officer.get(answer.headers["location"]).text)
    [state] = [s for s in Warehouse.of(site.settings).months("BL")[0] if s.period == PERIOD]
    assert (state.status, state.approved_by) == ("approved", "CANBO.BL")
    when = state.approved_at.astimezone(app.state.desk.zone).strftime("%H:%M %d/%m/%Y")
    assert f"Đã phê duyệt — CANBO.BL, lúc {when}." in page
    assert "Đã phê duyệt và khoá số liệu tháng 03/2024." in page
    assert 'action="/don-vi/BL/2024-03/mo-lai"' in officer.get(PAGE).text
    again = officer.post(f"{BASE}/phe-duyet", data={"csrf": csrf(officer.get(PAGE).text)})
    assert "đã được phê duyệt từ trước" in text(officer.get(again.headers["location"]).text)

    # a late correction from the cell's page waits: the reports do not change
    content, before, after = _corrected_bl01(site)
    cell = site.client("BL01", app)
    upload = cell.post("/nop", data={"csrf": csrf(cell.get("/").text)},
                       files={"file": ("BL01_2024-03_sua.xlsx", content)})
    assert upload.status_code == 303
    told = text(cell.get(upload.headers["location"]).text)  # what the cell reads
    assert "NHẬN" in told and "Chờ mở lại kỳ: số liệu tháng này đã được Ban Tổ chức phê " \
        "duyệt và khoá" in told
    page = text(officer.get(PAGE).text)
    assert ("Chi bộ Trường THPT Bảo Lâm (BL01) BL01_2024-03_sua.xlsx 2 09:00 28/03/2024"
            in page)
    assert "Mở lại tháng: 1 bản sửa đang chờ sẽ được áp dụng" in page
    assert officer.get(f"{PAGE}/tep/{DATA_CSV}").content == old_csv
    assert _th01_in_csv(old_csv) == before

    # reopening applies it and rebuilds the reports: a new version, the change listed
    answer = officer.post(f"{BASE}/mo-lai", data={"csrf": csrf(officer.get(PAGE).text)})
    assert answer.headers["location"] == f"{PAGE}?tb=mo-lai&so=1"
    page = text(officer.get(answer.headers["location"]).text)
    assert ("Đã mở lại tháng 03/2024: 1 bản sửa đang chờ đã được áp dụng và báo cáo đã được "
            "lập lại.") in page
    assert "Chưa phê duyệt" in page and "Không có bản sửa nào đang chờ." in page
    assert "Lần lập 2 — " in page and "Số liệu thay đổi so với lần lập 1" in page
    assert (f"Chi bộ Trường THPT Bảo Lâm (BL01) TH01 — Tổng số Học sinh Tổng số {before} "
            f"{after} BL01_2024-03_sua.xlsx (lần gửi 2)") in page
    assert re.search(r"Phê duyệt và khoá CANBO\.BL — \d\d:\d\d \d\d/\d\d/\d{4} Mở lại "
                     r"CANBO\.BL 1", page)
    new_csv = officer.get(f"{PAGE}/tep/{DATA_CSV}").content
    assert _th01_in_csv(new_csv) == after
    assert new_csv == (_month_folder(site) / DATA_CSV).read_bytes()
    builds = _builds(site, "BL")
    assert len(builds) > builds_before
    first_csv = next(b for b in builds if b.kind == "data_csv")
    assert officer.get(f"{PAGE}/ban/{first_csv.id}").content == old_csv  # still there


# ---- the Data Docs behind the sign-in ----------------------------------------------------

def test_without_a_data_docs_site_the_page_says_how_it_is_built(demo_site):
    answer = demo_site.client("CANBO.BL").get("/don-vi/BL/data-docs/index.html")
    assert answer.status_code == 404
    shown = text(answer.text)
    assert "Chưa có trang kết quả kiểm tra (Data Docs)" in shown
    assert "CELLREPORTS_DATA_DOCS" in shown


def test_the_data_docs_site_is_served_to_its_officers_only_and_never_outside_it(
        fresh_demo_site):
    site = fresh_demo_site.settings.paths("district").data_docs
    (site / "validations" / "BL").mkdir(parents=True, exist_ok=True)
    (site / "static").mkdir(exist_ok=True)
    (site / "index.html").write_text(
        "<html><script>var gx = 1;</script><style>p{}</style>Trang kiểm tra</html>")
    (site / "validations" / "BL" / "run.html").write_text("<html>Kết quả BL01</html>")
    (site / "static" / "site.css").write_text("body { color: #111; }")
    (site / "static" / "outside.txt").symlink_to(fresh_demo_site.settings.database_url
                                                 .removeprefix("sqlite:///"))
    officer = fresh_demo_site.client("CANBO.BL")
    index = officer.get("/don-vi/BL/data-docs/index.html")
    assert index.status_code == 200 and "Trang kiểm tra" in index.text
    policy = index.headers["content-security-policy"]
    assert "'unsafe-inline'" in policy and "frame-ancestors 'none'" in policy
    assert officer.get("/don-vi/BL/data-docs/").text == index.text
    assert "Kết quả BL01" in officer.get("/don-vi/BL/data-docs/validations/BL/run.html").text
    css = officer.get("/don-vi/BL/data-docs/static/site.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    # the desk's own pages keep the strict policy
    assert "'unsafe-inline'" not in officer.get(PAGE).headers["content-security-policy"]
    assert 'href="/don-vi/BL/data-docs/index.html"' in officer.get(PAGE).text
    for path in ("..%2Fwarehouse.sqlite", "%2E%2E/warehouse.sqlite", "static/..%2F..%2Fweb.key",
                 "static/%2e%2e/%2e%2e/warehouse.sqlite", "static/outside.txt",
                 "%2Fetc%2Fpasswd", "nothing.html"):
        answer = officer.get(f"/don-vi/BL/data-docs/{path}")
        assert answer.status_code == 404, path
        assert "SQLite" not in answer.text
    for login in ("BL01", "CANBO.BLC"):
        assert fresh_demo_site.client(login).get("/don-vi/BL/data-docs/index.html"
                                                 ).status_code == 404
    # the province's officer: its own level's site (none built), the district's read-only
    province = fresh_demo_site.client("CANBO.LD")
    assert "Chưa có trang kết quả kiểm tra" in text(
        province.get("/don-vi/LD/data-docs/index.html").text)
    assert province.get("/don-vi/BL/data-docs/index.html").status_code == 200


# ---- the Prefect artifacts link to these pages -------------------------------------------

@pytest.mark.parametrize(("login", "unit", "level"), [("CANBO.BL", "BL", "district"),
                                                      ("CANBO.LD", "LD", "province")])
def test_the_artifacts_desk_links_open_these_pages_for_the_officer(demo_site, login, unit,
                                                                   level):
    folder = _month_folder(demo_site, level)
    summary = RunSummary(PERIOD, unit=unit, level=level,
                         report=folder / f"BaoCaoTongHop_{unit}_{PERIOD}.xlsx",
                         export_csv=folder / f"DuLieu_{unit}_{PERIOD}.csv",
                         export_json=folder / f"DuLieu_{unit}_{PERIOD}.json")
    officer = demo_site.client(login)
    found = {link.key: link.link for link in artifacts.links(summary, "http://testserver/")}
    markdown = re.findall(r"\]\((http://testserver[^)]+)\)",
                          artifacts.outputs_markdown(summary, "http://testserver"))
    board = next(url for key, url in found.items() if "desk-board" in key)
    checked = [url for url in {*found.values(), *markdown} if url != board]
    assert len(checked) >= 4
    for url in checked:
        answer = officer.get(url.removeprefix("http://testserver"))
        assert answer.status_code == 200, url
    assert found[f"{'' if level == 'district' else 'province-'}upward-data-{PERIOD}"].endswith(
        f"/don-vi/{unit}/{PERIOD}/bao-cao/tep/DuLieu_{unit}_{PERIOD}.csv")
