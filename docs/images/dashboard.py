"""Regenerate the dashboard screenshots of docs/schedule.md (issue 16): a month with one
rejected cell, as the Prefect dashboard shows it.

    .venv/bin/python docs/images/dashboard.py            # writes docs/images/schedule-*.png
    .venv/bin/python docs/images/dashboard.py --keep     # and leaves its temporary folder

What it does, end to end, in a temporary folder (nothing of this machine's Prefect profile,
server or data is used or changed):

1. a local SMTP server for the officer's mail (``python -m aiosmtpd -n``, a dev dependency);
2. ``prefect server start`` on a free port, with its own ``PREFECT_HOME`` and SQLite database,
   analytics off (``PREFECT_SERVER_ANALYTICS_ENABLED=false``) and the dashboard on
   (``PREFECT_UI_ENABLED=true``, which cellreports' quiet defaults turn off for its own
   temporary server). ``PREFECT_UI_API_URL`` gives the dashboard the server's address: with
   ``--port`` alone, Prefect 3.9.1's dashboard still calls ``http://127.0.0.1:4200/api``;
3. ``cellreports deploy --pool cellreports`` with the SMTP and officer settings, so that the
   two deployments, the work pool and the four automations exist (``DO_NOT_TRACK=1``);
4. ``prefect worker start --pool cellreports --type process --limit 1`` with the data folder and
   the hashing key in its environment;
5. the demo workbooks of January and of February 2024 (``cellreports.demo.generate_month``,
   dropped in the inbox as ``cellreports demo`` drops them), each month run with
   ``prefect deployment run 'monthly-consolidation/monthly-BL' --param period=YYYY-MM``;
   in February BL03's report is rejected (an impossible date of birth, rule R02), so the
   month is incomplete after its deadline and the officer's automation sends its mail;
6. headless Chromium (``/usr/bin/chromium``), driven through the Chrome DevTools protocol
   (``websockets``, which comes with Prefect: nothing to install), opens the dashboard as a
   browser in Vietnam would (time zone Asia/Ho_Chi_Minh, window 1366 px wide; Prefect's
   default dashboard, the "V2" one under ``/v2``) and saves the pages below, each cropped to
   what it shows, as PNGs of 256 colours (Pillow, a dependency of cellreports);
7. stops the browser, the worker, the server and the SMTP server, each by the id of the
   process it started (its process group: they start children), also after an error.

The pictures (``docs/images/``):

- ``schedule-deployments.png``  Deployments: monthly-BL (its schedule's card open) and reminders-BL
- ``schedule-work-pool.png``    the pool cellreports, its worker Online, its locked job template
- ``schedule-run-logs.png``     the February run's Logs tab (BL03 rejected)
- ``schedule-run-artifact.png`` its artifact month-summary-2024-02
- ``schedule-automations.png``  Automations: the four, enabled
- ``schedule-events.png``       Event Feed filtered on ``cellreports.*``

Not run by the tests. Needs Chromium (Debian: ``apt-get install chromium``). Dates on the
pictures are the day the script runs (the demo months are 2024, the runs are today's).
"""

from __future__ import annotations

import argparse
import base64
import io
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
POOL = "cellreports"
DEPLOYMENT = "monthly-consolidation/monthly-BL"
MONTHS = ("2024-01", "2024-02")  # February: BL03 rejected
SHOWN = "2024-02"
WIDTH, HEIGHT = 1366, 900
TIMEZONE = "Asia/Ho_Chi_Minh"
TIMEOUT = 180  # seconds, for each thing waited for
OFFICER = "bantochuc@baolam.vn"

T = TypeVar("T")


# --- processes ---------------------------------------------------------------------------

class Processes:
    """The processes this script started; each stopped by its id (its process group)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str],
              cwd: Path) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("wb") as log:
            popen = subprocess.Popen(command, env=env, cwd=cwd, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.started.append((name, popen))
        return popen

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def check(self) -> None:
        for name, popen in self.started:
            if popen.poll() is not None:
                raise RuntimeError(f"{name} exited ({popen.returncode}):\n"
                                   f"{self.log(name)[-3000:]}")

    def stop(self, popen: subprocess.Popen[bytes]) -> None:
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
            if popen.poll() is not None:
                break
            try:
                os.killpg(popen.pid, sig)  # the group whose leader is the process we started
            except ProcessLookupError:
                break
            try:
                popen.wait(grace)
            except subprocess.TimeoutExpired:
                continue
        self.started = [(n, p) for n, p in self.started if p is not popen]

    def stop_all(self) -> None:
        for _name, popen in reversed(self.started):
            self.stop(popen)


def wait(what: str, probe: Callable[[], T | None], processes: Processes) -> T:
    deadline = time.monotonic() + TIMEOUT
    while True:
        found = probe()
        if found:
            return found
        processes.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"waiting for {what}: timed out after {TIMEOUT} s")
        time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """A fresh shell's environment: no Prefect or cellreports settings of the caller's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "CELLREPORTS_"))}
    return {**env, **extra}


# --- the month -----------------------------------------------------------------------------

def drop_month(data_dir: Path, period: str) -> None:
    """The demo cells' workbooks of ``period`` in the inbox, as ``cellreports demo`` drops them
    (each in its unit's folder, with the time it arrived)."""
    from cellreports.demo import generate_month
    from cellreports.demo_run import drop_in_inbox
    from core.registry import Registry
    from core.settings import Settings

    settings = Settings(data_dir=data_dir)
    for f in generate_month(Registry.load(settings.registry_dir), period):
        drop_in_inbox(settings.inbox, f.unit_code, f.filename, f.content,
                      f.received_at.timestamp())


def run_month(api: str, env: dict[str, str], cwd: Path, period: str,
              processes: Processes) -> str:
    """``prefect deployment run`` for ``period``; waits for the run to complete: its id."""
    created = subprocess.run([str(BIN / "prefect"), "deployment", "run", DEPLOYMENT,
                              "--param", f"period={period}"], env=env, cwd=cwd,
                             capture_output=True, text=True, timeout=TIMEOUT, check=True)
    found = re.search(r"UUID: ([0-9a-f-]{36})", created.stdout)
    if not found:
        raise RuntimeError(f"no flow run id in:\n{created.stdout}")
    run_id = found.group(1)

    def final() -> dict[str, Any] | None:
        run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
        return run if run.get("state_type") in {"COMPLETED", "FAILED", "CRASHED",
                                                "CANCELLED"} else None

    run = wait(f"the run of {period}", final, processes)
    if run["state_type"] != "COMPLETED":
        raise RuntimeError(f"the run of {period} ended {run['state_type']}:\n"
                           f"{processes.log('worker')[-3000:]}")
    return run_id


def log_lines(api: str, run_id: str) -> list[str]:
    found = httpx.post(f"{api}/logs/filter", timeout=10, json={
        "logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC", "limit": 200})
    return [line["message"] for line in found.json()]


def artifact_id(api: str, key: str) -> str:
    found = httpx.post(f"{api}/artifacts/filter", timeout=10,
                       json={"artifacts": {"key": {"any_": [key]}}}).json()
    return str(found[0]["id"])


# --- the browser ---------------------------------------------------------------------------

# the rectangle of the n-th text node that contains a text (page coordinates)
TEXT_RECT = """((text, nth) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  let node;
  while ((node = walker.nextNode())) {
    if (!node.textContent.toLowerCase().includes(text.toLowerCase())) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) found.push(r);
  }
  const r = found.at(nth);
  return r ? {x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height,
              count: found.length} : null;
})"""
BUSY = ("document.querySelectorAll('[data-slot=skeleton], [class*=animate-pulse], "
        "[class*=animate-spin]').length")


class Browser:
    """Headless Chromium and one page, through the DevTools protocol."""

    def __init__(self, processes: Processes, folder: Path) -> None:
        from websockets.sync.client import connect

        profile = folder / "chromium-profile"
        profile.mkdir()
        self.popen = processes.start("chromium", [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
            "--remote-debugging-port=0", f"--window-size={WIDTH},{HEIGHT}", "about:blank",
        ], os.environ.copy(), folder)
        port_file = profile / "DevToolsActivePort"
        port = wait("Chromium's DevTools port", lambda: port_file.exists() and (
            port_file.read_text().splitlines() or [None])[0], processes)
        pages = [t for t in httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
                 if t["type"] == "page"]
        self.socket = connect(pages[0]["webSocketDebuggerUrl"], max_size=None)
        self.ids = itertools.count(1)
        self.call("Emulation.setTimezoneOverride", timezoneId=TIMEZONE)
        self.viewport(HEIGHT)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message["result"])

    def viewport(self, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height,
                  deviceScaleFactor=1, mobile=False)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        return result["result"].get("value")

    def open(self, url: str, *texts: str, height: int = HEIGHT) -> None:
        """Load ``url`` and wait until the page shows every one of ``texts`` and nothing is
        loading any more (no skeleton, no spinner)."""
        self.viewport(height)
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + TIMEOUT
        body = ""
        while time.monotonic() < deadline:
            body = self.evaluate("document.body ? document.body.innerText : ''") or ""
            if all(t in body for t in texts) and not self.evaluate(BUSY):
                time.sleep(1.5)  # the last fonts and transitions
                return
            time.sleep(0.3)
        raise TimeoutError(f"{url} never showed {texts}; it shows:\n{body[:1500]}")

    def rect(self, text: str, nth: int = 0) -> dict[str, float]:
        found = self.evaluate(f"{TEXT_RECT}({json.dumps(text)}, {nth})")
        if not found:
            raise RuntimeError(f"{text!r} (#{nth}) is not on the page")
        return dict(found)

    def hover(self, text: str, nth: int, until: str) -> None:
        """Move the mouse onto the ``nth`` text ``text`` until the page shows ``until``."""
        deadline = time.monotonic() + 30
        while until not in (self.evaluate("document.body.innerText") or ""):
            if time.monotonic() > deadline:
                raise TimeoutError(f"hovering {text!r} never showed {until!r}")
            r = self.rect(text, nth)
            for dx in (-5, 0):  # a move onto the element, whatever was under the mouse
                self.call("Input.dispatchMouseEvent", type="mouseMoved",
                          x=r["x"] + r["width"] / 2 + dx, y=r["y"] + r["height"] / 2)
            time.sleep(1.0)
        time.sleep(0.5)

    def sidebar_width(self) -> float:
        return float(self.evaluate(
            "document.querySelector('[data-sidebar=sidebar]').getBoundingClientRect().right"))

    def shoot(self, path: Path, bottom: float, left: float = 0) -> None:
        clip = {"x": left, "y": 0, "width": WIDTH - left, "height": bottom, "scale": 1}
        shot = self.call("Page.captureScreenshot", format="png", clip=clip,
                         captureBeyondViewport=True)
        # a palette of 256 colours, no dithering: the same picture in a third of the bytes
        image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
        image.quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True)
        print(f"  {path.relative_to(ROOT)}  ({path.stat().st_size // 1024} KB)")

    def close(self) -> None:
        self.socket.close()


def shoot_all(browser: Browser, site: str, run_id: str, summary_id: str, out: Path) -> None:
    v2 = f"{site}/v2"

    # Deployments, Z to A: the monthly deployment's card of schedules opens below its row
    browser.open(f"{v2}/deployments?page=1&sort=NAME_DESC&limit=10",
                 "reminders-BL", "monthly-BL", "At 07:00 AM")
    browser.hover("schedules", -1, "on day 26 of the month")  # the last: not the column's
    browser.shoot(out / "schedule-deployments.png",
                  browser.rect("on day 26 of the month")["y"] + 60)

    browser.open(f"{v2}/work-pools/work-pool/{POOL}?tab=Workers", "ProcessWorker", "Online",
                 "Base Job Configuration")
    browser.shoot(out / "schedule-work-pool.png", browser.rect("Stream Output")["y"] + 70)

    # the whole log of the month, the run's header and its task graph above it
    last = f"{SHOWN}: 3 of 4 cells accepted"
    browser.open(f"{v2}/runs/flow-run/{run_id}?tab=Logs", "BL03", last, height=2600)
    end = browser.rect("Finished in state Completed()", -1)
    browser.shoot(out / "schedule-run-logs.png", end["y"] + end["height"] + 40,
                  left=browser.sidebar_width())

    browser.open(f"{v2}/artifacts/artifact/{summary_id}", "BL03", "rejected")
    row = browser.rect(f"BL04_{SHOWN}.xlsx")  # the table's last row, then its pagination
    browser.shoot(out / "schedule-run-artifact.png", row["y"] + row["height"] + 75)

    names = ["could not be delivered", "a month is incomplete", "a run is late",
             "a run failed or crashed"]
    browser.open(f"{v2}/automations", *names, height=1900)
    last_card = browser.rect("Send a cellreports smtp e-mail using", -1)
    browser.shoot(out / "schedule-automations.png", last_card["y"] + 55)

    # the feed of the district's events: February's three (Jan's consolidation below)
    query = urllib.parse.urlencode({"events": json.dumps(["cellreports.*"])})
    browser.open(f"{v2}/events?{query}", "cellreports.file.rejected",
                 "cellreports.month.incomplete", height=1600)
    third = browser.rect("Show raw event", 2)
    browser.shoot(out / "schedule-events.png", third["y"] + third["height"] + 30)


# --- main ----------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true",
                        help="leave the temporary folder (logs, data, Prefect's database)")
    parser.add_argument("--out", type=Path, default=HERE, help="where the PNGs go")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2

    folder = Path(tempfile.mkdtemp(prefix="dashboard-"))
    processes = Processes(folder)
    try:
        print(f"working in {folder}")
        smtp_port, port = free_port(), free_port()
        site, api = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api"
        processes.start("smtp", [sys.executable, "-m", "aiosmtpd", "-n", "-l",
                                 f"127.0.0.1:{smtp_port}"], clean_env(), folder)

        server_home = folder / "prefect-server"
        server_home.mkdir()
        processes.start("server", [str(BIN / "prefect"), "server", "start",
                                   "--host", "127.0.0.1", "--port", str(port)],
                        clean_env(PREFECT_HOME=str(server_home),
                                  PREFECT_SERVER_ANALYTICS_ENABLED="false",
                                  PREFECT_UI_ENABLED="true", PREFECT_UI_API_URL=api),
                        folder)

        def healthy() -> bool:
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait("the Prefect server", healthy, processes)
        print(f"Prefect server and dashboard at {site}")

        data_dir = folder / "var"
        client = clean_env(
            PREFECT_API_URL=api, PREFECT_HOME=str(folder / "prefect-client"), DO_NOT_TRACK="1",
            CELLREPORTS_SMTP_HOST="127.0.0.1", CELLREPORTS_SMTP_PORT=str(smtp_port),
            CELLREPORTS_SMTP_STARTTLS="false", CELLREPORTS_SMTP_FROM="cellreports@baolam.vn",
            CELLREPORTS_OFFICER_EMAIL=OFFICER, CELLREPORTS_DATA_DIR=str(data_dir),
            CELLREPORTS_PID_HASH_KEY="a-key-for-the-screenshots-only")
        deployed = subprocess.run([str(BIN / "cellreports"), "deploy", "--pool", POOL],
                                  env=client, cwd=folder, capture_output=True, text=True,
                                  timeout=TIMEOUT)
        if deployed.returncode != 0 or "4 automations" not in deployed.stdout:
            raise RuntimeError(f"cellreports deploy:\n{deployed.stdout}{deployed.stderr}")
        print("cellreports deploy: the deployments, the pool and the four automations")

        processes.start("worker", [str(BIN / "prefect"), "worker", "start", "--pool", POOL,
                                   "--type", "process", "--limit", "1"],
                        {**client, "PREFECT_HOME": str(folder / "prefect-worker"),
                         "PREFECT_WORKER_QUERY_SECONDS": "1"}, folder)
        run_id = ""
        for period in MONTHS:
            drop_month(data_dir, period)
            run_id = run_month(api, client, folder, period, processes)
            print(f"{period}: run {run_id} completed")
        wait("the run's last log line on the server", lambda: any(
            f"{SHOWN}: 3 of 4 cells accepted, 1 rejected" in line
            for line in log_lines(api, run_id)), processes)
        wait("the officer's mail (the month-incomplete alert)",
             lambda: "MESSAGE FOLLOWS" in processes.log("smtp"), processes)
        print("the automation mailed the officer")

        browser = Browser(processes, folder)
        try:
            shoot_all(browser, site, run_id, artifact_id(api, f"month-summary-{SHOWN}"),
                      args.out)
        finally:
            browser.close()
    finally:
        processes.stop_all()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
