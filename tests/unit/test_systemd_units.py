"""The example systemd units of deploy/systemd (docs/schedule.md, "As services"): valid for
systemd, analytics off everywhere, and the two ways to run the flows kept apart."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
CLIENTS = ("cellreports-serve.service", "cellreports-worker.service")


def _text(name: str) -> str:
    return (ROOT / "deploy" / "systemd" / name).read_text()


def test_the_units_are_the_server_one_unit_for_each_way_to_run_the_flows_and_the_page():
    assert [u.name for u in UNITS] == ["cellreports-serve.service",
                                       "cellreports-web.service",
                                       "cellreports-worker.service", "prefect-server.service"]
    web = _text("cellreports-web.service")
    assert "cellreports web" in web and "--host 127.0.0.1" in web  # behind the proxy only
    assert "CELLREPORTS_WEB_SECURE_COOKIES=true" in web
    # the officers' buttons start runs on the district's Prefect server
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api" in web
    assert "prefect server start" in _text("prefect-server.service")
    assert "cellreports serve" in _text("cellreports-serve.service")
    assert "prefect worker start --pool cellreports --type process" in _text(
        "cellreports-worker.service")


def test_analytics_are_off_in_every_unit():
    assert "Environment=PREFECT_SERVER_ANALYTICS_ENABLED=false" in _text("prefect-server.service")
    for name in CLIENTS:
        assert "Environment=DO_NOT_TRACK=1" in _text(name)
        assert "EnvironmentFile=/etc/cellreports.env" in _text(name)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path):
    """`systemd-analyze verify` on the units as installed here: /opt/cellreports is this
    checkout (its executables must exist), the user is this one, the settings file is
    deploy/cellreports.env.example."""
    import getpass

    venv = Path(sys.executable).parent.parent
    for unit in UNITS:
        text = (unit.read_text()
                .replace("/opt/cellreports/.venv", str(venv))
                .replace("/opt/cellreports", str(ROOT))
                .replace("User=cellreports", f"User={getpass.getuser()}")
                .replace("/etc/cellreports.env", str(ROOT / "deploy" / "cellreports.env.example")))
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             *[str(tmp_path / u.name) for u in UNITS]],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if any(u.name in line for u in UNITS)]
    assert complaints == []
