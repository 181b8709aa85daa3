"""Approve, a late correction kept pending, reopen, history and explain — as the district
officer types them."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner
from warehouse_factories import cell_workbook

from cellreports.cli import app

pytestmark = pytest.mark.usefixtures("prefect_server")
runner = CliRunner()
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _drop(data_dir: Path, name: str, content: bytes, day: int) -> None:
    path = data_dir / "inbox" / "BL01" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    moment = datetime(2024, 3, day, 9, tzinfo=LOCAL).timestamp()
    os.utime(path, (moment, moment))


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_correction_to_an_approved_month_waits_until_it_is_reopened(tmp_path):
    data = str(tmp_path / "var")
    _drop(tmp_path / "var", "BL01_2024-03.xlsx", cell_workbook(), day=20)
    _cli("run", "--period", "2024-03", "--data-dir", data)
    assert "approved by Nguyễn Văn A" in _cli("approve", "--period", "2024-03", "--by",
                                               "Nguyễn Văn A", "--data-dir", data)
    refused = runner.invoke(app, ["approve", "--period", "2024-03", "--data-dir", data])
    assert refused.exit_code == 1 and "Already approved" in refused.output

    _drop(tmp_path / "var", "BL01_2024-03_sua.xlsx",
          cell_workbook(stages=(1, 2, 3, 4, 5, 6, 7, 7)), day=28)
    second = _cli("run", "--period", "2024-03", "--data-dir", data)
    assert "pending" in second and "Pending correction" in second
    months = _cli("periods", "--data-dir", data)
    assert re.search(r"2024-03\s+│\s+approved\s+│\s+Nguyễn Văn A\s+│.*│\s+1\s", months)

    reopened = _cli("reopen", "--period", "2024-03", "--by", "Trần Thị B", "--data-dir", data)
    assert "corrections applied: 1" in reopened and "District report rebuilt" in reopened

    history = _cli("history", "--period", "2024-03", "--data-dir", data)
    assert re.search(r"BL01 hoc_sinh TH14 tong: 1 → 2\s+from 'BL01_2024-03_sua.xlsx' "
                     r"\(version 2\)", history)
    assert "approved by Nguyễn Văn A" in history and "reopened by Trần Thị B" in history
    first_workbook = re.search(r"^\s+(\d+)\s+\S+ \S+\s+workbook", history, re.M)
    assert first_workbook and history.count(" workbook ") == 2

    old = tmp_path / "old.xlsx"
    _cli("history", "--period", "2024-03", "--data-dir", data, "--get",
         first_workbook.group(1), "--out", str(old))
    live = tmp_path / "var" / "reports" / "2024-03" / "BaoCaoTongHop_BL_2024-03.xlsx"
    assert old.exists() and old.read_bytes() != live.read_bytes()

    explained = _cli("explain", "--period", "2024-03", "--indicator", "TH14", "--unit",
                     "BL01", "--data-dir", data)
    assert "BL01 2024-03 hoc_sinh TH14 tong = 2" in explained
    assert "version 2 'BL01_2024-03_sua.xlsx'" in explained
    assert len(re.findall(r"row \d+\s+STT \d+ .* stage 7", explained)) == 2
