"""The district officer's month board (issue 19, pages 1 and 8) on the demo's three months:
each cell's status as the district workbook has it, every figure equal to the upward data
file's, the charts' numbers those of the report's BieuDo sheet, the reminders' last day,
and the two buttons that start a run of the district's Prefect deployments."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from contextlib import suppress
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from desk_site import PERIOD, DemoSite, csrf, text

from core.export_format import TOTAL
from core.month import MonthData
from core.registry import Registry
from flows.deployment import (
    build_deployment,
    build_reminders_deployment,
    full_name,
    reminders_full_name,
)
from reports.charts import annual_target, funnel_values, monthly_values, running_total
from services.reporting import deadline_day, output_paths
from warehouse.queries import month_data
from warehouse.unit_of_work import Warehouse
from web.app import create_app

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

MONTHS = ("2024-01", "2024-02", "2024-03")
BOARD = f"/don-vi/BL/{PERIOD}"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _month(site: DemoSite, period: str) -> MonthData:
    settings = site.settings
    with Warehouse.of(settings).session() as session:
        return month_data(session, Registry.load(settings.registry_dir), "BL", period,
                          deadline_day=deadline_day(settings, period),
                          timezone=settings.timezone)


def _cell_rows(page: str) -> dict[str, list[str]]:
    """The cells' table: code -> the texts of its row (name, status, version, arrival,
    errors, warnings, last reminder)."""
    table = re.search(r'<table class="cells">(.*?)</table>', page, re.S)
    if table is None:
        return {}
    rows = {}
    for row in re.findall(r"<tr class=\"st-[^\"]+\">(.*?)</tr>", table.group(1), re.S):
        cells = [text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        code = re.search(r"\((\w+)\)", cells[0]).group(1)  # type: ignore[union-attr]
        rows[code] = cells
    return rows


def _figures(page: str) -> dict[tuple[str, str, str, str], int]:
    """Every figure of the board's figures table, by the key its explain link names:
    (unit, population, indicator, breakdown) -> the number shown."""
    table = re.search(r'<table class="figures">(.*?)</table>', page, re.S)
    assert table is not None
    found = {}
    for href, shown in re.findall(r'<a href="([^"]+)">([^<]*)</a>', table.group(1)):
        query = parse_qs(urlsplit(html.unescape(href)).query)
        key = tuple(query[k][0] for k in ("don_vi", "doi_tuong", "chi_tieu", "phan_loai"))
        assert key not in found, key
        found[key] = int(shown)
    return found


def _table_rows(page: str, caption: str) -> list[list[str]]:
    """The body rows' texts of the table whose caption starts with ``caption``."""
    for table in re.findall(r"<table[^>]*>(.*?)</table>", page, re.S):
        found = re.search(r"<caption>(.*?)</caption>", table, re.S)
        if found and text(found.group(1)).startswith(caption):
            body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)  # type: ignore[union-attr]
            return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
                    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    raise AssertionError(f"no table {caption!r}")


# ---------------------------------------------------------------- the cells' statuses


def test_the_board_shows_every_expected_cell_with_status_version_arrival_and_counts(
        demo_site: DemoSite) -> None:
    answer = demo_site.client("CANBO.BL").get(BOARD)
    assert answer.status_code == 200
    words = text(answer.text)
    assert "Bảng theo dõi tháng 03/2024 — Đảng bộ huyện Bảo Lâm" in words
    assert "4/4 chi bộ đã có báo cáo hợp lệ" in words
    assert "4 đúng hạn" in words and "Hạn nộp: 25/03/2024 (đã hết hạn)" in words
    rows = _cell_rows(answer.text)
    assert list(rows) == ["BL01", "BL02", "BL03", "BL04"]
    assert rows["BL02"] == ["Chi bộ Trường THPT Lộc An (BL02)", "Đã nhận, đúng hạn", "1",
                            "16:02 20/03/2024", "0", "2", "—"]
    assert f'href="{BOARD}/chi-bo/BL01"' in answer.text  # each cell links to its page
    # the same statuses as the district workbook's: month_data, as it is read for it
    for status in _month(demo_site, PERIOD).cells:
        row = rows[status.unit.code]
        assert row[2:6] == [str(status.version),
                            status.received_at.astimezone(ZONE).strftime("%H:%M %d/%m/%Y"),
                            str(status.errors), str(status.warnings)]


def test_a_cell_whose_first_valid_report_came_after_the_deadline_is_late(
        demo_site: DemoSite) -> None:
    page = demo_site.client("CANBO.BL").get("/don-vi/BL/2024-01").text
    words = text(page)
    assert "4/4 chi bộ đã có báo cáo hợp lệ" in words and "3 đúng hạn" in words
    rows = _cell_rows(page)
    assert rows["BL04"][1:4] == ["Nộp muộn (đã nhận sau hạn)", "1", "09:40 27/01/2024"]
    assert rows["BL01"][1] == "Đã nhận, đúng hạn"


def test_a_rejected_cell_is_shown_and_the_filter_keeps_only_its_status(
        demo_site: DemoSite) -> None:
    client = demo_site.client("CANBO.BL")
    page = client.get("/don-vi/BL/2024-02").text
    assert "3/4 chi bộ đã có báo cáo hợp lệ" in text(page)
    assert _cell_rows(page)["BL03"][1:6] == ["Bị trả lại, chờ chi bộ gửi lại", "1",
                                            "15:44 21/02/2024", "1", "0"]
    assert "Bị trả lại (1)" in text(page) and "Đã nhận (3)" in text(page)
    only = client.get("/don-vi/BL/2024-02?tinh_trang=bi-tra-lai").text
    assert list(_cell_rows(only)) == ["BL03"]
    assert list(_cell_rows(client.get("/don-vi/BL/2024-02?tinh_trang=da-nhan").text)) == [
        "BL01", "BL02", "BL04"]
    assert "Không có chi bộ nào nộp muộn" in text(
        client.get("/don-vi/BL/2024-02?tinh_trang=nop-muon").text)
    # a value that is no status shows them all
    assert len(_cell_rows(client.get("/don-vi/BL/2024-02?tinh_trang=x").text)) == 4


def test_before_the_deadline_nothing_sent_is_not_yet_sent_and_after_it_late(
        demo_site: DemoSite) -> None:
    before = demo_site.client("CANBO.BL").get("/don-vi/BL/2024-04").text  # on 28/03
    assert "0/4 chi bộ đã có báo cáo hợp lệ" in text(before)
    assert {r[1] for r in _cell_rows(before).values()} == {"Chưa gửi"}
    assert "Hạn nộp: 25/04/2024" in text(before) and "đã hết hạn" not in text(before)
    assert "Chưa có số liệu" in text(before)  # no chart of zeros
    app = create_app(demo_site.settings,
                     clock=lambda: datetime(2024, 4, 27, 8, 0, tzinfo=ZONE))
    after = demo_site.client("CANBO.BL", app=app).get("/don-vi/BL/2024-04").text
    assert {r[1] for r in _cell_rows(after).values()} == {"Nộp muộn (chưa gửi, đã quá hạn)"}
    assert "Nộp muộn (4)" in text(after)


# ---------------------------------------------------------------- the figures


@pytest.mark.parametrize("period", MONTHS)
def test_every_figure_on_the_board_is_the_upward_data_files(demo_site: DemoSite,
                                                             period: str) -> None:
    page = demo_site.client("CANBO.BL").get(f"/don-vi/BL/{period}").text
    _, data_file, _ = output_paths(demo_site.settings.reports, "BL", period)
    with data_file.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = {(r["unit_code"], r["population"], r["indicator"], r["breakdown"]):
                int(r["value"]) for r in rows}
    shown = _figures(page)
    # each indicator, học sinh and viên chức of the district (and their sum) and of each
    # cell in the file: all of the file's "tong" figures, none it does not have
    wanted = {k: v for k, v in expected.items() if k[3] == TOTAL and k[2].startswith("TH")
              and (k[1] != TOTAL or k[0] == "BL")}
    assert shown == wanted
    assert len(shown) == 15 * (3 + 2 * (len({k[0] for k in expected}) - 1))
    counts = {k[2]: v for k, v in expected.items() if k[2].startswith("REPORTS_")}
    assert (f"{counts['REPORTS_ACCEPTED']}/{counts['REPORTS_EXPECTED']} chi bộ đã có báo cáo "
            f"hợp lệ") in text(page)
    assert f"{counts['REPORTS_ON_TIME']} đúng hạn" in text(page)


def test_each_figure_links_to_its_explanation(demo_site: DemoSite) -> None:
    page = demo_site.client("CANBO.BL").get(BOARD).text
    assert ('href="/don-vi/BL/2024-03/giai-thich?don_vi=BL01&amp;chi_tieu=TH05&amp;'
            'doi_tuong=hoc_sinh&amp;phan_loai=tong">7</a>') in page


# ---------------------------------------------------------------- the charts


@pytest.mark.parametrize("period", ["2024-01", PERIOD])
def test_the_charts_numbers_are_the_bieudo_sheets(demo_site: DemoSite, period: str) -> None:
    page = demo_site.client("CANBO.BL").get(f"/don-vi/BL/{period}").text
    month = _month(demo_site, period)
    monthly, funnel, target = monthly_values(month), funnel_values(month), annual_target(month)
    running = running_total(monthly)
    admissions = _table_rows(page, "Số liệu của biểu đồ 1")
    year = period[:4]
    assert admissions == [
        [f"{m}/{year}", str(monthly["hoc_sinh"][m - 1]), str(monthly["vien_chuc"][m - 1]),
         str(running[m - 1]), f"{target * m / 12:.1f}".replace(".", ",")]
        for m in range(1, int(period[5:]) + 1)]
    assert f"chỉ tiêu năm: {target})" in text(page)
    stages = _table_rows(page, "Số liệu của biểu đồ 2")
    assert [r[1:] for r in stages] == [
        [str(hs), str(vc), str(hs + vc)]
        for hs, vc in zip(funnel["hoc_sinh"], funnel["vien_chuc"], strict=True)]
    assert stages[0][0] == "Quần chúng cảm tình đảng (TH05)"
    # the drawings carry the same numbers: each bar and point says its own
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(svgs) == 2 and all('role="img"' in s and "aria-labelledby" in s for s in svgs)
    drawn = re.findall(r"<title>(.*?)</title>", svgs[1])
    assert drawn[0] == f"Quần chúng cảm tình đảng (TH05), học sinh: {funnel['hoc_sinh'][0]}"
    points = [int(t.rsplit(": ", 1)[1]) for t in re.findall(r"<title>(Lũy kế.*?)</title>",
                                                              svgs[0])]
    assert points == running


def test_demo_march_charts_in_numbers(demo_site: DemoSite) -> None:
    """The demo's March, as the officer reads it: 5 admitted of a target of 24."""
    page = demo_site.client("CANBO.BL").get(BOARD).text
    assert _table_rows(page, "Số liệu của biểu đồ 1")[-1] == ["3/2024", "2", "0", "5", "6,0"]
    assert _table_rows(page, "Số liệu của biểu đồ 2")[0][1:] == ["24", "7", "31"]


# ---------------------------------------------------------------- reminders


def test_the_last_reminder_each_cell_was_sent_is_on_the_board(
        fresh_demo_site: DemoSite) -> None:
    from flows.reminders import send_reminders

    settings = fresh_demo_site.settings
    send_reminders(date(2024, 4, 22), settings)  # three days before April's deadline
    send_reminders(date(2024, 4, 23), settings)
    page = fresh_demo_site.client("CANBO.BL").get("/don-vi/BL/2024-04").text
    rows = _cell_rows(page)
    assert {code: r[6] for code, r in rows.items()} == {
        code: "23/04/2024" for code in ("BL01", "BL02", "BL03", "BL04")}
    # March's board says nothing of April's reminders
    assert {r[6] for r in _cell_rows(
        fresh_demo_site.client("CANBO.BL").get(BOARD).text).values()} == {"—"}


# ---------------------------------------------------------------- the buttons and the runs


def _prefect() -> SyncPrefectClient:
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def _drop_deployments(names: list[str]) -> None:
    from prefect.exceptions import ObjectNotFound

    with _prefect() as client:
        for name in names:
            with suppress(ObjectNotFound):
                client.delete_deployment(client.read_deployment_by_name(name).id)


def _runs_of(name: str) -> list:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with _prefect() as client:
        deployment = client.read_deployment_by_name(name)
        return client.read_flow_runs(deployment_filter=DeploymentFilter(
            id=DeploymentFilterId(any_=[deployment.id])))


@pytest.fixture
def deployed(demo_site: DemoSite) -> Iterator[DemoSite]:
    """The district's two deployments registered on the session's Prefect server (no worker:
    a run stays Scheduled), removed afterwards."""
    settings = demo_site.settings
    names = [full_name(settings), reminders_full_name(settings)]
    _drop_deployments(names)
    build_deployment(settings).apply()
    build_reminders_deployment(settings).apply()
    yield demo_site
    _drop_deployments(names)


def test_without_the_deployments_the_buttons_say_what_is_missing(
        demo_site: DemoSite) -> None:
    settings = demo_site.settings
    _drop_deployments([full_name(settings), reminders_full_name(settings)])
    client = demo_site.client("CANBO.BL")
    token = csrf(client.get(BOARD).text)
    for action in ("tong-hop", "nhac-nho"):
        answer = client.post(f"{BOARD}/{action}", data={"csrf": token})
        assert answer.status_code == 503
        assert "Chưa cài đặt lịch chạy tự động (cellreports serve)" in text(answer.text)
        assert f'href="{BOARD}"' in answer.text  # back to the board


def test_an_unreachable_prefect_server_is_said_in_vietnamese(demo_site: DemoSite) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    client = demo_site.client("CANBO.BL")
    token = csrf(client.get(BOARD).text)
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):  # nobody on 9
        answer = client.post(f"{BOARD}/tong-hop", data={"csrf": token})
    assert answer.status_code == 503
    assert "Không kết nối được với dịch vụ lịch chạy tự động (Prefect)" in text(answer.text)


def test_without_a_prefect_server_configured_the_buttons_say_what_is_missing(
        demo_site: DemoSite) -> None:
    """The web process without PREFECT_API_URL: no temporary server of Prefect's own is
    started for the request (it would know no deployment), the page says what to install."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    client = demo_site.client("CANBO.BL")
    token = csrf(client.get(BOARD).text)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        answer = client.post(f"{BOARD}/nhac-nho", data={"csrf": token})
    assert answer.status_code == 503
    assert "Chưa cài đặt lịch chạy tự động (cellreports serve)" in text(answer.text)


def test_consolidate_now_starts_a_run_of_the_monthly_deployment_for_the_month(
        deployed: DemoSite) -> None:
    client = deployed.client("CANBO.BL")
    page = client.get(BOARD).text
    assert "Tổng hợp ngay" in page and "Gửi nhắc nhở đến hạn" in page
    answer = client.post(f"{BOARD}/tong-hop", data={"csrf": csrf(page)})
    assert answer.status_code == 303
    where = answer.headers["location"]
    assert re.fullmatch(r"/don-vi/BL/luot-chay/[0-9a-f-]{36}", where)
    (run,) = _runs_of(full_name(deployed.settings))
    assert str(run.id) == where.rsplit("/", 1)[1]
    assert run.parameters == {"period": PERIOD}
    shown = client.get(where)
    assert shown.status_code == 200
    words = text(shown.text)
    assert "Tổng hợp báo cáo tháng 03/2024 (BL)" in words
    assert "Trạng thái: Đang chờ" in words
    assert '<meta http-equiv="refresh" content="5">' in shown.text
    assert run.name in words and "monthly-consolidation/monthly-BL" in words
    assert f'href="{BOARD}"' in shown.text


def test_send_reminders_starts_a_run_of_the_reminders_deployment(deployed: DemoSite) -> None:
    client = deployed.client("CANBO.BL")
    answer = client.post(f"{BOARD}/nhac-nho", data={"csrf": csrf(client.get(BOARD).text)})
    assert answer.status_code == 303
    (run,) = _runs_of(reminders_full_name(deployed.settings))
    assert answer.headers["location"] == f"/don-vi/BL/luot-chay/{run.id}"
    assert run.parameters == {}
    words = text(client.get(answer.headers["location"]).text)
    assert "Gửi nhắc nhở đến hạn (BL)" in words and "Trạng thái: Đang chờ" in words


def test_the_run_page_follows_the_state_in_vietnamese_and_stops_refreshing_at_the_end(
        deployed: DemoSite) -> None:
    from prefect.states import Cancelled, Completed, Failed, Late, Running

    client = deployed.client("CANBO.BL")
    where = client.post(f"{BOARD}/tong-hop",
                        data={"csrf": csrf(client.get(BOARD).text)}).headers["location"]
    run_id = UUID(where.rsplit("/", 1)[1])
    for state, label, final in ((Late(), "Trễ", False), (Running(), "Đang chạy", False),
                                (Completed(), "Hoàn thành", True), (Failed(), "Lỗi", True),
                                (Cancelled(), "Bị huỷ", True)):
        with _prefect() as prefect:
            prefect.set_flow_run_state(run_id, state, force=True)
        page = client.get(where).text
        assert f"Trạng thái: {label}" in text(page)
        assert ('<meta http-equiv="refresh" content="5">' in page) is not final, label


def test_a_post_without_the_token_starts_nothing(deployed: DemoSite) -> None:
    client = deployed.client("CANBO.BL")
    client.get(BOARD)
    for action in ("tong-hop", "nhac-nho"):
        assert client.post(f"{BOARD}/{action}", data={}).status_code == 404
        assert client.post(f"{BOARD}/{action}", data={"csrf": "x" * 40}).status_code == 404
    assert _runs_of(full_name(deployed.settings)) == []
    assert _runs_of(reminders_full_name(deployed.settings)) == []


def test_the_run_page_shows_only_runs_of_this_districts_deployments(
        deployed: DemoSite) -> None:
    other = deployed.settings.model_copy(update={"district_code": "BLC"})
    build_deployment(other).apply()
    try:
        with _prefect() as prefect:
            theirs = prefect.create_flow_run_from_deployment(
                prefect.read_deployment_by_name(full_name(other)).id,
                parameters={"period": PERIOD})
        client = deployed.client("CANBO.BL")
        assert client.get(f"/don-vi/BL/luot-chay/{theirs.id}").status_code == 404
        assert client.get(
            "/don-vi/BL/luot-chay/00000000-0000-0000-0000-000000000000").status_code == 404
        assert client.get("/don-vi/BL/luot-chay/khong-phai-ma").status_code == 404
    finally:
        _drop_deployments([full_name(other)])


# ---------------------------------------------------------------- who may see and act


def _routes(run_id: str) -> list[tuple[str, str]]:
    return [("get", BOARD), ("post", f"{BOARD}/tong-hop"), ("post", f"{BOARD}/nhac-nho"),
            ("get", f"/don-vi/BL/luot-chay/{run_id}")]


def _a_run(client) -> str:  # type: ignore[no-untyped-def]
    where = client.post(f"{BOARD}/tong-hop", data={"csrf": csrf(client.get(BOARD).text)})
    return str(where.headers["location"]).rsplit("/", 1)[1]


@pytest.mark.parametrize("login", ["BL01", "CANBO.BLC"])
def test_a_cell_and_another_districts_officer_find_nothing(deployed: DemoSite,
                                                           login: str) -> None:
    run_id = _a_run(deployed.client("CANBO.BL"))
    client = deployed.client(login)
    token = csrf(client.get("/").text if login == "BL01" else client.get("/dang-nhap").text)
    for method, url in _routes(run_id):
        answer = getattr(client, method)(url, **({"data": {"csrf": token}}
                                                 if method == "post" else {}))
        assert answer.status_code == 404, (login, url)
        assert "Không tìm thấy" in answer.text
    assert len(_runs_of(full_name(deployed.settings))) == 1  # only the officer's own


def test_nobody_signed_in_is_sent_to_sign_in(deployed: DemoSite) -> None:
    run_id = _a_run(deployed.client("CANBO.BL"))
    client = deployed.client()
    for method, url in _routes(run_id):
        answer = getattr(client, method)(url, **({"data": {"csrf": "x"}}
                                                 if method == "post" else {}))
        assert answer.status_code == 303, url
        assert answer.headers["location"] == "/dang-nhap"


def test_the_province_officer_sees_the_board_read_only(deployed: DemoSite) -> None:
    run_id = _a_run(deployed.client("CANBO.BL"))
    client = deployed.client("CANBO.LD")
    page = client.get(BOARD)
    assert page.status_code == 200
    assert "4/4 chi bộ đã có báo cáo hợp lệ" in text(page.text)
    assert "Chế độ chỉ xem" in text(page.text)
    assert "Tổng hợp ngay" not in page.text and "Gửi nhắc nhở" not in page.text
    token = csrf(page.text)  # the sign-out form's: a valid token of this session
    for action in ("tong-hop", "nhac-nho"):
        assert client.post(f"{BOARD}/{action}", data={"csrf": token}).status_code == 404
    assert client.get(f"/don-vi/BL/luot-chay/{run_id}").status_code == 404
    assert len(_runs_of(full_name(deployed.settings))) == 1
    # and the province's own code is not a district's board
    assert client.get(f"/don-vi/LD/{PERIOD}").status_code == 404


def test_a_month_that_is_no_month_is_not_found(demo_site: DemoSite) -> None:
    client = demo_site.client("CANBO.BL")
    assert client.get("/don-vi/BL/2024-13").status_code == 404
    assert client.get("/don-vi/BL/thang-ba").status_code == 404
