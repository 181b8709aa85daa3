"""core.memory: freed heap pages handed back to the system."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from worker_functions import Cyclic

from core.memory import (
    YOUNG_OBJECTS,
    collector_paused,
    fewer_collections,
    give_back,
    let_go,
)

HOLES = textwrap.dedent("""
    import sys
    sys.path[:0] = sys.argv[1:]
    from worker_functions import leave_holes, resident_mib
    from core.memory import give_back
    before = resident_mib()
    kept = leave_holes(200)  # the small blocks stay: the large ones' pages are holes
    holding = resident_mib()
    trimmed = give_back()
    print(before, holding, resident_mib(), trimmed)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_blocks_between_live_ones_go_back_to_the_system_when_given_back():
    tests = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", HOLES, str(tests), str(tests.parent)],
                         capture_output=True,
                         text=True, check=True).stdout.split()
    before, holding, after, trimmed = float(out[0]), float(out[1]), float(out[2]), out[3]
    assert trimmed == "True"
    assert holding - before > 150  # the holes were resident before the trim...
    assert after - before < 50  # ...and are not after it


def test_giving_back_where_the_c_library_cannot_does_nothing(monkeypatch):
    from core import memory

    monkeypatch.setattr(memory, "_trim", lambda: None)
    assert give_back() is False


@pytest.mark.parametrize(("before", "after"), [
    ((700, 10, 10), (YOUNG_OBJECTS, 10, 10)),  # Python's default: collected less often
    ((50_000, 5, 5), (50_000, 5, 5)),  # a larger setting is kept
    ((0, 10, 10), (0, 10, 10)),  # so is the collector turned off
])
def test_fewer_collections_raises_only_a_smaller_youngest_threshold(before, after):
    import gc

    kept = gc.get_threshold()
    try:
        gc.set_threshold(*before)
        fewer_collections()
        assert gc.get_threshold() == after
    finally:
        gc.set_threshold(*kept)


def test_a_process_that_runs_flows_collects_after_thousands_of_new_objects():
    import gc

    import flows  # noqa: F401  (every flow's module imports the package first)

    assert gc.get_threshold()[0] >= YOUNG_OBJECTS


def test_the_collector_is_paused_inside_and_running_again_after_even_on_an_error():
    import gc

    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        assert not gc.isenabled()
        raise KeyError("a failed build")
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_outer_one_paused():
    import gc

    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_letting_go_frees_garbage_in_reference_cycles_even_with_the_collector_paused():
    import weakref

    with collector_paused():
        watched = weakref.ref(Cyclic())
        assert watched() is not None  # a cycle: reference counting alone never frees it
        let_go()
        assert watched() is None


def test_letting_go_and_keeping_survivors_sets_them_aside_from_later_collections():
    import gc

    kept = Cyclic()
    try:
        let_go(keep_survivors=True)
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # walked no more
    finally:
        gc.unfreeze()
