"""The officers' desk in a real browser (issue 19): Debian's Chromium driven by Selenium
through chromium-driver, against the real app served by uvicorn in this process over the
demo's three months (Jan–Mar 2024, the clock on 28/03/2024).

The district's officer signs in through the sign-in form, reads the month board, clicks a
figure and lands on its explanation; approves the month, a cell's late correction then
waits, and reopening applies it; downloads the reports byte for byte. The province's
officer sees Bảo Lâm's data file received. Every page has one heading of level 1, is in
Vietnamese and labels its form controls.

One server and one Chromium serve the whole module (each Chromium start costs seconds);
its site is the module's own copy of the demo, since the approval test changes it."""

from __future__ import annotations

import csv
import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browser import free_port
from desk_site import PERIOD, DemoSite

from cellreports.demo import demo_header, demo_roster, demo_summary
from core.registry import Registry
from forms.writer import write_cell_workbook
from services.reporting import deadline_day, output_paths
from warehouse.queries import month_data
from warehouse.unit_of_work import Warehouse

BOARD = f"/don-vi/BL/{PERIOD}"
REPORTS = f"{BOARD}/bao-cao"
EXPLAIN = (f"{BOARD}/giai-thich?don_vi=BL&chi_tieu=TH05&doi_tuong=hoc_sinh"
           "&phan_loai=tong")
DISTRICT = "Đảng bộ huyện Bảo Lâm"
CELLS = ("BL01", "BL02", "BL03", "BL04")
BL01 = "Chi bộ Trường THPT Bảo Lâm (BL01)"
WAIT = 30  # seconds a page may take on a busy two-core machine
IMPLICIT_WAIT = 5  # seconds an element looked for may take to appear


# ---------------------------------------------------------------- the server and browser





@dataclasses.dataclass
class Desk:
    """The served demo site: its address, and the site (settings, passwords)."""

    url: str
    site: DemoSite


@pytest.fixture(scope="module")
def desk(browser_paths: tuple[str, str], fresh_demo_site: DemoSite) -> Iterator[Desk]:
    """The app over the module's demo run, on a free port of 127.0.0.1."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fresh_demo_site.app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not server.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.05)
    yield Desk(f"http://127.0.0.1:{port}", fresh_demo_site)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(browser_paths: tuple[str, str]) -> Iterator[Any]:
    """One headless Chromium for the module; each test signs in afresh."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = browser_paths
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--window-size=1366,900", "--lang=vi"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.prompt_for_download": False})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.implicitly_wait(IMPLICIT_WAIT)
    try:
        yield chrome
    finally:
        chrome.quit()


# ---------------------------------------------------------------- what a user does


def _by() -> Any:
    from selenium.webdriver.common.by import By

    return By


def _wait(browser: Any, until: Any, seconds: float = WAIT) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds).until(until)


def _sign_in(browser: Any, desk: Desk, login: str) -> None:
    """Through the sign-in form, as anyone would; the session before it is dropped."""
    by = _by()
    browser.delete_all_cookies()
    browser.get(f"{desk.url}/dang-nhap")
    browser.find_element(by.ID, "login").send_keys(login)
    browser.find_element(by.ID, "password").send_keys(desk.site.passwords[login])
    browser.find_element(by.CSS_SELECTOR, "form[action='/dang-nhap'] button").click()
    _wait(browser, lambda b: "/dang-nhap" not in b.current_url)


def _sign_out(browser: Any) -> None:
    by = _by()
    browser.find_element(by.CSS_SELECTOR, "form[action='/dang-xuat'] button").click()
    _wait(browser, lambda b: b.current_url.endswith("/dang-nhap"))


def _words(browser: Any, css: str = "main") -> str:
    """What the user reads in ``css``, whitespace collapsed."""
    return re.sub(r"\s+", " ", browser.find_element(_by().CSS_SELECTOR, css).text).strip()


def _all(where: Any, how: str, what: str, browser: Any) -> list[Any]:
    """Every element ``what`` in ``where``, at once: the implicit wait is for elements a page
    is about to show, and would make every query that rightly finds none last seconds."""
    browser.implicitly_wait(0)
    try:
        return list(where.find_elements(how, what))
    finally:
        browser.implicitly_wait(IMPLICIT_WAIT)


def _click_button(browser: Any, label: str) -> None:
    """Click the button that reads ``label`` and wait for the page it leads to."""
    by = _by()
    old = browser.find_element(by.TAG_NAME, "html")
    browser.find_element(by.XPATH, f"//button[normalize-space()='{label}']").click()
    _wait(browser, lambda b: _stale(old))


def _stale(element: Any) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.tag_name  # noqa: B018 - touching it tells whether the page has changed
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        # while the old page is being replaced, chromedriver may answer that the node "does
        # not belong to the document" (an unknown error, not a stale reference): it is gone
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def _table(browser: Any, css: str) -> list[list[str]]:
    """The body rows of the table ``css``, each as its cells' texts."""
    by = _by()
    table = browser.find_element(by.CSS_SELECTOR, css)
    return [[c.text.strip() for c in row.find_elements(by.CSS_SELECTOR, "th, td")]
            for row in table.find_elements(by.CSS_SELECTOR, "tbody tr")]


def _wait_for_file(folder: Path, name: str, seconds: float = WAIT) -> Path:
    deadline = time.monotonic() + seconds
    path = folder / name
    while time.monotonic() < deadline:
        if path.is_file() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} not downloaded into {folder}: {list(folder.iterdir())}")


def _data_file(site: DemoSite) -> dict[tuple[str, str, str, str], int]:
    """The district's upward data file for the month, as written on disk."""
    _, path, _ = output_paths(site.settings.reports, "BL", PERIOD)
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {(r["unit_code"], r["population"], r["indicator"], r["breakdown"]):
                int(r["value"]) for r in csv.DictReader(f)}


# ---------------------------------------------------------------- a. the board, explained


def test_the_officer_signs_in_to_the_month_board_and_a_clicked_figure_is_explained(
        desk: Desk, browser: Any) -> None:
    by = _by()
    _sign_in(browser, desk, "CANBO.BL")
    # the officer's start page is the open month's board (28/03/2024: March)
    assert browser.current_url == f"{desk.url}{BOARD}"
    assert browser.find_element(by.TAG_NAME, "h1").text == (
        f"Bảng theo dõi tháng 03/2024 — {DISTRICT}")
    counts = _words(browser, "ul.counts")
    assert "4/4 chi bộ đã có báo cáo hợp lệ" in counts and "4 đúng hạn" in counts
    assert "Hạn nộp: 25/03/2024 (đã hết hạn)" in counts

    # each cell's row: its status, version and arrival as the district workbook has them
    settings = desk.site.settings
    with Warehouse.of(settings).session() as session:
        month = month_data(session, Registry.load(settings.registry_dir), "BL", PERIOD,
                           deadline_day=deadline_day(settings, PERIOD),
                           timezone=settings.timezone)
    rows = {re.search(r"\((\w+)\)", r[0]).group(1): r  # type: ignore[union-attr]
            for r in _table(browser, "table.cells")}
    assert list(rows) == list(CELLS)
    for status in month.cells:
        code = status.unit.code
        arrival = status.received_at.astimezone(ZoneInfo(settings.timezone))
        assert rows[code][:6] == [f"{status.unit.name} ({code})", "Đã nhận, đúng hạn",
                                  str(status.version), arrival.strftime("%H:%M %d/%m/%Y"),
                                  str(status.errors), str(status.warnings)]

    # a figure of the board is a link: clicked, its explanation shows the same number,
    # the upward data file's
    expected = _data_file(desk.site)[("BL01", "hoc_sinh", "TH05", "tong")]
    link = browser.find_element(by.CSS_SELECTOR, "table.figures a[href*='don_vi=BL01&"
                                "chi_tieu=TH05&doi_tuong=hoc_sinh&phan_loai=tong']")
    clicked = link.text
    assert clicked == str(expected)
    link.click()
    _wait(browser, lambda b: "/giai-thich?" in b.current_url)
    assert browser.find_element(by.TAG_NAME, "h1").text == "Số liệu này lấy từ đâu"
    assert browser.find_element(by.ID, "gia-tri").text == clicked
    facts = _words(browser, "dl.facts")
    assert "TH05" in facts and "Học sinh" in facts
    # the files behind it: BL01's file in force, whose value is the whole figure
    [source] = _table(browser, "table.sources")
    assert source[0] == BL01 and source[2] == "BL01_2024-03.xlsx"
    assert source[-1] == clicked


# ---------------------------------------------------------------- c. the reports downloaded


def test_the_reports_download_in_the_browser_byte_for_byte_as_written_on_disk(
        desk: Desk, browser: Any, tmp_path: Path) -> None:
    by = _by()
    _sign_in(browser, desk, "CANBO.BL")
    browser.find_element(by.LINK_TEXT, "Báo cáo và phê duyệt").click()
    _wait(browser, lambda b: b.current_url.endswith(REPORTS))
    # headless Chromium saves downloads only where it is told to, through DevTools
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {
        "behavior": "allow", "downloadPath": str(tmp_path), "eventsEnabled": False})
    on_disk = output_paths(desk.site.settings.reports, "BL", PERIOD)
    for path in on_disk:  # the workbook, the data file and its JSON twin
        browser.find_element(by.LINK_TEXT, path.name).click()
        got = _wait_for_file(tmp_path, path.name)
        assert got.read_bytes() == path.read_bytes(), path.name


# ---------------------------------------------------------------- d. the province's board


def test_the_province_officer_sees_bao_lam_s_data_file_received_on_the_province_s_board(
        desk: Desk, browser: Any) -> None:
    by = _by()
    _sign_in(browser, desk, "CANBO.LD")
    assert browser.current_url == f"{desk.url}/tinh/LD/{PERIOD}"
    assert browser.find_element(by.TAG_NAME, "h1").text == "Bảng theo dõi của tỉnh — tháng 03/2024"
    row = browser.find_element(by.ID, "don-vi-BL")
    cells = [c.text.strip() for c in row.find_elements(by.CSS_SELECTOR, "th, td")]
    assert cells[:4] == ["BL", DISTRICT, "Đã nhận hợp lệ", f"DuLieu_BL_{PERIOD}.csv"]
    # the district's own board, read only, is one click away
    browser.find_element(by.PARTIAL_LINK_TEXT, "xem bảng theo dõi của đơn vị").click()
    _wait(browser, lambda b: b.current_url.endswith(BOARD))
    assert "Chế độ chỉ xem (cán bộ của tỉnh)" in _words(browser)
    assert not _all(browser, by.CSS_SELECTOR, "form[action$='/tong-hop']", browser)


# ---------------------------------------------------------------- e. accessibility


def _unlabelled(browser: Any) -> list[str]:
    """The page's form controls a screen reader cannot name."""
    by = _by()
    missing = []
    for control in _all(browser, by.CSS_SELECTOR, "input:not([type=hidden]), select, textarea",
                        browser):
        ident = control.get_attribute("id")
        named = (control.get_attribute("aria-label") or control.get_attribute("aria-labelledby")
                 or (ident and _all(browser, by.CSS_SELECTOR, f"label[for='{ident}']", browser))
                 or _all(control, by.XPATH, "ancestor::label", browser))
        if not named:
            missing.append(control.get_attribute("outerHTML"))
    missing += [b.get_attribute("outerHTML") for b in _all(browser, by.TAG_NAME, "button", browser)
                if not (b.text.strip() or b.get_attribute("aria-label"))]
    return missing


def _check_page(browser: Any, path: str) -> None:
    by = _by()
    assert browser.find_element(by.TAG_NAME, "html").get_attribute("lang") == "vi", path
    headings = _all(browser, by.TAG_NAME, "h1", browser)
    assert len(headings) == 1 and headings[0].text.strip(), path
    assert _unlabelled(browser) == [], path
    untitled = [t.get_attribute("class") for t in _all(browser, by.TAG_NAME, "table", browser)
                if not _all(t, by.TAG_NAME, "caption", browser)]
    assert untitled == [], (path, untitled)
    assert browser.find_element(by.ID, "noi-dung").tag_name == "main", path


DISTRICT_PAGES = (BOARD, f"{BOARD}/chi-bo/BL01", f"{BOARD}/loi", EXPLAIN, REPORTS)


def test_every_desk_page_is_vietnamese_has_one_h1_and_names_every_control(
        desk: Desk, browser: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    by = _by()
    browser.delete_all_cookies()
    browser.get(f"{desk.url}/dang-nhap")
    _check_page(browser, "/dang-nhap")
    _sign_in(browser, desk, "CANBO.BL")
    for path in DISTRICT_PAGES:
        browser.get(f"{desk.url}{path}")
        assert browser.find_element(by.TAG_NAME, "h1").text != "Không tìm thấy", path
        _check_page(browser, path)
    # by keyboard: the first Tab reaches the link past the header, Enter goes to the page
    browser.get(f"{desk.url}{BOARD}")
    browser.find_element(by.TAG_NAME, "body").send_keys(Keys.TAB)
    first = browser.switch_to.active_element
    assert first.text == "Bỏ qua, đến nội dung chính"
    first.send_keys(Keys.ENTER)
    _wait(browser, lambda b: b.current_url.endswith("#noi-dung"))
    _sign_in(browser, desk, "CANBO.LD")
    _check_page(browser, f"/tinh/LD/{PERIOD}")


# ---------------------------------------------------------------- b. approve, wait, reopen


def _corrected_bl01(site: DemoSite, folder: Path) -> tuple[Path, int, int]:
    """BL01's March workbook of the demo with two more students in TH01 (a school's own
    figure: no other cell of the form depends on it): the file, the figure before and
    after."""
    registry = Registry.load(site.settings.registry_dir)
    summary = demo_summary(registry, "BL01", PERIOD)
    before = summary["TH01"].hoc_sinh
    summary["TH01"] = dataclasses.replace(summary["TH01"], hoc_sinh=before + 2)
    path = folder / "BL01_2024-03_sua.xlsx"
    path.write_bytes(write_cell_workbook(demo_header(registry, "BL01", PERIOD), summary,
                                         demo_roster("BL01", PERIOD)))
    return path, before, before + 2


def _upload_as_cell(browser: Any, desk: Desk, path: Path) -> str:
    """BL01 sends ``path`` through its page; what the verdict says."""
    by = _by()
    _sign_in(browser, desk, "BL01")
    assert f'{browser.find_element(by.TAG_NAME, "h1").text} (BL01)' == BL01
    browser.find_element(by.ID, "file").send_keys(str(path))
    browser.find_element(by.CSS_SELECTOR, "form[action='/nop'] button").click()
    _wait(browser, lambda b: "/ket-qua/" in b.current_url)
    return _words(browser, ".verdict")


def test_approve_locks_the_month_a_late_correction_waits_and_reopening_applies_it(
        desk: Desk, browser: Any, tmp_path: Path) -> None:
    by = _by()
    _sign_in(browser, desk, "CANBO.BL")
    browser.get(f"{desk.url}{REPORTS}")
    assert "Chưa phê duyệt" in _words(browser, "p.state")
    _click_button(browser, "Phê duyệt và khoá số liệu tháng")
    assert "Đã phê duyệt và khoá số liệu tháng 03/2024." in _words(browser, "p.notice")
    state = _words(browser, "p.state")
    assert re.match(r"Đã phê duyệt — CANBO\.BL, lúc \d\d:\d\d \d\d/\d\d/\d{4}\.", state), state
    assert _all(browser, by.XPATH, "//button[normalize-space()='Mở lại']", browser)
    _sign_out(browser)

    # the cell sends a corrected workbook after the approval: taken, but it waits
    path, before, after = _corrected_bl01(desk.site, tmp_path)
    verdict = _upload_as_cell(browser, desk, path)
    assert verdict.startswith("NHẬN") and "Chờ mở lại kỳ:" in verdict
    browser.get(desk.url)
    sent = _table(browser, "#da-gui ~ table")
    assert sent[0][1:5] == [path.name, PERIOD, "2", "Chờ mở lại kỳ"]
    _sign_out(browser)

    # the officer sees it waiting, the data file unchanged; reopening applies it
    _sign_in(browser, desk, "CANBO.BL")
    browser.get(f"{desk.url}{REPORTS}")
    assert _table(browser, "#cho + table") == [
        [BL01, path.name, "2", "09:00 28/03/2024"]]
    assert _data_file(desk.site)[("BL01", "hoc_sinh", "TH01", "tong")] == before
    _click_button(browser, "Mở lại")
    assert _words(browser, "p.notice") == ("Đã mở lại tháng 03/2024: 1 bản sửa đang chờ đã "
                                           "được áp dụng và báo cáo đã được lập lại.")
    assert "Chưa phê duyệt" in _words(browser, "p.state")
    page = _words(browser)
    assert "Không có bản sửa nào đang chờ." in page
    current = browser.find_element(by.ID, "lan-2").text
    assert current.startswith("Lần lập 2 — ") and current.endswith("(hiện hành)")
    change = _table(browser, "article.version table.changes")
    assert [BL01, "TH01 — Tổng số", "Học sinh", "Tổng số", str(before),
            str(after), f"{path.name} (lần gửi 2)"] in [row[:7] for row in change]
    log = [row[1:4] for row in _table(browser, "#nhat-ky ~ table")]
    assert sorted(log) == [["Mở lại", "CANBO.BL", "1"], ["Phê duyệt và khoá", "CANBO.BL", "—"]]
    # the rebuilt data file carries it, and so does the board
    assert _data_file(desk.site)[("BL01", "hoc_sinh", "TH01", "tong")] == after
    browser.get(f"{desk.url}{BOARD}")
    link = browser.find_element(by.CSS_SELECTOR, "table.figures a[href*='don_vi=BL01&"
                                "chi_tieu=TH01&doi_tuong=hoc_sinh&phan_loai=tong']")
    assert link.text == str(after)
