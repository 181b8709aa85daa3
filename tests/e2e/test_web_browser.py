"""The cells' web page in a real browser: Debian's Chromium driven by Selenium through
chromium-driver (a browser cannot be downloaded here), against the real app served by
uvicorn in this process. A cell signs in, downloads its form, uploads a broken file, reads
the finding on the page, fixes the cell, uploads again and sees NHẬN; another cell cannot
reach the first one's files."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from browser import free_port
from factories import make_header, make_rejected_bl02, make_workbook
from openpyxl import load_workbook

from core.registry import Registry
from core.settings import Settings
from services.accounts import add_account
from warehouse.unit_of_work import Warehouse

UNIT_NAMES = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An"}





@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The page on a free port of 127.0.0.1, with accounts for BL01 and BL02."""
    import uvicorn

    from web.app import create_app

    settings = Settings(data_dir=tmp_path_factory.mktemp("web") / "var",
                        pid_hash_key="test-key")
    registry = Registry.load(settings.registry_dir)
    Warehouse.of(settings).ready(registry)
    passwords = {code: add_account(settings, registry, code)[1] for code in ("BL01", "BL02")}
    port = free_port()
    # the page as on 20 March 2024, a month of the demo registry
    march_20 = datetime(2024, 3, 20, 9, 0, tzinfo=ZoneInfo(settings.timezone))
    server = uvicorn.Server(uvicorn.Config(create_app(settings, clock=lambda: march_20),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the page did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", passwords
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(browser_paths: tuple[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = browser_paths
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--window-size=1366,768", "--lang=vi"):
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    # headless Chromium saves downloads only where it is told to, through DevTools
    chrome.execute_cdp_cmd("Browser.setDownloadBehavior", {
        "behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": False})
    chrome.downloads = downloads  # type: ignore[attr-defined]
    chrome.implicitly_wait(10)
    try:
        yield chrome
    finally:
        chrome.quit()


def _sign_in(browser, url: str, login: str, password: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{url}/dang-nhap")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url == f"{url}/")
    assert browser.find_element(By.TAG_NAME, "h1").text == UNIT_NAMES[login]


def _upload(browser, url: str, path: Path) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    browser.find_element(By.ID, "file").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "form[action='/nop'] button").click()
    WebDriverWait(browser, 30).until(lambda b: "/ket-qua/" in b.current_url)
    return browser.find_element(By.CSS_SELECTOR, ".verdict .big").text


def _wait_for_file(folder: Path, pattern: str, seconds: float = 20) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {pattern} in {folder}: {list(folder.iterdir())}")


def test_a_cell_fixes_its_report_in_the_browser_and_another_cell_cannot_see_it(
        site, browser, tmp_path):
    from selenium.webdriver.common.by import By

    url, passwords = site
    _sign_in(browser, url, "BL02", passwords["BL02"])
    page = browser.find_element(By.TAG_NAME, "body").text
    # 20 March: the deadline is the 25th, 5 days and 3 working days away
    assert "Tháng 03/2024 25/03/2024 còn 5 ngày (3 ngày làm việc)" in page, page

    # the blank form of the month, downloaded as a file
    browser.find_element(By.PARTIAL_LINK_TEXT, "Tải biểu mẫu").click()
    form = _wait_for_file(browser.downloads, "BC-PTD-HS_BL02_*.xlsx")
    assert load_workbook(io.BytesIO(form.read_bytes()))["ThongTin"] is not None

    broken = tmp_path / "BL02_2024-03.xlsx"
    broken.write_bytes(make_rejected_bl02())
    assert _upload(browser, url, broken) == "TRẢ LẠI"
    result_url = browser.current_url
    [row] = browser.find_elements(By.CSS_SELECTOR, "tr.bad")
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
    assert cells[:3] == ["Lỗi", "DanhSach", "C5"] and "31/02/2007" in cells[4]
    browser.find_element(By.PARTIAL_LINK_TEXT, "Tải tệp kết quả kiểm tra").click()
    annotated = _wait_for_file(browser.downloads, "*KetQuaKiemTra*.xlsx")
    assert annotated.stat().st_size > 1000

    fixed = tmp_path / "BL02_2024-03_sua.xlsx"
    fixed.write_bytes(make_workbook(header=make_header(
        "BL02", unit_name="Chi bộ Trường THPT Lộc An")))
    assert _upload(browser, url, fixed) == "NHẬN"
    browser.get(url)
    sent = browser.find_element(By.ID, "da-gui").find_element(By.XPATH, "..").text
    assert "BL02_2024-03_sua.xlsx" in sent and "BL02_2024-03.xlsx" in sent

    # another cell: its own page, and the first one's result is no page for it
    browser.delete_all_cookies()
    _sign_in(browser, url, "BL01", passwords["BL01"])
    assert "BL02_2024-03" not in browser.find_element(By.TAG_NAME, "body").text
    browser.get(result_url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Không tìm thấy"
    assert "Lộc An" not in browser.find_element(By.TAG_NAME, "main").text
