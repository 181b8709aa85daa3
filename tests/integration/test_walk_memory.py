"""What a month's walk holds on to (flows.walk): the received files as archived, not in
memory; a batch read or checked, only until the step that waits for it is done with it."""

from __future__ import annotations

import gc
import weakref

import pytest
from factories import make_header, make_workbook
from inbox_files import drop
from prefect import flow
from prefect.utilities.annotations import quote

from core.settings import Settings
from flows.walk import Handed, _content, _outcomes, collect_files, read_files
from services.levels import DistrictLevel

# sessions: the warehouse at the latest schema
pytestmark = pytest.mark.usefixtures("prefect_server", "sessions")


def test_collected_files_are_held_by_the_archive_and_read_back_from_it(settings: Settings):
    level = DistrictLevel.of(settings)
    files = {f"BL0{n}": make_workbook(header=make_header(f"BL0{n}")) for n in (1, 2, 3)}
    for unit, content in files.items():
        drop(level.settings, unit, f"{unit}.xlsx", content)

    collection = collect_files(level)

    assert {c.incoming.sender for c in collection.files} == set(files)
    assert all(c.incoming.content == b"" for c in collection.files)  # none held
    assert {c.incoming.sender: _content(c, level) for c in collection.files} == files


def test_a_batch_read_by_a_task_is_freed_once_taken_without_waiting_for_a_collection(
        settings: Settings):
    level = DistrictLevel.of(settings)

    @flow
    def read_and_let_go() -> tuple[bool, bool]:
        future = read_files.submit(quote([make_workbook(header=make_header("BL01"))]), level)
        future.wait()
        gc.disable()  # only reference counting frees anything from here on
        try:
            outcomes = _outcomes([future])
            read = outcomes[0].report is not None
            watched = weakref.ref(outcomes[0])
            del outcomes
            # the task's future and state still exist (and hold each other): not the batch
            return read, watched() is None
        finally:
            gc.enable()

    assert read_and_let_go() == (True, True)


def test_a_handed_over_result_is_taken_once():
    handed = Handed([1, 2])
    assert handed.take() == [1, 2]
    with pytest.raises(RuntimeError):
        handed.take()
