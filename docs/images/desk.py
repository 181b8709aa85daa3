"""Screenshots of the officers' desk (issue 19), 1280 px wide.

    .venv/bin/python docs/images/desk.py

Runs the demo's three months (Jan–Mar 2024) in-process into a temporary folder, under a
temporary Prefect server (the test harness), as the tests' desk site does
(tests/desk_site.py), serves the desk on a free port as on 28 March 2024, and drives
Debian's Chromium through chromium-driver: the district officer's month board, a cell's
page, the findings by rule, a figure explained, the reports page once the month is
approved, and the province's board for the province's officer. Each page is shot whole
(up to MAX_HEIGHT px) into docs/images/desk-*.png.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "tests"), str(HERE.parents[1])]
WIDTH = 1280
MAX_HEIGHT = 4000  # px: the board with its figures and charts is long; more is unreadable
PERIOD = "2024-03"
BASE = f"/don-vi/BL/{PERIOD}"
# (file, page) shot as the district's officer before approving
DISTRICT_PAGES = (
    ("desk-board.png", BASE),
    ("desk-cell.png", f"{BASE}/chi-bo/BL02"),  # a cell whose file has warnings to show
    ("desk-rules.png", f"{BASE}/loi"),
    ("desk-explain.png",
     f"{BASE}/giai-thich?don_vi=BL&chi_tieu=TH05&doi_tuong=hoc_sinh&phan_loai=tong"),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: Any) -> tuple[str, Any]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _chromium() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=vi",
                 "--hide-scrollbars", f"--window-size={WIDTH},900"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.implicitly_wait(10)
    return browser


def shot(browser: Any, name: str) -> None:
    """The whole page (up to MAX_HEIGHT) at exactly WIDTH css px, one device px each."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    height = min(int(browser.execute_script(
        "return document.documentElement.scrollHeight")), MAX_HEIGHT)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False})
    time.sleep(0.2)
    browser.save_screenshot(str(HERE / name))
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def sign_in(browser: Any, url: str, login: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.delete_all_cookies()
    browser.get(f"{url}/dang-nhap")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form[action='/dang-nhap'] button").click()
    WebDriverWait(browser, 30).until(lambda b: "/dang-nhap" not in b.current_url)


def approve(browser: Any, url: str) -> None:
    """The month approved through the reports page's button, as the officer does."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{url}{BASE}/bao-cao")
    browser.find_element(
        By.XPATH, "//button[normalize-space()='Phê duyệt và khoá số liệu tháng']").click()
    WebDriverWait(browser, 30).until(lambda b: "tb=phe-duyet" in b.current_url)


def main() -> None:
    from desk_site import build_demo_site
    from prefect.testing.utilities import prefect_test_harness

    from flows.quiet import quiet_prefect

    quiet_prefect()
    with prefect_test_harness(server_startup_timeout=60):
        site = build_demo_site(Path(tempfile.mkdtemp()) / "var")
        url, server = _serve(site.app())
        browser = _chromium()
        try:
            sign_in(browser, url, "CANBO.BL", site.passwords["CANBO.BL"])
            for name, path in DISTRICT_PAGES:
                browser.get(f"{url}{path}")
                shot(browser, name)
            approve(browser, url)
            shot(browser, "desk-reports.png")
            sign_in(browser, url, "CANBO.LD", site.passwords["CANBO.LD"])
            browser.get(f"{url}/tinh/LD/{PERIOD}")
            shot(browser, "desk-province.png")
        finally:
            browser.quit()
            server.should_exit = True
    print(f"written: {sorted(p.name for p in HERE.glob('desk-*.png'))}")


if __name__ == "__main__":
    main()
