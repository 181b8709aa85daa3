"""A streamed month's outputs are built while its files are answered
(services.reporting.prepare_district_outputs) and recorded afterwards as they are — only
if the month is still what they were built from; otherwise they are built again."""

from __future__ import annotations

from dataclasses import replace

import pytest
from warehouse_factories import cell_workbook, load

from services.reporting import (
    PreparedOutputs,
    prepare_district_outputs,
    write_district_outputs,
)
from warehouse.unit_of_work import Warehouse

pytestmark = pytest.mark.both_databases
PERIOD = "2024-03"


def _written(outputs) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {path.name: path.read_bytes() for path in
            (outputs.report, outputs.word, outputs.export_csv, outputs.export_json)}


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
    marked = replace(prepared, contents={k: b"as prepared: " + k.encode()
                                         for k in prepared.contents})
    outputs = write_district_outputs(settings, registry, PERIOD, prepared=marked)
    assert sorted(_written(outputs).values()) == sorted(marked.contents.values())
    # and they are what a build without them writes
    for path in _written(outputs):
        (outputs.report.parent / path).unlink()
    again = write_district_outputs(settings, registry, PERIOD)
    assert sorted(_written(again).values()) == sorted(prepared.contents.values())
    # nothing changed since: nothing to prepare
    assert prepare_district_outputs(settings, registry, PERIOD) is None


def test_outputs_prepared_before_the_month_changed_are_built_again(
        settings, registry, sessions, tmp_path, prepared):
    load(sessions, tmp_path, cell_workbook("BL02"), day=22)  # a file loaded meanwhile
    outputs = write_district_outputs(settings, registry, PERIOD, prepared=prepared)
    assert outputs.missing.count("BL02") == 0 and "BL01" not in outputs.missing
    written = _written(outputs)
    assert not set(written.values()) & set(prepared.contents.values())
    # the same submissions in use, but built from other inputs (another digest): built
    # again too
    for path in written:
        (outputs.report.parent / path).unlink()
    fresh = prepare_district_outputs(settings, registry, PERIOD)
    assert fresh is not None and sorted(fresh.contents.values()) == sorted(written.values())
    stale = replace(fresh, inputs="0" * 64, contents={k: b"stale" for k in fresh.contents})
    assert _written(write_district_outputs(settings, registry, PERIOD, prepared=stale)) \
        == written
