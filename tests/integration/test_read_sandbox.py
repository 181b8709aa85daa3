"""Reading in a child process bounded in memory and time (forms/sandbox.py), with real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_header, make_workbook
from hostile_corpus import heavy_but_legal

from forms.errors import ReadLimitExceeded
from forms.sandbox import SandboxLimits, _idle, read_contained, read_spread

GOOD = make_workbook(header=make_header("BL02"))


def _units(outcomes) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [o.report.header.unit_code if o.report else None for o in outcomes]


def test_a_legal_but_heavy_workbook_reads_within_the_default_limits():
    [outcome] = read_contained([heavy_but_legal()])
    assert outcome.error is None and outcome.report.header.unit_code == "BL01"


def test_a_file_that_needs_more_memory_than_allowed_is_stopped_and_the_chunk_goes_on():
    outcomes = read_contained([GOOD, heavy_but_legal(), GOOD], SandboxLimits(memory_mib=160))
    assert _units(outcomes) == ["BL02", None, "BL02"]
    assert isinstance(outcomes[1].error, ReadLimitExceeded)
    assert outcomes[1].error.rule_id == "F01"
    assert "bộ nhớ" in outcomes[1].error.message_vi


def test_a_file_that_takes_longer_than_allowed_is_stopped_and_the_chunk_goes_on():
    outcomes = read_contained([GOOD, heavy_but_legal(), GOOD], SandboxLimits(seconds=0.5))
    assert _units(outcomes) == ["BL02", None, "BL02"]
    assert isinstance(outcomes[1].error, ReadLimitExceeded)
    assert "0.5 giây" in outcomes[1].error.message_vi


def test_bad_files_come_back_named_in_order_from_one_reused_child():
    limits = SandboxLimits(memory_mib=512, seconds=30)
    first = read_contained([b"", GOOD, b"\x89PNG\r\n\x1a\n"], limits)
    assert [type(o.error).__name__ if o.error else o.kind for o in first] == [
        "EmptyFile", "cell_report", "UnsupportedFormat"]
    [child] = _idle[limits]
    read_contained([GOOD], limits)
    assert _idle[limits] == [child]  # the same process answered again: no start-up per chunk


def test_a_files_time_limit_does_not_count_its_readers_start_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh child (the first, or the one after a child was stopped) takes its imports'
    time to start, longer on a busy machine: the file it reads first has its whole limit
    for itself. Here the child's start-up is made 1.5 s long, the file's limit 0.5 s."""
    (tmp_path / "sitecustomize.py").write_text("import time\ntime.sleep(1.5)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    limits = SandboxLimits(memory_mib=768, seconds=0.5)  # a pool of its own
    try:
        outcomes = read_contained([GOOD, GOOD], limits)
    finally:
        for child in _idle.pop(limits, []):
            child.kill()
    assert _units(outcomes) == ["BL02", "BL02"]


def test_chunks_read_side_by_side_come_back_in_the_files_order():
    files = [GOOD if n % 3 else b"" for n in range(9)]
    outcomes = read_spread(files, SandboxLimits(), children=2, chunk_size=2)
    assert [o.kind if o.report else type(o.error).__name__ for o in outcomes] == [
        "EmptyFile", "cell_report", "cell_report"] * 3


def test_a_read_by_fewer_children_than_the_one_before_lets_the_idle_others_go():
    limits = SandboxLimits(seconds=29)  # children of their own, not another test's
    try:
        read_spread([GOOD] * 4, limits, children=2, chunk_size=2)
        started = [c.process for c in _idle[limits]]
        assert len(started) == 2
        outcomes = read_spread([GOOD] * 4, limits, children=1, chunk_size=2)
        assert _units(outcomes) == ["BL02"] * 4
        [kept] = [c.process for c in _idle[limits]]
        [ended] = [p for p in started if p is not kept]
        assert ended.wait(5) is not None  # its process is gone, not only forgotten
        assert kept.poll() is None
    finally:
        for child in _idle.pop(limits, []):
            child.kill()


def test_many_files_are_read_by_a_lasting_worker_with_the_same_outcomes(tmp_path: Path):
    from core.settings import Settings
    from services import workers
    from services.levels import DistrictLevel

    level = DistrictLevel.of(Settings(data_dir=tmp_path, pid_hash_key="k"))
    files = [make_workbook(header=make_header(f"BL{n % 9 + 1:02d}")) for n in range(4)]
    files = (files * (workers.MIN_ITEMS // 4 + 1))[:workers.MIN_ITEMS]
    try:
        outcomes = level.read(files, children=2)
        [worker] = workers.lasting_worker("read")._started  # read there, not here
        assert worker.process.poll() is None
        assert _units(outcomes) == _units(read_contained(files))
        worker.process.kill()  # a worker that dies: the files are read here instead
        worker.process.wait()
        assert _units(level.read(files)) == _units(outcomes)
    finally:
        workers._close_lasting()
