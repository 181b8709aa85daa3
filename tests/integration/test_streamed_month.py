"""A month streamed in batches (Settings.stream_batch_size) ends as the same month walked in
one batch: the same statuses and versions, the same findings on every file in force (H07
across batches included, settled from the warehouse before anyone is answered), the same
figures in the reports and the data file, the same answers to the files in force. The
month has a rejected roster, an unreadable file, two versions of one cell in different
batches and people shared by cells whose files land in different batches.

What differs, by design (docs/benchmarks.md): a rejected file keeps the H07 warnings of
its own batch — the other cells' rosters loaded before it, as when it is taken in early by
intake (the warehouse keeps no roster of a rejected file to settle it from)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from factories import make_header, make_row, make_summary, make_workbook
from inbox_files import drop
from openpyxl import load_workbook
from sqlalchemy import select
from styles import STYLES

from core.form import RosterRow
from core.run import RunSummary
from core.settings import Settings
from flows.monthly import monthly_consolidation
from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")

PERIOD = "2024-03"
NAMES = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An",
         "BL03": "Chi bộ Trường THPT Lộc Thành", "BL04": "Chi bộ Trường THCS-THPT Lộc Bắc"}
P, Q, R = 1, 2, 3  # people by their number in tests/factories.make_row


def _workbook(unit: str, *shared: int, own: int = 2, broken: bool = False) -> bytes:
    rows: list[RosterRow] = [replace(row, stt=i) for i, row in enumerate(
        [*(make_row(100 * int(unit[2:]) + k, 2) for k in range(1, own + 1)),
         *map(make_row, shared)], start=1)]
    summary = make_summary(rows)
    if broken:  # an impossible date of birth (R02, an ERROR): the file is rejected
        rows = [replace(rows[0], birth_date=None, invalid={"birth_date": "31/02/2007"}),
                *rows[1:]]
    return make_workbook(header=make_header(unit, unit_name=NAMES[unit]), roster=rows,
                         summary=summary)


def _drop_month(settings: Settings) -> None:
    """Seven files, in the order they came; in batches of two, the people each cell shares
    are on files of different batches, and BL03's two versions too."""
    for day, (sender, name, content) in enumerate([
            ("BL01", "BL01.xlsx", STYLES["vietnamese_sheet_names"](_workbook("BL01", P, Q))),
            ("BL02", "BL02_loi.xlsx", _workbook("BL02", R, broken=True)),
            ("BL03", "BL03_lan1.xlsx", _workbook("BL03", Q, R)),
            ("BL04", "BL04_hong.xlsx", b"PK\x03\x04 not a workbook"),
            ("BL04", "BL04.xlsx", _workbook("BL04", P)),
            ("BL03", "BL03_lan2.xlsx", _workbook("BL03", R, own=3)),
            ("BL02", "BL02_sua.xlsx", _workbook("BL02", R, Q))], start=10):
        drop(settings, sender, name, content, day=day)


def _month(settings: Settings) -> dict[str, tuple[str, int | None, list[tuple]]]:
    """File name -> (status, version, its findings)."""
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        found = {s.filename: (s.status, s.version, sorted(
            (f.rule_id, f.severity, f.sheet, f.row, f.column, f.message)
            for f in session.scalars(select(m.Finding).where(m.Finding.submission_id == s.id))))
            for s in session.scalars(select(m.Submission))}
    engine.dispose()
    return found


def _answers(settings: Settings) -> dict[str, list[tuple]]:
    """Each feedback workbook in the outbox -> the rows of its findings sheet."""
    return {path.name: [row for row in load_workbook(path).worksheets[0].iter_rows(
                values_only=True) if any(v is not None for v in row)]
            for path in sorted(settings.paths("district").outbox.rglob("*.xlsx"))}


def _rows(summary: RunSummary, in_force: set[str]) -> list[tuple]:
    """The run's summary: every file's verdict, and the warnings of the files in force."""
    return sorted((r.unit, r.filename, r.status, r.errors, r.version,
                   r.warnings if r.filename in in_force else None) for r in summary.rows)


def _without_h07(found: list[tuple]) -> list[tuple]:
    return [f for f in found if f[0] != "H07"]


@pytest.fixture(scope="module")
def walked_whole(tmp_path_factory: pytest.TempPathFactory,
                 prefect_server: None) -> tuple[Settings, RunSummary]:
    """The month walked in one batch, once for both databases' streamed runs (SQLite)."""
    whole = Settings(data_dir=tmp_path_factory.mktemp("whole") / "var",
                     pid_hash_key="test-key")
    _drop_month(whole)
    return whole, monthly_consolidation(PERIOD, whole)


@pytest.mark.both_databases
def test_a_month_streamed_in_batches_ends_as_the_month_walked_in_one(
        settings: Settings, walked_whole: tuple[Settings, RunSummary]) -> None:
    whole, one = walked_whole
    streamed = settings.model_copy(update={"stream_batch_size": 2})
    _drop_month(streamed)
    batches = monthly_consolidation(PERIOD, streamed)

    month, reference = _month(streamed), _month(whole)
    assert {name: found[:2] for name, found in month.items()} == {
        name: found[:2] for name, found in reference.items()}
    in_force = {name for name, (status, *_rest) in month.items() if status == "accepted"}
    rejected = {name for name, (_status, _version, found) in month.items()
                if any(severity == "ERROR" for _rule, severity, *_rest in found)}
    assert rejected == {"BL02_loi.xlsx", "BL04_hong.xlsx"}
    # every file accepted when loaded, in force or superseded since, exactly the same
    assert {name: month[name] for name in month.keys() - rejected} == {
        name: reference[name] for name in month.keys() - rejected}
    for name in rejected:  # its batch's H07, the rest the same
        assert _without_h07(month[name][2]) == _without_h07(reference[name][2]), name
        # it points at rows the whole month's H07 points at too (naming fewer cells)
        assert {f[:5] for f in month[name][2]} <= {f[:5] for f in reference[name][2]}, name
    assert _rows(batches, in_force) == _rows(one, in_force)
    assert {k: v for k, v in month.items() if v[0] == "accepted"}.keys() == {
        "BL01.xlsx", "BL03_lan2.xlsx", "BL04.xlsx", "BL02_sua.xlsx"}
    assert (month["BL03_lan1.xlsx"][:2], month["BL03_lan2.xlsx"][:2]) == (
        ("superseded", 1), ("accepted", 2))
    # H07 across batches: BL01 (batch 1) is told of BL04 (batch 3) and BL02 (batch 4)
    h07 = [text for rule, *_where, text in month["BL01.xlsx"][2] if rule == "H07"]
    assert len(h07) == 2 and any("BL04" in t for t in h07) and any("BL02" in t for t in h07)
    assert {rule for rule, *_rest in month["BL04_hong.xlsx"][2]} == {"F01"}
    # the same figures, reports and answers
    assert batches.export_csv.read_bytes() == one.export_csv.read_bytes()
    assert batches.export_json.read_bytes() == one.export_json.read_bytes()
    answers, answered = _answers(streamed), _answers(whole)
    assert answers.keys() == answered.keys() and len(answers) == 7
    kept = [name for name in answers
            if not any(name.startswith(Path(f).stem + "_") for f in rejected)]
    assert len(kept) == 5
    assert {name: answers[name] for name in kept} == {name: answered[name] for name in kept}


def _drop_overlapping_month(settings: Settings) -> None:
    """Six files; in batches of two, the second batch shares no cell and no person with the
    first (it is checked while the first loads), the third shares a person with the second
    (it waits for the second's load: the rejected BL02_loi keeps the H07 of its batch, which
    names BL03 only if BL03 is loaded by then); BL01's versions in the first and the third."""
    for day, (sender, name, content) in enumerate([
            ("BL01", "BL01.xlsx", _workbook("BL01", P)),
            ("BL02", "BL02.xlsx", _workbook("BL02")),
            ("BL03", "BL03.xlsx", _workbook("BL03", Q)),
            ("BL04", "BL04.xlsx", _workbook("BL04")),
            ("BL01", "BL01_sua.xlsx", _workbook("BL01", P, Q, own=3)),
            ("BL02", "BL02_loi.xlsx", _workbook("BL02", Q, broken=True))], start=10):
        drop(settings, sender, name, content, day=day)


def test_a_batch_checked_while_the_one_before_loads_ends_as_the_month_walked_in_one(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.levels import DistrictLevel

    decided: list[bool] = []
    independent = DistrictLevel.independent

    def watched(self, earlier, later):  # type: ignore[no-untyped-def]
        decided.append(independent(self, earlier, later))
        return decided[-1]

    monkeypatch.setattr(DistrictLevel, "independent", watched)
    whole = Settings(data_dir=tmp_path / "whole", pid_hash_key="test-key")
    _drop_overlapping_month(whole)
    one = monthly_consolidation(PERIOD, whole)
    assert decided == []  # one batch: nothing to overlap
    streamed = settings.model_copy(update={"stream_batch_size": 2})
    _drop_overlapping_month(streamed)
    batches = monthly_consolidation(PERIOD, streamed)

    assert decided == [True, False]
    assert _month(streamed) == _month(whole)
    assert _month(streamed)["BL01_sua.xlsx"][:2] == ("accepted", 2)
    h07 = [text for rule, *_where, text in _month(streamed)["BL02_loi.xlsx"][2]
           if rule == "H07"]
    assert any("BL03" in text for text in h07)
    assert _rows(batches, set(_month(whole))) == _rows(one, set(_month(whole)))
    assert batches.export_csv.read_bytes() == one.export_csv.read_bytes()
    assert _answers(streamed) == _answers(whole)


def test_answers_built_ahead_go_out_only_where_the_settled_month_says_the_same(
        settings: Settings, walked_whole: tuple[Settings, RunSummary],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import services.levels as levels
    from services import workers

    built: list[dict] = []
    build_ahead = levels.build_ahead

    def watched(*args):  # type: ignore[no-untyped-def]
        built.append(build_ahead(*args))
        return built[-1]

    # batches of two are worth a worker here: each batch is read and checked (H07 across
    # it too) in the workers, the month settled in the checking one (its rosters read
    # there), and each batch's answers but the last's built ahead
    monkeypatch.setattr(levels, "MIN_ITEMS", 1)
    monkeypatch.setattr(levels, "build_ahead", watched)
    ended: list[tuple[str, bool]] = []  # (the lasting worker, whether it was running)
    checked_in: list[int] = []  # the checking worker's process, when it ended
    end_lasting = levels.end_lasting

    def ending(name: str) -> bool:
        if name == "check" and workers.lasting_started(name):
            checked_in.append(workers.lasting_worker(name)._started[0].process.pid)
        ended.append((name, end_lasting(name)))
        return ended[-1][1]

    monkeypatch.setattr(levels, "end_lasting", ending)
    whole, _one = walked_whole
    streamed = settings.model_copy(update={"stream_batch_size": 2})
    _drop_month(streamed)
    monthly_consolidation(PERIOD, streamed)

    assert len(built) == 3  # seven files: batches 1–3 built ahead, the 4th when answered
    # read in the reading worker, which ended once the last batch was read (its memory
    # back for the rest of the run); the checking worker, once the month was settled,
    # replaced by a fresh one, kept warm for a correction's run; the answer workers, once
    # every file was answered
    assert ended == [("read", True), ("check", True), ("answers", True)]
    assert workers.lasting_started("check") and not workers.lasting_started("read")
    assert not workers.lasting_started("answers")
    fresh = workers.lasting_worker("check")._started[0].process
    assert fresh.poll() is None and fresh.pid not in checked_in
    engine = make_engine(streamed.database_url)
    with session_factory(engine)() as session:
        sent = {s.id: (s.filename, Path(s.feedback_path).read_bytes())
                for s in session.scalars(select(m.Submission))}
    engine.dispose()
    ahead = {sent[i][0]: early.content for batch in built for i, early in batch.items()}
    assert set(ahead) == {"BL01.xlsx", "BL02_loi.xlsx", "BL03_lan1.xlsx", "BL04_hong.xlsx",
                          "BL04.xlsx", "BL03_lan2.xlsx"}
    as_sent = dict(sent.values())
    # BL01 was told of BL04 and BL02 only when the month was settled: built again
    assert as_sent["BL01.xlsx"] != ahead["BL01.xlsx"]
    # the refused file and the rejected one say what they said when loaded: sent as built
    assert as_sent["BL04_hong.xlsx"] == ahead["BL04_hong.xlsx"]
    assert as_sent["BL02_loi.xlsx"] == ahead["BL02_loi.xlsx"]
    # and every answer is the one the month walked in one batch gives
    answers, answered = _answers(streamed), _answers(whole)
    rejected = ("BL02_loi", "BL04_hong")
    kept = [name for name in answers if not name.startswith(rejected)]
    assert len(kept) == 5
    assert {name: answers[name] for name in kept} == {name: answered[name] for name in kept}
