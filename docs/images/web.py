"""Screenshots of the cells' web page for docs/web.md, on a desktop and a 1366×768 laptop.

    .venv/bin/python docs/images/web.py

Serves the page (as on 20 March 2024, demo registry) from a temporary folder and drives
Debian's Chromium through chromium-driver: the sign-in page, a cell's home, a file turned
back with its findings, the corrected file taken, and a page another cell may not see.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "tests"), str(HERE.parents[1])]
SIZES = {"desktop": (1600, 1000), "laptop": (1366, 768)}


def main() -> None:
    import uvicorn
    from factories import make_header, make_rejected_bl02, make_workbook
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from core.registry import Registry
    from core.settings import Settings
    from services.accounts import add_account
    from warehouse.unit_of_work import Warehouse
    from web.app import create_app

    work = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=work / "var", pid_hash_key="screenshots")
    registry = Registry.load(settings.registry_dir)
    Warehouse.of(settings).ready(registry)
    passwords = {c: add_account(settings, registry, c)[1] for c in ("BL01", "BL02")}
    march_20 = datetime(2024, 3, 20, 9, 0, tzinfo=ZoneInfo(settings.timezone))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, clock=lambda: march_20),
                                           host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    broken, fixed = work / "BL02_2024-03.xlsx", work / "BL02_2024-03_sua.xlsx"
    broken.write_bytes(make_rejected_bl02())
    fixed.write_bytes(make_workbook(header=make_header("BL02",
                                                       unit_name="Chi bộ Trường THPT Lộc An")))

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=vi",
                 "--hide-scrollbars"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.implicitly_wait(10)

    def shot(name: str) -> None:
        for size, (w, h) in SIZES.items():
            browser.set_window_size(w, h)
            time.sleep(0.2)
            browser.save_screenshot(str(HERE / f"web-{name}-{size}.png"))

    def sign_in(login: str) -> None:
        browser.get(f"{url}/dang-nhap")
        browser.find_element(By.ID, "login").send_keys(login)
        browser.find_element(By.ID, "password").send_keys(passwords[login])
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        WebDriverWait(browser, 20).until(lambda b: b.current_url == f"{url}/")

    def upload(path: Path) -> None:
        browser.get(url)
        browser.find_element(By.ID, "file").send_keys(str(path))
        browser.find_element(By.CSS_SELECTOR, "form[action='/nop'] button").click()
        WebDriverWait(browser, 30).until(lambda b: "/ket-qua/" in b.current_url)

    try:
        browser.get(f"{url}/dang-nhap")
        shot("1-dang-nhap")
        sign_in("BL02")
        shot("2-trang-chi-bo")
        upload(broken)
        rejected = browser.current_url
        shot("3-tra-lai")
        upload(fixed)
        shot("4-nhan")
        browser.get(url)
        shot("5-trang-chi-bo-sau-khi-gui")
        browser.delete_all_cookies()
        sign_in("BL01")
        browser.get(rejected)
        shot("6-khong-thuoc-chi-bo")
    finally:
        browser.quit()
        server.should_exit = True
    print(f"written: {sorted(p.name for p in HERE.glob('web-*.png'))}")


if __name__ == "__main__":
    main()
