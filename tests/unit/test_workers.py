"""services.workers: pure steps on worker processes, each result in its item's order."""

from __future__ import annotations

import os

import pytest
from worker_functions import (
    collector_threshold,
    cycle_alive,
    die_in_a_worker,
    frozen_objects,
    leave_a_cycle,
    leave_holes,
    noisy_square,
    process_id,
    refuse_odd,
    resident_mib,
    square,
    where_computed,
)

from core.memory import YOUNG_OBJECTS
from services import workers as workers_module
from services.workers import (
    Workers,
    end_lasting,
    lasting_started,
    lasting_worker,
    map_on_cores,
    result_or_here,
    worker_count,
)


def test_results_come_back_in_the_order_of_the_items_from_the_workers():
    parent = os.getpid()
    results = list(map_on_cores(where_computed, [(n, parent) for n in range(30)], workers=2,
                                min_items=1))
    assert [n for n, _here in results] == list(range(30))
    assert not any(here for _n, here in results)  # every one computed in a worker


@pytest.mark.parametrize(("workers", "items", "min_items"), [
    (2, 5, 6),  # fewer items than the minimum
    (1, 3, 0),  # one worker: none is started
])
def test_few_items_or_one_worker_are_computed_in_this_process(workers, items, min_items):
    parent = os.getpid()
    results = list(map_on_cores(where_computed, [(n, parent) for n in range(items)],
                                workers=workers, min_items=min_items))
    assert results == [(n, True) for n in range(items)]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_exception_is_its_items_result_and_the_others_go_on(workers):
    results = list(map_on_cores(refuse_odd, [(n,) for n in range(6)], workers=workers,
                                min_items=1))
    assert [r for r in results if not isinstance(r, Exception)] == [0, 2, 4]
    assert [str(r) for r in results if isinstance(r, ValueError)] == ["odd: 1", "odd: 3",
                                                                       "odd: 5"]
    assert [isinstance(r, Exception) for r in results] == [False, True] * 3


def test_what_a_dead_worker_did_not_return_is_computed_here():
    parent = os.getpid()
    results = list(map_on_cores(die_in_a_worker, [(n, parent) for n in range(8)], workers=2,
                                min_items=1))
    assert results == [(n, True) for n in range(8)]


def test_the_same_results_as_computed_here():
    items = [(n,) for n in range(200)]
    assert list(map_on_cores(square, items, workers=2, min_items=1)) == [
        n * n for n in range(200)]


def test_lasting_workers_serve_one_call_after_another_and_outlive_them():
    try:
        first = set(map_on_cores(process_id, [()] * 40, workers=2, min_items=1,
                                 lasting="test-pool"))
        again = set(map_on_cores(process_id, [()] * 40, workers=2, min_items=1,
                                 lasting="test-pool"))
        assert os.getpid() not in first | again
        assert again <= first  # the same processes, none started for the second call
        assert all(w.process.poll() is None for w in lasting_worker("test-pool")._started)
    finally:
        workers_module._close_lasting()


def test_closing_tells_every_worker_to_end_and_each_ends_cleanly():
    pool = lasting_worker("test-close", 2)
    assert len(set(map_on_cores(process_id, [()] * 20, workers=2, min_items=1,
                                lasting="test-close"))) >= 1
    started = list(pool._started)
    workers_module._close_lasting()
    assert started and all(w.process.returncode == 0 for w in started)
    assert "test-close" not in workers_module._lasting


def test_worker_count_is_the_setting_or_one_per_core():
    assert worker_count(3) == 3
    assert worker_count(1) == 1
    assert worker_count(None) == len(os.sched_getaffinity(0))


def test_a_call_beside_runs_in_a_worker_and_its_exception_is_raised_here():
    parent = os.getpid()
    with Workers(1) as workers:
        workers.warm_up("worker_functions")
        beside = workers.submit(where_computed, 7, parent)
        failing = workers.submit(refuse_odd, 3)
        assert result_or_here(beside, where_computed, 7, parent) == (7, False)
        with pytest.raises(ValueError, match="odd: 3"):
            result_or_here(failing, refuse_odd, 3)


def test_no_workers_computes_the_call_here_when_its_result_is_asked():
    parent = os.getpid()
    with Workers(0) as workers:
        future = workers.submit(where_computed, 7, parent)
        assert result_or_here(future, where_computed, 7, parent) == (7, True)


def test_a_call_whose_worker_dies_is_computed_here():
    parent = os.getpid()
    with Workers(1) as workers:
        future = workers.submit(die_in_a_worker, 5, parent)
        assert result_or_here(future, die_in_a_worker, 5, parent) == (5, True)


def test_a_worker_ends_when_its_run_closes_it():
    with Workers(1) as workers:
        workers.submit(square, 2).result()
        [worker] = workers._started
    assert worker.process.poll() is not None


def test_what_a_function_prints_never_mixes_with_the_results():
    parent = os.getpid()
    results = list(map_on_cores(noisy_square, [(n, parent) for n in range(4)], workers=2,
                                min_items=1))
    assert results == [(n * n, False) for n in range(4)]  # answered by the workers


def test_a_lasting_worker_answers_every_call_from_one_process_until_the_process_ends():
    name = "test-lasting"
    try:
        first = lasting_worker(name).submit(process_id).result()
        again = lasting_worker(name).submit(process_id).result()
        assert first == again != os.getpid()  # one worker, started once, kept between calls
        [worker] = lasting_worker(name)._started
    finally:
        workers_module._close_lasting()  # what the process's exit does
    assert worker.process.poll() is not None
    assert name not in workers_module._lasting


def test_an_ended_lasting_worker_exits_and_the_next_call_starts_another():
    name = "test-ended"
    try:
        first = lasting_worker(name).submit(process_id).result()
        [worker] = lasting_worker(name)._started
        assert end_lasting(name) is True
        assert worker.process.poll() == 0  # ended cleanly, not left to the run's exit
        assert not lasting_started(name)
        again = lasting_worker(name).submit(process_id).result()
        assert again not in (first, os.getpid())
        assert end_lasting(name) is True
        assert end_lasting(name) is False  # none running: nothing to end
    finally:
        workers_module._close_lasting()


def test_a_worker_hands_back_what_a_call_freed_before_it_waits_for_the_next():
    """A lasting worker kept its largest call's size for the rest of the run, beside every
    other process: the 64 KiB blocks a call freed between live ones are not resident after
    it (they are, 200 MiB of them, without the trim)."""
    with Workers(1) as pool:
        start = pool.submit(resident_mib).result()
        assert pool.submit(leave_holes, 200).result() == 200 * 16
        assert pool.submit(resident_mib).result() - start < 50


def test_a_worker_collects_cyclic_garbage_after_thousands_of_new_objects_not_hundreds():
    with Workers(1) as pool:
        young, older, oldest = pool.submit(collector_threshold).result()
    assert young == YOUNG_OBJECTS
    assert (older, oldest) == (10, 10)  # Python's own for the older generations


def test_a_worker_frees_a_calls_cyclic_garbage_before_the_next_call():
    with Workers(1) as pool:
        pool.submit(leave_a_cycle).result()  # its collector off: only the worker's own pass
        assert pool.submit(cycle_alive).result() is False


def test_what_a_workers_first_call_leaves_is_kept_out_of_later_collections():
    with Workers(1) as pool:
        assert pool.submit(frozen_objects).result() == 0  # a fresh worker: nothing set aside
        assert pool.submit(frozen_objects).result() > 10_000  # its imports, after the first
