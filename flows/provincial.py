"""The monthly consolidation of one province: collect → read → validate → load → report.

The province runs the district's walk one level up: its inbox receives the districts' (or
communes') upward data files (shared spec EXPORT.md) instead of cell workbooks. Every file
is archived by its content hash before anything reads it; the same file twice is one
submission; a corrected file supersedes the earlier one. The provincial workbook and the
province's own data file are rebuilt from the warehouse.

Paths live under ``settings.data_dir / "province"`` (``province_paths``); the registry is
the province's view (``registry_dir``, default ``config/registry/lam-dong-2024-province``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from connectors.base import IncomingFile, Skipped
from connectors.folder_inbox import FolderInbox
from core.errors import ReadError
from core.kinds import DISTRICT_DATA, UNKNOWN
from core.periods import last_day, parse_period
from core.registry import Registry, Unit
from core.rulebook import RuleBook
from core.settings import DEFAULT_PROVINCE_REGISTRY, PROVINCE, LevelPaths, Settings
from flows.common import (
    acknowledge_loaded,
    exclusive_run,
    load_each,
    prepare_warehouse,
    validate_isolated,
)
from forms.export_reader import read_export
from reports.province_export import province_export_rows, write_export_csv, write_export_json
from reports.provincial import build_provincial_workbook
from services.reporting import to_pdf
from validations.export_checks import validate_exports
from validations.export_frames import ExportItem, top_units, valid_period
from warehouse.archive import Archive, StoredFile
from warehouse.load_province import (
    FAILED,
    DistrictRecord,
    LoadResult,
    known_submissions,
    load_district_file,
)
from warehouse.models import Submission
from warehouse.province_queries import expected_districts, province_month
from warehouse.report_log import in_use_ids, record_builds
from warehouse.unit_of_work import Warehouse


def province_paths(settings: Settings) -> LevelPaths:
    return settings.paths(PROVINCE)


@dataclass
class ProvinceRunRow:
    """One received file in the run summary."""

    district: str
    filename: str
    period: str | None
    status: str  # accepted | rejected | duplicate | unchanged (…) | twin | failed
    errors: int = 0
    warnings: int = 0
    version: int | None = None


@dataclass
class Collected:
    incoming: IncomingFile
    stored: StoredFile
    known: bool = False  # this exact file is already in the warehouse (or earlier in the batch)
    previous: ProvinceRunRow | None = None
    twin_of: str | None = None  # the JSON twin of a CSV file of the same batch


@dataclass
class ProvinceRunSummary:
    period: str
    province: str
    rows: list[ProvinceRunRow] = field(default_factory=list)
    report: Path | None = None
    export_csv: Path | None = None
    export_json: Path | None = None
    data_docs: Path | None = None
    missing_districts: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # passed over by the inbox, and why


def make_connector(settings: Settings) -> FolderInbox:
    paths = province_paths(settings)
    return FolderInbox(paths.inbox, paths.processed, paths.outbox)


def province_of(registry: Registry) -> str:
    """The registry's top unit (the province)."""
    tops = sorted(u.code for u in registry.units.values() if u.parent_code is None)
    if len(tops) != 1:
        raise ValueError(f"the registry must have exactly one top unit, not {tops}")
    return tops[0]


@task(cache_policy=NO_CACHE)
def collect_files(settings: Settings) -> tuple[list[Collected], list[Skipped]]:
    """Every waiting file, archived by content hash before anything reads it, and what
    the inbox passed over (lock files, symbolic links moved aside)."""
    archive = Archive(settings.archive)
    connector = make_connector(settings)
    incoming = list(connector.fetch())
    stored = [archive.store(item.content) for item in incoming]
    with Warehouse.of(settings).session() as session:
        known = {arrival: _as_row(sub) for arrival, sub in known_submissions(
            session, [(s.sha256, i.channel, i.sender)
                      for i, s in zip(incoming, stored, strict=True)]).items()}
    csv_names = {(i.sender, Path(i.filename).stem.lower()): i.filename for i in incoming
                 if Path(i.filename).suffix.lower() == ".csv"}
    seen: set[tuple[str, str, str]] = set()
    collected = []
    for item, s in zip(incoming, stored, strict=True):
        twin = (csv_names.get((item.sender, Path(item.filename).stem.lower()))
                if Path(item.filename).suffix.lower() == ".json" else None)
        arrival = (s.sha256, item.channel, item.sender)
        collected.append(Collected(item, s, known=arrival in known or arrival in seen,
                                   previous=known.get(arrival), twin_of=twin))
        seen.add(arrival)
    return collected, connector.skipped


def _as_row(sub: Submission) -> ProvinceRunRow:
    return ProvinceRunRow(district=sub.unit_code or "", filename=sub.filename, period=sub.period,
                          status=f"unchanged ({sub.status})", errors=sub.error_count,
                          warnings=sub.warning_count, version=sub.version)


@task(cache_policy=NO_CACHE)
def read_files(collected: list[Collected]) -> list[ExportItem]:
    """Read every data file; a bad file gives a named error, never an exception."""
    items = []
    for c in collected:
        try:
            items.append(ExportItem(read_export(c.incoming.content), sender=c.incoming.sender))
        except ReadError as error:
            items.append(ExportItem(None, error, c.incoming.sender))
    return items


@task(cache_policy=NO_CACHE)
def validate_files(collected: list[Collected], items: list[ExportItem], registry: Registry,
                   period: str, province: str, settings: Settings) -> list[DistrictRecord]:
    """One GX run over the whole batch; findings mapped back to each file."""
    docs = province_paths(settings).data_docs
    started = datetime.now(ZoneInfo(settings.timezone))  # one run name for every validation
    found = validate_isolated(
        lambda batch: validate_exports(batch, registry, period, province, docs_dir=docs,
                                       run_started=started),
        items, UNCHECKABLE)
    records = []
    for c, item, findings in zip(collected, items, found, strict=True):
        unit, file_period = _attribution(item, registry, period)
        records.append(DistrictRecord(
            stored=c.stored, filename=c.incoming.filename, channel=c.incoming.channel,
            sender=c.incoming.sender, received_at=c.incoming.received_at,
            kind=DISTRICT_DATA if item.file is not None or unit else UNKNOWN,
            unit_code=unit, period=file_period,
            rows=item.file.rows if item.file else (), findings=findings))
    return records


def _attribution(item: ExportItem, registry: Registry, period: str,
                 ) -> tuple[str | None, str | None]:
    """The district and month a file is for: its own top unit and period when it can be
    read, else the sender's unit and the month being consolidated."""
    if item.file is not None:
        tops = top_units(item.file, registry)
        periods = {r.period for r in item.file.rows}
        file_period = valid_period(periods.pop()) if len(periods) == 1 else None
        return (tops[0] if len(tops) == 1 else _sender_unit(item.sender, registry),
                file_period or period)
    unit = _sender_unit(item.sender, registry)
    return unit, period if unit else None


def _sender_unit(sender: str, registry: Registry) -> str | None:
    unit: Unit | None = registry.get(sender) or registry.unit_for_sender(sender)
    return unit.code if unit else None


UNCHECKABLE = ("Hệ thống không kiểm tra được tệp dữ liệu này (nội dung bất thường). Ban Tổ "
               "chức Tỉnh ủy sẽ xem xét; đề nghị xuất lại tệp bằng phần mềm và gửi lại.")


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_files(records: list[DistrictRecord], settings: Settings) -> list[LoadResult]:
    """One transaction per file, oldest first; a retry skips what was already loaded.
    An unreachable database fails the task; a file the database refuses stays in the
    inbox and the others load."""
    return load_each(records, settings, load_district_file)


@task(cache_policy=NO_CACHE)
def acknowledge_files(collected: list[Collected], failed: set[tuple[str, str, str]],
                      settings: Settings) -> None:
    """Move handled files out of the inbox — only once they are archived and loaded."""
    acknowledge_loaded([make_connector(settings)], collected, failed)


def deadline_day(settings: Settings, period: str, level: str) -> int:
    """The districts' deadline in force (config/rules/limits.csv, a row for their level)."""
    return RuleBook.load(settings.rules_file).limits_on(last_day(period), level).deadline_day


@task(cache_policy=NO_CACHE)
def build_reports(period: str, registry: Registry, province: str, settings: Settings,
                  ) -> tuple[Path, Path, Path, list[str]]:
    """The provincial workbook and the province's data file, rebuilt from the warehouse."""
    return write_provincial_outputs(settings, registry, province, period)


def rebuild_provincial_outputs(settings: Settings, period: str, *, pdf: bool = False,
                               registry_dir: Path | None = None) -> dict[str, Path]:
    """``cellreports report --level province``: the outputs again, from the warehouse only."""
    registry = Registry.load(registry_dir or settings.province_registry_dir)
    report, csv_path, _json, _missing = write_provincial_outputs(
        settings, registry, province_of(registry), period)
    paths = {"Provincial report": report, "Province data file": csv_path}
    made = to_pdf(report) if pdf else None
    if made is not None:
        paths["PDF"] = made
    return paths


def write_provincial_outputs(settings: Settings, registry: Registry, province: str,
                             period: str) -> tuple[Path, Path, Path, list[str]]:
    districts = expected_districts(registry, province, period)
    levels = sorted({u.level for u in districts})
    root = province_paths(settings).reports
    stem = f"{province}_{period}"
    report = root / period / f"BaoCaoTongHop_{stem}.xlsx"
    csv_path = root / period / f"DuLieu_{stem}.csv"
    json_path = root / period / f"DuLieu_{stem}.json"
    with Warehouse.of(settings).session() as session:
        data = province_month(session, registry, province, period,
                              deadline_day=deadline_day(settings, period,
                                                        levels[0] if levels else "huyen"),
                              timezone=settings.timezone)
        rows = province_export_rows(data)
        record_builds(session, root, province, period, {
            "workbook": (report, build_provincial_workbook(data)),
            "data_csv": (csv_path, write_export_csv(rows)),
            "data_json": (json_path, write_export_json(rows)),
        }, in_use_ids(session, [d.code for d in districts], period, DISTRICT_DATA))
    return report, csv_path, json_path, [d.unit.code for d in data.missing()]


def provincial_run_name() -> str:
    """``province-LD-2024-03``: the province and the month, as the district runs are named."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    try:
        period = parse_period(parameters.get("period") or "")
    except ValueError:
        period = "not-a-month"  # the run fails saying so
    code = parameters.get("province_code")
    if not code:
        try:
            code = province_of(Registry.load(parameters.get("registry_dir")
                                             or DEFAULT_PROVINCE_REGISTRY))
        except Exception:  # the run itself reports a registry it cannot read
            code = "province"
    return f"province-{code}-{period}"


@flow(name="provincial-consolidation", flow_run_name=provincial_run_name, log_prints=False)
def provincial_consolidation(period: str, settings: Settings | None = None,
                             registry_dir: Path | None = None,
                             province_code: str | None = None) -> ProvinceRunSummary:
    """Consolidate the districts' data files of one month: collect → read → validate →
    load → report."""
    period = parse_period(period)
    settings = settings or Settings()
    registry = Registry.load(registry_dir or settings.province_registry_dir)
    province = province_code or province_of(registry)
    prepare_warehouse(settings, registry)
    with exclusive_run(settings, f"provincial-{province}"):
        collected, skipped = collect_files(settings)
        fresh = [c for c in collected if not c.known and c.twin_of is None]
        items = read_files(fresh) if fresh else []
        records = (validate_files(fresh, items, registry, period, province, settings)
                   if fresh else [])
        results = load_files(records, settings) if records else []
        failed = {(r.stored.sha256, r.channel, r.sender) for r, res in zip(records, results,
                                                                     strict=True)
                  if res.status == FAILED}
        acknowledge_files(collected, failed, settings)
        report, csv_path, json_path, missing = build_reports(period, registry, province, settings)
        summary = ProvinceRunSummary(period, province, report=report, export_csv=csv_path,
                                     export_json=json_path, missing_districts=missing,
                                     data_docs=province_paths(settings).data_docs / "index.html",
                                     skipped=skipped)
        summary.rows = _summary_rows(collected, records, results)
    publish_artifacts(summary)
    return summary


def _summary_rows(collected: list[Collected], records: list[DistrictRecord],
                  results: list[LoadResult]) -> list[ProvinceRunRow]:
    rows = []
    for record, result in zip(records, results, strict=True):
        errors = sum(1 for f in record.findings if f.is_error)
        status = result.status if result.new or result.status == FAILED else "duplicate"
        rows.append(ProvinceRunRow(record.unit_code or "?", record.filename, record.period,
                                   status, errors, len(record.findings) - errors,
                                   result.version))
    for c in collected:
        if c.twin_of is not None and not c.known:
            rows.append(ProvinceRunRow(c.incoming.sender, c.incoming.filename, None,
                                       f"twin of {c.twin_of}"))
        elif c.known:
            rows.append(replace(c.previous, filename=c.incoming.filename) if c.previous else
                        ProvinceRunRow("", c.incoming.filename, None, "unchanged"))
    return rows


def publish_artifacts(summary: ProvinceRunSummary) -> None:
    create_table_artifact(
        key=f"province-summary-{summary.period}",
        table=[{"district": r.district, "file": r.filename, "period": r.period or "",
                "status": r.status, "version": r.version or "", "errors": r.errors,
                "warnings": r.warnings} for r in summary.rows],
        description=f"District data files received in the run for {summary.period}")
    create_markdown_artifact(
        key=f"province-outputs-{summary.period}",
        markdown=(f"# {summary.province} {summary.period}\n\n"
                  f"- Provincial report: `{summary.report}`\n"
                  f"- Province data file: `{summary.export_csv}`\n"
                  f"- Validation results (GX Data Docs): `{summary.data_docs}`\n"
                  f"- Districts without an accepted file: "
                  f"{', '.join(summary.missing_districts) or '—'}"),
        description="Where this month's provincial outputs are")
