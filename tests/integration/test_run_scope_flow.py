"""What a monthly run takes, through the flow (on SQLite): only the cells of
the unit it consolidates (F04 — another district's cell, claimed by a file in the inbox
root, is refused and makes no false H07 on a genuine file), and no report for a month after
the one it arrived in (F10 — refused, so that month's later run does not count it).

Both need the flow to pass the consolidating unit and the file's arrival to the validation
(``Context(unit_code=settings.district_code, timezone=settings.timezone)``,
``BatchItem(received_at=c.incoming.received_at)`` in services/levels.py)."""

from __future__ import annotations

import pytest
from factories import make_header, make_roster, make_summary, make_workbook
from inbox_files import drop
from sqlalchemy import select

from core.settings import PROJECT_ROOT, Settings
from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")

PROVINCE = PROJECT_ROOT / "config" / "registry" / "lam-dong-2024-province"
Findings = list[tuple[str, str, str]]  # (rule, severity, message)


def _stored(settings: Settings) -> dict[str, tuple[str, Findings]]:
    """filename -> (status, findings) as the warehouse holds them."""
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        found = {s.filename: (s.status, sorted(
            (f.rule_id, f.severity, f.message) for f in session.scalars(
                select(m.Finding).where(m.Finding.submission_id == s.id))))
            for s in session.scalars(select(m.Submission))}
    engine.dispose()
    return found


def _rules(findings: Findings) -> set[str]:
    return {rule for rule, _severity, _message in findings}


def test_a_cell_of_another_district_is_refused_and_gives_no_false_h07(
        settings: Settings) -> None:
    """The province's registry, the run of Bảo Lâm (BL): BLC01 is Bảo Lộc's cell."""
    from flows.monthly import monthly_consolidation

    settings = settings.model_copy(update={"registry_dir": PROVINCE, "district_code": "BL"})
    roster = make_roster()  # both files list the same people
    drop(settings, "", "BL01.xlsx", make_workbook(roster=roster))
    drop(settings, "", "BLC01.xlsx", make_workbook(
        header=make_header("BLC01", unit_name="Chi bộ Trường THPT Bảo Lộc"), roster=roster,
        summary=make_summary(roster, TH13_hoc_sinh=7)))

    monthly_consolidation("2024-03", settings)

    stored = _stored(settings)
    status, findings = stored["BLC01.xlsx"]
    assert status == "rejected"
    assert [(rule, severity) for rule, severity, _text in findings if severity == "ERROR"] == [
        ("F04", "ERROR")]
    assert any("thuộc Đảng bộ thành phố Bảo Lộc, không thuộc Đảng bộ huyện Bảo Lâm" in text
               for rule, _severity, text in findings if rule == "F04")
    assert stored["BL01.xlsx"][0] == "accepted"
    assert "H07" not in _rules(stored["BL01.xlsx"][1])


def test_a_report_for_a_later_month_is_refused_and_not_counted_in_that_month(
        settings: Settings) -> None:
    """BL02 claims June 2024 in a file that arrived on 20 March 2024."""
    from flows.monthly import monthly_consolidation

    drop(settings, "BL01", "BL01_2024-03.xlsx", make_workbook())
    roster = make_roster()
    drop(settings, "BL02", "BL02_2024-06.xlsx", make_workbook(
        header=make_header("BL02", "2024-06", unit_name="Chi bộ Trường THPT Lộc An"),
        roster=roster, summary=make_summary(roster, "2024-06", TH13_hoc_sinh=5)))

    monthly_consolidation("2024-03", settings)

    status, findings = _stored(settings)["BL02_2024-06.xlsx"]
    assert status == "rejected"
    assert [(rule, severity) for rule, severity, _text in findings if severity == "ERROR"] == [
        ("F10", "ERROR")]
    assert "F06" not in _rules(findings)
    assert _stored(settings)["BL01_2024-03.xlsx"][0] == "accepted"
    june = monthly_consolidation("2024-06", settings)
    assert "BL02" in june.missing
