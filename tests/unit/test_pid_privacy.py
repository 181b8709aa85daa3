"""Identification numbers never leave the validation: not in a finding's message (stored in
the warehouse, shown in artifacts and logs), not in the GX frames, not in the Data Docs —
while R04, R09 and H07 still find exactly what they found with the numbers themselves."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from factories import PERIOD, make_header, make_roster, make_row, make_summary, make_workbook
from pid_needles import PidNeedles

from cellreports.demo import demo_course_records
from core.registry import Registry
from forms.course_register import write_course_register
from forms.dispatch import read_any
from forms.reader import read_cell_report
from validations.context import Context
from validations.frames import BatchItem, register_frame
from validations.roster_frame import roster_frame
from validations.run import validate_batch

SECRET = b"pid-privacy-test"
P = make_row(50, 2)  # on the rosters of BL02 and BL03, both accepted: H07 both ways


def _defects() -> list:  # type: ignore[type-arg]
    """BL01's roster with every identification-number defect of R04 and R09."""
    rows = make_roster()
    rows[1] = replace(rows[1], pid="06820500000X")  # 11 digits and a letter
    rows[2] = replace(rows[2], pid="068305000003")  # gender digit
    rows[3] = replace(rows[3], pid="068207000004")  # birth-year digits
    rows[4] = replace(rows[4], pid="999205000005")  # not a province (WARNING)
    rows[6] = replace(rows[6], pid=rows[5].pid)  # the same number twice
    return rows


def _with_p(unit: str, name: str, base: int) -> BatchItem:
    rows = [replace(make_row(base + k, 2), stt=k) for k in (1, 2)]
    rows.append(replace(P, stt=3))
    return BatchItem(read_cell_report(make_workbook(
        header=make_header(unit, unit_name=name), roster=rows, summary=make_summary(rows))))


def _register() -> BatchItem:
    records = list(demo_course_records())[:3]
    records[1] = replace(records[1], pid=f"{records[1].pid[:10]}X")
    outcome = read_any(write_course_register(records, course_code=None, title="SỔ HỌC VIÊN"))
    return BatchItem(None, register=outcome.register)


@pytest.fixture(scope="module")
def batch() -> list[BatchItem]:
    defects = _defects()
    return [BatchItem(read_cell_report(make_workbook(roster=defects,
                                                     summary=make_summary(defects)))),
            _with_p("BL02", "Chi bộ Trường THPT Lộc An", 200),
            _with_p("BL03", "Chi bộ Trường THPT Lộc Thành", 300), _register()]


@pytest.fixture(scope="module")
def needles(batch: list[BatchItem]) -> PidNeedles:
    pids = [row.pid for item in batch if item.report for row in item.report.roster if row.pid]
    pids += [row.pid for item in batch if item.register for row in item.register.rows
             if row.pid]
    return PidNeedles(pids)


@pytest.fixture(scope="module")
def validated(batch: list[BatchItem], registry: Registry,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[list, Path]:  # type: ignore[type-arg]
    docs = tmp_path_factory.mktemp("datadocs").resolve()
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET)
    return validate_batch(batch, registry, PERIOD, context, docs_dir=docs), docs


def test_the_number_checks_find_what_they_found_with_the_numbers(validated) -> None:  # type: ignore[no-untyped-def]
    found, _docs = validated
    clean = read_cell_report(make_workbook())
    row = [r.excel_row for r in clean.roster]
    pid, name = clean.roster_columns["pid"], clean.roster_columns["full_name"]
    assert [(f.rule_id, f.row, f.column, f.severity) for f in found[0]
            if f.rule_id in ("R04", "R09")] == [
        ("R04", row[1], pid, "ERROR"), ("R04", row[2], pid, "ERROR"),
        ("R04", row[3], pid, "ERROR"), ("R04", row[4], pid, "WARNING"),
        ("R09", row[5], name, "ERROR"), ("R09", row[6], name, "ERROR")]
    for accepted in found[1:3]:  # (and X03: the targets are BL01's)
        assert not any(f.is_error for f in accepted)
        assert [f.rule_id for f in accepted if f.rule_id == "H07"] == ["H07"]
    assert [f.rule_id for f in found[3]] == ["R04"]


def test_messages_name_the_row_and_the_person_never_the_number(validated, needles) -> None:  # type: ignore[no-untyped-def]
    found, _docs = validated
    messages = [f.message for one in found for f in one]
    assert not [hit for text in messages for hit in needles.find(text)]
    [h07] = [f for f in found[2] if f.rule_id == "H07"]
    assert h07.message.startswith(f"Người ở dòng {h07.row} ({P.full_name}) cũng có trong "
                                  "danh sách của chi bộ BL02 cùng kỳ")


def test_the_frames_carry_no_digit_of_a_number(batch, registry, needles) -> None:  # type: ignore[no-untyped-def]
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET)
    for frame in (roster_frame(batch, context), register_frame(batch, context)):
        assert not frame.empty
        assert not needles.find(frame.to_csv()), frame.columns.tolist()


def test_the_data_docs_show_no_digit_of_a_number(validated, needles) -> None:  # type: ignore[no-untyped-def]
    _found, docs = validated
    files = [p for p in docs.rglob("*") if p.is_file()]
    shown = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in files)
    # the pages are there and show the failures (a scan of nothing would pass)
    assert all(rule in shown for rule in ("R04", "R09", "H07"))
    hits = {str(p.relative_to(docs)): found for p in files
            if (found := needles.in_bytes(p.read_bytes()))}
    assert not hits
