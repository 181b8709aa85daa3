"""Rule F10: a report for a month later than the month it arrived in (local time) is
refused — not filed under that month with an F06 warning. A report of the current month
sent before the month ends is not a future one, nor is a late one; without an arrival time
nothing is compared."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import make_header, make_roster, make_summary, make_workbook

from core.findings import ERROR, Finding
from core.form import CellReport
from core.registry import Registry
from core.settings import PROJECT_ROOT
from forms.dispatch import read_any
from validations.context import Context
from validations.frames import BatchItem
from validations.run import validate_batch

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
RUN_PERIOD = "2024-03"
MARCH_20 = datetime(2024, 3, 20, 9, 0, tzinfo=LOCAL)


REGISTRY = Registry.load(PROJECT_ROOT / "config" / "registry" / "lam-dong-2025")


def _report(code: str, period: str, name: str = "Chi bộ Trường THPT Bảo Lâm") -> CellReport:
    roster = make_roster()
    report = read_any(make_workbook(header=make_header(code, period, unit_name=name),
                                    roster=roster, summary=make_summary(roster, period))).report
    assert report is not None
    return report


# name -> (cell, period claimed, received at). BLM101 of the 2025 registry has no end date,
# so a far month is no F04 (inactive) and F10 is seen alone; BL01 is there until 2025-06.
CASES: dict[str, tuple[str, str, datetime | None]] = {
    "2027-06": ("BLM101", "2027-06", MARCH_20),
    "2099-12": ("BLM101", "2099-12", MARCH_20),
    "early": ("BL01", "2024-03", datetime(2024, 3, 5, 8, 0, tzinfo=LOCAL)),
    "late": ("BL01", "2024-02", MARCH_20),
    # 23:30 on 31 March in Hà Nội is March; 00:30 on 1 April is April
    "before midnight": ("BL01", "2024-04", datetime(2024, 3, 31, 16, 30, tzinfo=UTC)),
    "after midnight": ("BL01", "2024-04", datetime(2024, 3, 31, 17, 30, tzinfo=UTC)),
    "arrival unknown": ("BLM101", "2027-06", None),
}


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[CellReport, list[Finding]]]:
    """Every case in one batch (one GX run per frame, as the flow does); H07 is left out:
    the cases list the same people."""
    reports = {name: _report(code, period) for name, (code, period, _at) in CASES.items()}
    items = [BatchItem(reports[name], received_at=at) for name, (_c, _p, at) in CASES.items()]
    found = validate_batch(items, REGISTRY, RUN_PERIOD,
                           Context(registry=REGISTRY, run_period=RUN_PERIOD),
                           same_person=False)
    return {name: (reports[name], one) for name, one in zip(CASES, found, strict=True)}


def _rules(found: list[Finding]) -> set[str]:
    return {f.rule_id for f in found}


@pytest.mark.parametrize("case", ["2027-06", "2099-12"])
def test_a_far_future_month_is_refused_at_the_period_cell(results, case: str) -> None:  # type: ignore[no-untyped-def]
    report, found = results[case]
    f10 = [f for f in found if f.rule_id == "F10"]
    where = report.header.cells["period"]
    assert [(f.severity, f.sheet, f.row, f.column) for f in f10] == [
        (ERROR, where.sheet, where.row, where.column)]
    shown = f"{case[5:]}/{case[:4]}"
    assert f10[0].message.startswith(f"Báo cáo ghi kỳ {shown}, sau tháng nhận tệp (03/2024)")
    assert "Đề nghị kiểm tra lại «Kỳ báo cáo»" in f10[0].message
    # refused, not filed: F06's "filed under its own period" would say otherwise
    assert "F06" not in _rules(found)


def test_the_current_month_sent_before_it_ends_is_not_a_future_one(results) -> None:  # type: ignore[no-untyped-def]
    assert results["early"][1] == []


def test_a_late_report_is_not_a_future_one(results) -> None:  # type: ignore[no-untyped-def]
    found = results["late"][1]
    assert "F10" not in _rules(found) and "F06" in _rules(found)


def test_the_month_of_arrival_is_local_time(results) -> None:  # type: ignore[no-untyped-def]
    assert "F10" in _rules(results["before midnight"][1])
    assert "F10" not in _rules(results["after midnight"][1])


def test_without_an_arrival_time_nothing_is_compared(results) -> None:  # type: ignore[no-untyped-def]
    found = results["arrival unknown"][1]
    assert "F10" not in _rules(found) and "F06" in _rules(found)
