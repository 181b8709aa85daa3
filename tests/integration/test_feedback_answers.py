"""What the feedback of many submissions says, read back from the warehouse in a few
queries (warehouse.feedback_log.answers_of): each as it was loaded, a correction with the
version it replaces and that version's findings."""

from __future__ import annotations

import pytest
from warehouse_factories import cell_workbook, load

from core.findings import Finding
from warehouse.feedback_log import answers_of

pytestmark = pytest.mark.both_databases

WRONG = Finding("S01", "TongHop", 12, "C", "Tổng số không khớp", "error")
LATE = Finding("F06", None, None, None, "Gửi sau hạn", "warning")
ROSTER = Finding("R03", "DanhSach", 9, "F", "Ngày sinh không hợp lệ", "error")


def test_many_answers_each_as_loaded_in_the_findings_reading_order(sessions, tmp_path):
    first = load(sessions, tmp_path, cell_workbook("BL01", stages=(1, 2, 3)),
                 findings=(ROSTER, LATE, WRONG), day=20)
    other = load(sessions, tmp_path, cell_workbook("BL02"), day=20)
    corrected = load(sessions, tmp_path, cell_workbook("BL01"), day=22, findings=(LATE,))
    ids = [first.submission_id, other.submission_id, corrected.submission_id, 9999]
    with sessions() as session:
        answers = answers_of(session, ids)
    assert sorted(answers) == sorted(ids[:3])  # the missing one left out
    assert answers[first.submission_id].findings == (LATE, ROSTER, WRONG)  # reading order
    assert answers[first.submission_id].replaces_version is None
    assert answers[other.submission_id].findings == ()
    assert answers[other.submission_id].unit_code == "BL02"
    again = answers[corrected.submission_id]
    assert (again.version, again.replaces_version) == (2, 1)
    assert set(again.earlier_findings) == {ROSTER, LATE, WRONG}
    assert again.findings == (LATE,) and not again.sent
