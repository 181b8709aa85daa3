"""The CLI's other commands, as a user types them (each in a process of its own; a month
another test's subject needs first is run here, in-process, through the same command)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import suppress
from datetime import datetime
from zoneinfo import ZoneInfo

import psutil
from factories import make_workbook
from openpyxl import load_workbook
from typer.testing import CliRunner

from cellreports.cli import app
from flows.quiet import GUARD
from forms.reader import read_cell_report

SERVER_APP = "prefect.server.api.server:create_app"

runner = CliRunner()


def test_template_is_prefilled_for_the_unit_and_reads_back(tmp_path):
    out = tmp_path / "mau.xlsx"
    result = runner.invoke(app, ["template", "--unit", "BL02", "--period", "2024-03",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = read_cell_report(out.read_bytes())
    assert (report.header.unit_code, report.header.period) == ("BL02", "2024-03")
    assert report.header.unit_name == "Chi bộ Trường THPT Lộc An"
    assert report.roster == [] and not report.missing_roster_columns
    workbook = load_workbook(out)
    assert workbook["DanhSach"].data_validations.dataValidation  # dropdowns on coded columns
    assert "HuongDan" in workbook.sheetnames


def test_template_for_an_unknown_unit_is_refused_with_a_sentence(tmp_path):
    result = runner.invoke(app, ["template", "--unit", "ZZ9", "--period", "2024-03",
                                 "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code != 0
    assert "not in the registry" in result.output
    assert "Traceback" not in result.output


def test_a_malformed_period_is_refused_with_a_sentence():
    result = runner.invoke(app, ["run", "--period", "March"])
    assert result.exit_code != 0
    assert "is not a month like 2024-03" in result.output


def _run_watching_servers(args: list[str]) -> tuple[subprocess.CompletedProcess[str],
                                                    dict[int, list[str]]]:
    """The command run to its end, and every Prefect server among its children meanwhile
    (pid -> command line; sampled every 0.1 s)."""
    seen: dict[int, list[str]] = {}
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            with suppress(psutil.NoSuchProcess):
                for child in psutil.Process(process.pid).children(recursive=True):
                    with suppress(psutil.NoSuchProcess):
                        if SERVER_APP in (line := child.cmdline()):
                            seen[child.pid] = line
            time.sleep(0.1)
        stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr), seen


def test_run_consolidates_the_inbox_and_prints_a_summary(tmp_path):
    """Without a Prefect server configured (as on a fresh machine), on one temporary server:
    ours, which dies with the run (flows.quiet), and not Prefect's own beside it."""
    data_dir = tmp_path / "var"
    (data_dir / "inbox" / "BL01").mkdir(parents=True)
    path = data_dir / "inbox" / "BL01" / "BL01_2024-03.xlsx"
    path.write_bytes(make_workbook())
    moment = datetime(2024, 3, 20, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()
    os.utime(path, (moment, moment))
    result, servers = _run_watching_servers(
        [sys.executable, "-m", "cellreports.cli", "run", "--period", "2024-03",
         "--data-dir", str(data_dir)])
    assert result.returncode == 0, result.stderr
    [server] = servers.values()
    assert server[:3] == [sys.executable, "-c", GUARD]
    assert "BL01_2024-03.xlsx" in result.stdout and "accepted" in result.stdout
    assert "Cells without an accepted report: BL02, BL03, BL04" in result.stdout
    assert result.stderr.strip() == ""
    assert (data_dir / "reports" / "2024-03" / "BaoCaoTongHop_BL_2024-03.xlsx").exists()


def _run_in_process(data_dir) -> None:  # type: ignore[no-untyped-def]
    """`cellreports run --period 2024-03` in this process, on the worker's Prefect server
    (tests/conftest.py): the month a test of another command starts from. The run itself,
    in its own process, is test_run_consolidates_the_inbox_and_prints_a_summary's."""
    result = runner.invoke(app, ["run", "--period", "2024-03", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output


def test_report_rebuilds_the_month_and_its_pdf_from_the_warehouse(tmp_path, libreoffice,
                                                                  prefect_server):
    data_dir = tmp_path / "var"
    (data_dir / "inbox" / "BL01").mkdir(parents=True)
    (data_dir / "inbox" / "BL01" / "BL01_2024-03.xlsx").write_bytes(make_workbook())
    run = [sys.executable, "-m", "cellreports.cli"]
    _run_in_process(data_dir)
    report = data_dir / "reports" / "2024-03" / "BaoCaoTongHop_BL_2024-03.xlsx"
    original = report.read_bytes()
    report.unlink()
    again = subprocess.run([*run, "report", "--period", "2024-03", "--data-dir", str(data_dir)],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert report.read_bytes() == original
    assert report.with_suffix(".pdf").stat().st_size > 1000
    assert "Cells without an accepted report: BL02, BL03, BL04" in again.stdout


def test_province_consolidates_a_district_data_file_from_its_inbox(tmp_path, prefect_server):
    data_dir = tmp_path / "var"
    district = data_dir / "district"
    (district / "inbox" / "BL01").mkdir(parents=True)
    (district / "inbox" / "BL01" / "BL01_2024-03.xlsx").write_bytes(make_workbook())
    run = [sys.executable, "-m", "cellreports.cli"]
    _run_in_process(district)
    upward = district / "reports" / "2024-03" / "DuLieu_BL_2024-03.csv"
    (data_dir / "province" / "inbox" / "BL").mkdir(parents=True)
    (data_dir / "province" / "inbox" / "BL" / upward.name).write_bytes(upward.read_bytes())
    # against the worker's Prefect server, as in production (PREFECT_API_URL set): the
    # run without one, on Prefect's temporary server, is test_run_consolidates_…'s
    from prefect.settings import PREFECT_API_URL

    result = subprocess.run([*run, "province", "--period", "2024-03", "--data-dir",
                             str(data_dir)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())})
    assert result.returncode == 0, result.stderr
    assert "DuLieu_BL_2024-03.csv  accepted" in result.stdout
    assert "Without an accepted data file: BLC, DL, LH" in result.stdout
    assert result.stderr.strip() == ""
