"""A streamed month's outputs are built while its files are answered
(services.reporting.prepare_district_outputs) and recorded afterwards as they are — only
if the month is still what they were built from; otherwise they are built again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from warehouse_factories import cell_workbook, load

from services import reporting
from services.reporting import (
    PreparedOutputs,
    prepare_district_outputs,
    write_district_outputs,
)
from warehouse.report_log import SPOOL, MadeFile
from warehouse.unit_of_work import Warehouse

pytestmark = pytest.mark.both_databases
PERIOD = "2024-03"


def _written(outputs) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {path.name: path.read_bytes() for path in
            (outputs.report, outputs.word, outputs.export_csv, outputs.export_json)}


def _bytes(prepared: PreparedOutputs) -> list[bytes]:
    """Each prepared output's bytes (the data file's are in a file made for it), sorted."""
    return sorted(c.path.read_bytes() if isinstance(c, MadeFile) else c
                  for c in prepared.contents.values())


def _spooled(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    """The files made for outputs and not recorded (or removed) yet."""
    return sorted((settings.reports / SPOOL).glob("*"))


@pytest.fixture
def prepared(settings, registry, sessions, tmp_path) -> PreparedOutputs:  # type: ignore[no-untyped-def]
    """The outputs of a month of one loaded file (BL01), prepared and not recorded."""
    Warehouse.of(settings).ready(registry)
    load(sessions, tmp_path, cell_workbook("BL01"))
    found = prepare_district_outputs(settings, registry, PERIOD)
    assert found is not None
    return found


def test_outputs_prepared_from_the_same_month_are_recorded_as_they_are(
        settings, registry, prepared):
    built = _bytes(prepared)
    assert len(_spooled(settings)) == 2  # the data file's CSV and JSON, made as files
    outputs = write_district_outputs(settings, registry, PERIOD, prepared=prepared)
    assert sorted(_written(outputs).values()) == built
    assert _spooled(settings) == []  # moved into place
    history = sorted((settings.reports / "history" / PERIOD).iterdir())
    assert sorted(path.read_bytes() for path in history) == built  # each version kept
    # and they are what a build without them writes
    for path in _written(outputs):
        (outputs.report.parent / path).unlink()
    again = write_district_outputs(settings, registry, PERIOD)
    assert sorted(_written(again).values()) == built and _spooled(settings) == []
    # nothing changed since: nothing to prepare
    assert prepare_district_outputs(settings, registry, PERIOD) is None


def test_outputs_prepared_are_recorded_as_they_are_not_built_again(
        settings, registry, prepared):
    prepared.discard()
    marked = replace(prepared, contents={k: b"as prepared: " + k.encode()
                                         for k in prepared.contents})
    outputs = write_district_outputs(settings, registry, PERIOD, prepared=marked)
    assert sorted(_written(outputs).values()) == sorted(marked.contents.values())


def test_outputs_prepared_before_the_month_changed_are_built_again(
        settings, registry, sessions, tmp_path, prepared):
    load(sessions, tmp_path, cell_workbook("BL02"), day=22)  # a file loaded meanwhile
    built = _bytes(prepared)
    outputs = write_district_outputs(settings, registry, PERIOD, prepared=prepared)
    assert outputs.missing.count("BL02") == 0 and "BL01" not in outputs.missing
    written = _written(outputs)
    assert not set(written.values()) & set(built)
    assert _spooled(settings) == []  # what was made for them removed
    # the same submissions in use, but built from other inputs (another digest): built
    # again too
    for path in written:
        (outputs.report.parent / path).unlink()
    fresh = prepare_district_outputs(settings, registry, PERIOD)
    assert fresh is not None and _bytes(fresh) == sorted(written.values())
    fresh.discard()
    stale = replace(fresh, inputs="0" * 64, contents={k: b"stale" for k in fresh.contents})
    assert _written(write_district_outputs(settings, registry, PERIOD, prepared=stale)) \
        == written


def test_a_build_that_fails_after_its_data_file_was_made_leaves_nothing_made(
        settings, registry, sessions, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    Warehouse.of(settings).ready(registry)
    load(sessions, tmp_path, cell_workbook("BL01"))

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the Word report could not be built")

    monkeypatch.setattr(reporting, "build_district_word", broken)
    with pytest.raises(RuntimeError):
        write_district_outputs(settings, registry, PERIOD)
    assert _spooled(settings) == []
