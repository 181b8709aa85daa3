"""An upload on the web page is judged by the same rules as the same file in the inbox: a
corpus through both ways gives the same findings, file by file, and the same month."""

from __future__ import annotations

from datetime import datetime

import pytest
from factories import make_header, make_rejected_bl02, make_workbook
from inbox_files import LOCAL, drop

from core.registry import Registry
from core.settings import Settings
from flows.monthly import monthly_consolidation
from services.levels import DistrictLevel
from services.uploads import take_upload
from warehouse import models as m
from warehouse.unit_of_work import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_server")

ARRIVED = datetime(2024, 3, 20, 9, 0, tzinfo=LOCAL)  # as inbox_files.drop dates its files
# (unit, file name, content), in the order they arrive
CORPUS = [
    ("BL01", "BL01_2024-03.xlsx", make_workbook()),
    ("BL04", "BL04_2024-03.xlsx",
     make_workbook(header=make_header("BL04", unit_name="Chi bộ Trường THCS-THPT Lộc Bắc"))),
    ("BL02", "BL02_2024-03.xlsx", make_rejected_bl02()),
    ("BL03", "BL03_2024-03.xlsx", b"%PDF-1.4 a scan, not the workbook"),
    ("BL05", "BL05_2024-03.xlsx", make_workbook()),  # BL01's workbook from BL05's account
]


def _findings(settings: Settings) -> dict[str, list[tuple]]:
    with Warehouse.of(settings).session() as session:
        subs = {s.id: s.filename for s in session.query(m.Submission)}
        found: dict[str, list[tuple]] = {name: [] for name in subs.values()}
        for f in session.query(m.Finding):
            found[subs[f.submission_id]].append(
                (f.rule_id, f.severity, f.sheet, f.row, f.column, f.message))
    return {name: sorted(rows) for name, rows in found.items()}


def test_uploads_and_the_inbox_give_the_same_findings_and_the_same_month(tmp_path):
    by_web = Settings(data_dir=tmp_path / "web", pid_hash_key="test-key")
    registry = Registry.load(by_web.registry_dir)
    Warehouse.of(by_web).ready(registry)
    level = DistrictLevel.of(by_web, registry, data_docs=False)
    for unit, name, content in CORPUS:
        take_upload(level, unit, name, content, ARRIVED)
    web_month = monthly_consolidation("2024-03", by_web)

    by_inbox = Settings(data_dir=tmp_path / "inbox", pid_hash_key="test-key")
    for unit, name, content in CORPUS:
        drop(by_inbox, unit, name, content)
    inbox_month = monthly_consolidation("2024-03", by_inbox)

    web, inbox = _findings(by_web), _findings(by_inbox)
    assert set(web) == {name for _u, name, _c in CORPUS}
    assert web == inbox
    assert {r for rows in web.values() for r, *_ in rows} >= {"R02", "F01", "F05", "H07"}
    assert web_month.missing == inbox_month.missing
    assert web_month.export_csv.read_bytes() == inbox_month.export_csv.read_bytes()
