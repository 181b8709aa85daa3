"""A registry without ``senders`` (REGISTRY.md: the column is optional), through the monthly
flow (on SQLite): each unit's own sub-folder of the folder inbox may send for
it (F05), another unit's may not."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_header, make_workbook
from inbox_files import drop
from registry_copies import registry_without_senders
from sqlalchemy import select

from cellreports.demo import demo_course_register
from core.registry import Registry
from core.settings import Settings
from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_without_senders_each_unit_sends_from_its_own_sub_folder(settings: Settings,
                                                                  tmp_path: Path) -> None:
    from flows.monthly import monthly_consolidation

    settings = settings.model_copy(update={
        "registry_dir": registry_without_senders(tmp_path / "registry")})
    drop(settings, "BL01", "BL01.xlsx", make_workbook())
    drop(settings, "bl02", "BL02.xlsx", make_workbook(
        header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An")))
    drop(settings, "BL04", "BL03_tu_BL04.xlsx", make_workbook(
        header=make_header("BL03", unit_name="Chi bộ Trường THPT Lộc Thành")))
    register = demo_course_register(Registry.load(settings.registry_dir))
    drop(settings, "BLTT", register.filename, register.content)

    monthly_consolidation("2024-03", settings)

    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        found = {s.filename: (s.unit_code, s.status, sorted(
            f.rule_id for f in session.scalars(select(m.Finding).where(
                m.Finding.submission_id == s.id, m.Finding.severity == "ERROR"))))
            for s in session.scalars(select(m.Submission))}
    engine.dispose()
    assert found["BL01.xlsx"] == ("BL01", "accepted", [])
    assert found["BL02.xlsx"] == ("BL02", "accepted", [])  # the folder's name without case
    assert found["BL03_tu_BL04.xlsx"] == ("BL03", "rejected", ["F05"])
    assert found[register.filename] == ("BLTT", "accepted", [])
