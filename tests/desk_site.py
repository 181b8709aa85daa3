"""The officers' desk in tests: the demo's three months (Jan–Mar 2024, the district BL and
the province LD) run in-process into a warehouse, with an account of every role, and
TestClients signed in as each of them.

``demo_site`` is built once per worker and shared: tests on it only read. A test that
changes the month (approve, reopen, remind, consolidate, upload) takes ``fresh_demo_site``,
its module's own copy of the same run (copied, not run again)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from core.registry import Registry
from core.settings import Settings

# The demo's last month, a few days after its deadline: its reports are built, its
# missing cells reminded, nothing approved yet.
MARCH_28 = datetime(2024, 3, 28, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PERIOD = "2024-03"
# login -> (role, unit): the district's officer, another district's, the province's, a cell
ACCOUNTS = {"CANBO.BL": ("district", "BL"), "CANBO.BLC": ("district", "BLC"),
            "CANBO.LD": ("province", "LD"), "BL01": ("cell", "BL01")}


@dataclass
class DemoSite:
    settings: Settings
    passwords: dict[str, str]
    clock: Callable[[], datetime]

    def app(self):  # type: ignore[no-untyped-def]
        from web.app import create_app

        return create_app(self.settings, clock=self.clock)

    def client(self, login: str | None = None, app=None) -> TestClient:  # type: ignore[no-untyped-def]
        """A client of ``app`` (a new one unless given), signed in as ``login`` if given."""
        client = TestClient(app or self.app(), follow_redirects=False,
                            raise_server_exceptions=False)
        if login is not None:
            token = csrf(client.get("/dang-nhap").text)
            answer = client.post("/dang-nhap", data={
                "login": login, "password": self.passwords[login], "csrf": token})
            assert answer.status_code == 303, answer.text
        return client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def text(html: str) -> str:
    """The page's words, tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def build_demo_site(data_dir: Path) -> DemoSite:
    """The demo's three months run into ``data_dir`` (a Prefect server must be up)."""
    from cellreports.demo_run import run_demo
    from services.accounts import add_account

    settings = Settings(data_dir=data_dir, pid_hash_key="test-key")
    run_demo(settings)
    registry = Registry.load(settings.registry_dir)
    passwords = {login: add_account(settings, registry, login, "", role, unit)[1]
                 for login, (role, unit) in ACCOUNTS.items()}
    return DemoSite(settings, passwords, lambda: MARCH_28)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> DemoSite:
    """The demo run shared by this worker's tests: read it, never change it. Run once for
    the whole suite: the first worker to need it runs it into the suite's shared temporary
    folder; each worker reads its own copy (copy_demo_site)."""
    import fcntl
    import json
    import os

    # a worker's base is popen-gwN in the run's own folder, which the workers share;
    # without workers the base is the run's folder itself (its parent: every run's)
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) \
        / "demo-site-template"
    shared.mkdir(exist_ok=True)
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits while it is being run
        done = shared / "passwords.json"
        if done.exists():
            template = DemoSite(Settings(data_dir=shared / "var", pid_hash_key="test-key"),
                                json.loads(done.read_text(encoding="utf-8")),
                                lambda: MARCH_28)
        else:
            template = build_demo_site(shared / "var")
            done.write_text(json.dumps(template.passwords), encoding="utf-8")
    return copy_demo_site(template, tmp_path_factory.mktemp("demo-site") / "var")


@pytest.fixture(scope="module")
def fresh_demo_site(tmp_path_factory: pytest.TempPathFactory, demo_site: DemoSite
                    ) -> DemoSite:
    """A copy of the demo run of this test module's own, to change: the shared run's data
    folder copied (the same warehouse, archive, reports and accounts), rather than a second
    run of the demo (~30 s)."""
    return copy_demo_site(demo_site, tmp_path_factory.mktemp("fresh-demo-site") / "var")


def copy_demo_site(site: DemoSite, data_dir: Path) -> DemoSite:
    """``site`` copied into ``data_dir``. The only absolute paths the warehouse keeps are
    the feedback workbooks' (``submissions.feedback_path``): they are moved with it."""
    import shutil

    from sqlalchemy import create_engine, text

    shutil.copytree(site.settings.data_dir, data_dir)
    settings = site.settings.model_copy(update={"data_dir": data_dir})
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE submissions SET feedback_path = :new || substr(feedback_path, :cut) "
            "WHERE feedback_path LIKE :old || '%'"),
            {"new": str(data_dir), "old": str(site.settings.data_dir),
             "cut": len(str(site.settings.data_dir)) + 1})
    engine.dispose()
    return DemoSite(settings, dict(site.passwords), site.clock)
