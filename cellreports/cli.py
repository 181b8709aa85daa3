"""The command line: ``cellreports run | serve | demo | template | db``…"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cellreports.console import ERROR_LIMIT, LIST_LIMIT, console, printable
from core.errors import CellreportsError
from core.periods import InvalidPeriod, parse_period
from core.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.exc import OperationalError

    from flows.deployment import Registered
    from warehouse.unit_of_work import Warehouse

# The command line reports outcomes itself (a summary, or one sentence for an error the
# user can fix): Prefect's own log lines and tracebacks would only be noise here.
# (`cellreports serve` is the exception: an unattended service logs each run.)
_PREFECT_LEVEL_SET = "PREFECT_LOGGING_LEVEL" in os.environ
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")

app = typer.Typer(help="Consolidate the monthly Party-cell reports of a district.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Warehouse schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="Accounts of the web desk (cellreports web): cells and officers.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")

DataDir = Annotated[Path | None, typer.Option(help="Folder for the warehouse, inbox, outbox, "
                                                   "archive and reports (default: ./var).")]


def _settings(data_dir: Path | None, **extra: object) -> Settings:
    overrides = {k: v for k, v in extra.items() if v is not None}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    return Settings(**overrides)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Errors a user can fix are shown as one sentence, not a traceback."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except CellreportsError as exc:  # each names its heading and exit code (core.errors)
        console.print(f"[red]{exc.heading}:[/] {printable(exc, ERROR_LIMIT)}")
        raise typer.Exit(exc.exit_code) from None
    except OperationalError as exc:
        console.print(_database_error(exc))
        raise typer.Exit(3) from None


def _database_error(exc: OperationalError) -> str:
    """One sentence: the database stopped a statement at the statement timeout, or it could
    not be reached (refused, or no answer within the connect timeout)."""
    from warehouse.db import statement_timed_out

    if statement_timed_out(exc):
        return ("[red]The warehouse database did not finish a statement in time "
                f"(CELLREPORTS_DB_STATEMENT_TIMEOUT):[/] {printable(exc.orig, ERROR_LIMIT)}")
    return ("[red]The warehouse database cannot be reached:[/] "
            f"{printable(exc.orig, ERROR_LIMIT)}")


@contextmanager
def _cluster_errors(settings: Settings) -> Iterator[None]:
    """The Dask scheduler of CELLREPORTS_DASK_ADDRESS not answering is one sentence too: the
    run stops before it loads anything, and the files stay in the inbox for the next run."""
    try:
        yield
    except OSError as exc:
        if not settings.dask_address or settings.dask_address not in str(exc):
            raise
        console.print("[red]The Dask scheduler cannot be reached:[/] "
                      f"{printable(exc, ERROR_LIMIT)}\n"
                      "Is `dask scheduler` running there (docs/cluster.md)? Without "
                      "CELLREPORTS_DASK_ADDRESS the files are read on this machine.")
        raise typer.Exit(3) from None


# True in the `cellreports` command's own process (main), False when a command is invoked
# inside another (the tests' CliRunner): only the former may change Prefect's settings of
# the whole process (flows.quiet)
_OWN_PROCESS = False


def main() -> None:
    """The `cellreports` command."""
    global _OWN_PROCESS
    _OWN_PROCESS = True
    app()


def _server_early() -> None:
    """At the start of a command that runs flows, before its imports: the temporary Prefect
    server (when none is configured) starts now and comes up while they are imported."""
    if _OWN_PROCESS:
        from flows.quiet import start_temporary_server

        start_temporary_server()


def _flows_ready(*, validating: bool = True) -> None:
    """Before a command runs a Prefect flow: the temporary Prefect server answers, and dies
    with this process even when it is killed (flows/quiet.py). While it starts, a command
    that validates files imports GX (seconds, otherwise paid when the first file is
    validated)."""
    from flows.quiet import temporary_server_dies_with_us, temporary_server_ready

    with _user_errors():  # a server that does not start is one sentence (exit code 3)
        if _OWN_PROCESS:
            temporary_server_ready(_import_validation if validating else None)
        else:
            temporary_server_dies_with_us()


def _import_validation() -> None:
    import validations.export_checks
    import validations.run  # noqa: F401


def _period(text: str) -> str:
    try:
        return parse_period(text)
    except InvalidPeriod as exc:
        raise typer.BadParameter(f"{text!r} is not a month like 2024-03") from exc


@app.command()
def run(period: Annotated[str, typer.Option(help="The month to consolidate, YYYY-MM.")],
        data_dir: DataDir = None,
        inbox: Annotated[Path | None, typer.Option(help="Folder inbox (default DATA_DIR/inbox)."
                                                   )] = None) -> None:
    """Collect, read, validate and load the waiting workbooks, then write the reports."""
    settings = _settings(data_dir, inbox_dir=inbox)
    month = _period(period)
    _server_early()
    from cellreports.console import show_outputs, show_runs
    from flows.runners import monthly_flow_for

    _flows_ready()
    with _user_errors(), _cluster_errors(settings), console.status(f"Consolidating {month}…"):
        # on the Dask cluster of CELLREPORTS_DASK_ADDRESS when it is set (docs/cluster.md)
        summary = monthly_flow_for(settings)(month, settings)
    show_runs([summary])
    show_outputs(summary)


@app.command()
def intake(data_dir: DataDir = None,
           inbox: Annotated[Path | None, typer.Option(
               help="Folder inbox (default DATA_DIR/inbox).")] = None) -> None:
    """Take in the files that have arrived now: read, check, load and answer each one,
    without building the month's reports (the schedule does this every few minutes)."""
    settings = _settings(data_dir, inbox_dir=inbox)
    _server_early()
    from cellreports.console import show_runs
    from flows.intake import intake as intake_flow

    _flows_ready()
    with _user_errors(), console.status("Taking in what has arrived…"):
        summary = intake_flow(settings)
    if summary.rows or summary.skipped:
        show_runs([summary])
    else:
        console.print("Nothing has arrived.")
    if summary.outbox is not None and summary.rows:
        console.print(f"Feedback files: {summary.outbox}")


NO_SERVER = ("[red]PREFECT_API_URL is not set.[/] The schedule needs a real Prefect server "
             "that keeps running. Start one (in another terminal, or as a service):\n"
             "  prefect server start\n"
             "then point this command at it and run it again (docs/schedule.md):\n"
             "  export PREFECT_API_URL=http://127.0.0.1:4200/api")


CronOpt = Annotated[str | None, typer.Option(
    help="When to run, as cron in the settings' time zone (default: 06:00 on the day after "
         "the cells' deadline in the rules file, e.g. '0 6 26 * *').")]


def _checked_cron(settings: Settings, cron: str | None) -> str:
    from flows import deployment as d

    with _user_errors():
        chosen = cron or d.default_cron(settings)
    try:
        d.monthly_schedule(settings, chosen)
    except ValueError as exc:
        raise typer.BadParameter(f"{chosen!r} is not a cron expression Prefect accepts",
                                 param_hint="--cron") from exc
    return chosen


def _show_schedule(settings: Settings, chosen: str, api: str) -> None:
    from flows import deployment as d
    from flows.monthly import scheduled_period

    console.print(f"Deployment:  {d.full_name(settings)}")
    console.print(f"Schedule:    {d.describe(chosen, settings.timezone)} (cron '{chosen}')")
    for when in d.next_runs(chosen, settings.timezone):
        console.print(f"  next run:  {when:%Y-%m-%d %H:%M %Z}  consolidates "
                      f"{scheduled_period(settings, when.date())}")
    console.print(f"Reminders:   {d.reminders_full_name(settings)}, "
                  f"{d.describe(d.REMINDER_CRON, settings.timezone)} "
                  f"({settings.reminder_days} days before the deadline; after it, the list of "
                  "missing cells)")
    console.print(f"Intake:      {d.intake_full_name(settings)}, every "
                  f"{settings.intake_minutes} minutes (each file read, checked and answered "
                  "as it arrives)")
    console.print(f"Prefect API: {api}")
    console.print(f"Run a month by hand: prefect deployment run '{d.full_name(settings)}' "
                  "--param period=YYYY-MM")


def _show_registered(registered: Registered) -> None:
    """What registering did besides the deployments: legacy names removed, the alerts."""
    for name in registered.removed:
        console.print(f"Removed:     {name} (the name of an earlier version)")
    alerts = registered.alerts
    if alerts.on:
        console.print(f"Alerts:      {len(alerts.names)} automations mail the officer "
                      f"({alerts.created} created, {alerts.updated} updated): a run failed, "
                      "late, a month incomplete, feedback not delivered")
    else:
        console.print(f"Alerts:      off ({alerts.why_off}; nothing mails the officer)")


@app.command()
def serve(data_dir: DataDir = None, cron: CronOpt = None) -> None:
    """Run the monthly consolidation on its schedule (and when triggered) until stopped."""
    settings = _settings(data_dir)
    if not _PREFECT_LEVEL_SET:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"  # each run's progress, for the server too
    from flows import deployment as d

    chosen = _checked_cron(settings, cron)
    api = _prefect_api()
    _show_schedule(settings, chosen, api)
    console.print(f"Data:        {settings.data_dir.resolve()} (inbox {settings.inbox.resolve()})")

    def registered(done: Registered) -> None:
        _show_registered(done)
        console.print("Serving; stop with Ctrl+C.", highlight=False)

    with _user_errors():
        d.serve(settings, chosen, on_registered=registered)


@app.command()
def deploy(pool: Annotated[str, typer.Option(
               help="The process work pool whose workers run the deployments (created, or "
                    "its job template locked, here).")],
           cron: CronOpt = None) -> None:
    """Register the deployments on a process work pool (instead of `serve`); its workers
    (`prefect worker start --pool POOL`) run them with their own CELLREPORTS_* settings."""
    settings = Settings()
    from flows import deployment as d

    chosen = _checked_cron(settings, cron)
    api = _prefect_api()
    try:
        with _user_errors():
            registered = d.deploy(settings, pool, chosen)
    except ValueError as exc:
        console.print(f"[red]{printable(exc, ERROR_LIMIT)}[/]")
        raise typer.Exit(2) from None
    _show_schedule(settings, chosen, api)
    console.print(f"Work pool:   {pool} (process; a run's environment, command and working "
                  "directory are the worker's)")
    _show_registered(registered)
    console.print(f"Start a worker where the runs should execute, with the CELLREPORTS_* "
                  f"settings (an absolute CELLREPORTS_DATA_DIR) in its environment:\n"
                  f"  prefect worker start --pool {pool}")


def _prefect_api() -> str:
    """The Prefect server's API URL (environment or Prefect profile), once it answers."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        console.print(NO_SERVER)
        raise typer.Exit(2)
    with get_client(sync_client=True) as client:
        failure = client.api_healthcheck()
    if failure is not None:
        console.print(f"[red]The Prefect server at {url} does not answer:[/] "
                      f"{printable(failure, ERROR_LIMIT)}\n"
                      "Is `prefect server start` running there?")
        raise typer.Exit(3)
    return url


@app.command()
def report(period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
           level: Annotated[str, typer.Option(help="district (the cells' consolidation) or "
                                                   "province.")] = "district",
           data_dir: DataDir = None,
           pdf: Annotated[bool, typer.Option(help="Also a PDF through LibreOffice, when "
                                                  "it is installed.")] = True) -> None:
    """Rebuild a month's reports from the warehouse, without re-reading any workbook."""
    from core.registry import Registry

    settings = _settings(data_dir)
    month = _period(period)
    if level == "province":
        from services.levels import ProvinceLevel

        with _user_errors():
            built = ProvinceLevel.of(settings).write_outputs(month, pdf=pdf)
        console.print(f"  Provincial report: {built.report}")
        console.print(f"  Province data file: {built.export_csv}")
        if built.pdf:
            console.print(f"  PDF: {built.pdf}")
        return
    if level != "district":
        raise typer.BadParameter("level is 'district' or 'province'")
    from services.reporting import soffice, write_district_outputs

    with _user_errors():
        outputs = write_district_outputs(settings, Registry.load(settings.registry_dir), month,
                                         pdf=pdf)
    console.print(f"District report:  {outputs.report}")
    console.print(f"Word report:      {outputs.word} (a draft to edit and sign)")
    console.print(f"Upward data file: {outputs.export_csv} (+ .json)")
    if outputs.pdf:
        console.print(f"PDF for sending:  {outputs.pdf} (no personal data)")
    if outputs.internal_pdf:
        console.print(f"Internal list:    {outputs.internal_pdf} (names: never sent up)")
    elif pdf and soffice() is None:
        console.print("PDF:              not made (LibreOffice is not installed)")
    console.print("Cells without an accepted report: "
                  f"{printable(', '.join(outputs.missing), LIST_LIMIT) or 'none'}")


@app.command()
def province(period: Annotated[str, typer.Option(help="The month to consolidate, YYYY-MM.")],
             data_dir: DataDir = None,
             registry: Annotated[Path | None, typer.Option(
                 help="The province's registry folder (default: "
                      "config/registry/lam-dong-2024-province).")] = None) -> None:
    """Consolidate the districts' (or communes') data files waiting in the province inbox."""
    settings = _settings(data_dir)
    month = _period(period)
    _server_early()
    from flows.provincial import province_paths, provincial_consolidation

    _flows_ready()
    with _user_errors(), console.status(f"Province: consolidating {month}…"):
        summary = provincial_consolidation(month, settings, registry_dir=registry)
    for row in summary.rows:
        console.print(f"  {printable(row.unit or '—')}  {printable(row.filename)}  "
                      f"{row.status}  errors {row.errors}, warnings {row.warnings}")
    console.print(f"Inbox:              {province_paths(settings).inbox}")
    console.print(f"Provincial report:  {summary.report}")
    console.print(f"Province data file: {summary.export_csv} (+ .json)")
    console.print("Without an accepted data file: "
                  f"{printable(', '.join(summary.missing), LIST_LIMIT) or 'none'}")


@app.command()
def demo(data_dir: DataDir = None,
         hierarchy: Annotated[str, typer.Option(
             help="2024: Jan–Mar 2024, cells → district BL (data in ./var). 2025: the same "
                  "in Jul–Sep 2025, cells → communes BLM1–BLM4 on config/registry/"
                  "lam-dong-2025 (data in ./var/demo-2025).")] = "2024") -> None:
    """Generate three months of demo workbooks and consolidate each month."""
    from cellreports.demo_run import DATA_DIR_2025, HIERARCHIES

    if hierarchy not in HIERARCHIES:
        raise typer.BadParameter(f"{hierarchy!r}: choose {' or '.join(HIERARCHIES)}",
                                 param_hint="--hierarchy")
    if hierarchy == "2025" and data_dir is None:
        data_dir = DATA_DIR_2025
    settings = _settings(data_dir)
    _server_early()
    from cellreports.demo_run import run_demo

    _flows_ready()
    with _user_errors(), _cluster_errors(settings):
        run_demo(settings, hierarchy)


@app.command()
def template(unit: Annotated[str, typer.Option(help="Unit code, e.g. BL01.")],
             period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
             out: Annotated[Path | None, typer.Option(
                 help="Output file (default: DATA_DIR/templates/BC-PTD-HS_<unit>_<month>"
                      ".xlsx).")] = None,
             data_dir: DataDir = None) -> None:
    """Write the blank BC-PTĐ-HS/1 workbook for a unit and month."""
    from core.registry import Registry
    from forms.writer import write_template

    settings = _settings(data_dir)
    month = _period(period)
    with _user_errors():
        registry = Registry.load(settings.registry_dir)
    found = registry.get(unit)
    if found is None or not found.active_in(month):
        raise typer.BadParameter(f"unit {unit!r} is not in the registry for {month}")
    # beside the rest of the data, not wherever the shell happens to be
    target = out or settings.data_dir / "templates" / f"BC-PTD-HS_{found.code}_{month}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(write_template(found, month))
    console.print(f"Template for {found.name} ({found.code}), {month}: {target}",
                  soft_wrap=True, markup=False)


@app.command()
def remind(today: Annotated[str | None, typer.Option(
               help="The day to act as, YYYY-MM-DD (default: today).")] = None,
           data_dir: DataDir = None) -> None:
    """Send the reminders that are due today (the schedule runs this every morning)."""
    from datetime import date

    settings = _settings(data_dir)
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise typer.BadParameter(f"{today!r} is not a day like 2024-03-23") from exc
    _server_early()
    from flows.reminders import send_reminders

    _flows_ready(validating=False)
    with _user_errors():
        summary = send_reminders(day, settings)
    console.print(f"{summary.period}: deadline {summary.due:%d/%m/%Y}")
    if summary.reminded:
        console.print(f"  reminded: {printable(', '.join(summary.reminded), LIST_LIMIT)}")
    if summary.missing:
        console.print("  missing after the deadline: "
                      f"{printable(', '.join(summary.missing), LIST_LIMIT)}")
    for where in summary.sent:
        console.print(f"  sent: {printable(where)}")
    if not summary.sent:
        console.print("  nothing to send today")


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Bring the warehouse schema to the latest migration."""
    from warehouse.unit_of_work import Warehouse

    settings = _settings(data_dir)
    with _user_errors():
        Warehouse.of(settings).upgrade()
    console.print(f"Warehouse at the latest schema: {settings.database_url}")


Actor = Annotated[str | None, typer.Option("--by", help="Who does it (default: the login "
                                                         "name).")]
UnitOpt = Annotated[str | None, typer.Option(help="The consolidating unit (default: the "
                                                  "district of the settings).")]


def _warehouse(settings: Settings) -> Warehouse:
    """The warehouse of the settings, its schema brought up to date first."""
    from warehouse.unit_of_work import Warehouse

    return Warehouse.of(settings).ready()


def _actor(by: str | None) -> str:
    import getpass

    return by or getpass.getuser()


@app.command()
def approve(period: Annotated[str, typer.Option(help="The month to approve, YYYY-MM.")],
            by: Actor = None, unit: UnitOpt = None, data_dir: DataDir = None) -> None:
    """Approve and lock a month: later files for it wait as pending corrections."""
    settings = _settings(data_dir)
    month, scope = _period(period), unit or settings.district_code
    with _user_errors():
        _warehouse(settings).approve(scope, month, _actor(by))
    console.print(f"{printable(scope)} {month} approved by {printable(_actor(by))}; later "
                  "files for it will wait as pending corrections until `cellreports reopen`.")


@app.command()
def reopen(period: Annotated[str, typer.Option(help="The month to reopen, YYYY-MM.")],
           by: Actor = None, unit: UnitOpt = None, data_dir: DataDir = None) -> None:
    """Reopen an approved month: apply its pending corrections, rebuild its reports."""
    settings = _settings(data_dir)
    month, scope = _period(period), unit or settings.district_code
    with _user_errors():
        applied = _warehouse(settings).reopen(scope, month, _actor(by))
    console.print(f"{printable(scope)} {month} reopened by {printable(_actor(by))}; "
                  f"corrections applied: {len(applied)}")
    for sub in applied:
        console.print(f"  {printable(sub.unit_code)}  version {sub.version}  "
                      f"{printable(sub.filename)}")
    if scope == settings.district_code:
        from core.registry import Registry
        from services.reporting import write_district_outputs

        with _user_errors():
            outputs = write_district_outputs(settings, Registry.load(settings.registry_dir),
                                             month)
        console.print(f"District report rebuilt: {outputs.report}")
    else:
        console.print(f"Rebuild its reports with: cellreports report --period {month} "
                      "--level province")


@app.command()
def periods(unit: UnitOpt = None, data_dir: DataDir = None) -> None:
    """Each month: open or approved (by whom, when), and its pending corrections."""
    from rich.table import Table

    settings = _settings(data_dir)
    scope = unit or settings.district_code
    with _user_errors():
        found, waiting = _warehouse(settings).months(scope)
    table = Table(title=f"Months of {printable(scope)}", title_justify="left")
    for column in ("Month", "State", "Approved by", "Approved at", "Pending corrections"):
        table.add_column(column)
    for state in found:
        table.add_row(printable(state.period), state.status, printable(state.approved_by or "—"),
                      f"{state.approved_at:%Y-%m-%d %H:%M}" if state.approved_at else "—",
                      str(state.pending))
    console.print(table)
    for sub in waiting:
        console.print(f"  pending: {printable(sub.unit_code)} {printable(sub.period)} "
                      f"version {sub.version} {printable(sub.filename)}")


@app.command()
def explain(period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
            indicator: Annotated[str, typer.Option(help="Indicator code, e.g. TH11.")],
            unit: UnitOpt = None,
            population: Annotated[str, typer.Option(help="hoc_sinh or vien_chuc.")] = "hoc_sinh",
            breakdown: Annotated[str, typer.Option(help="tong, nu, dan_toc_thieu_so, "
                                                        "ton_giao or doan_vien.")] = "tong",
            registry: Annotated[Path | None, typer.Option(help="Registry folder (default: "
                                                               "the settings').")] = None,
            data_dir: DataDir = None) -> None:
    """Where a figure comes from: the submission versions and the roster rows behind it."""
    from core.registry import Registry

    settings = _settings(data_dir)
    month, scope = _period(period), unit or settings.district_code
    with _user_errors():
        units = Registry.load(registry or settings.registry_dir)
        found = _warehouse(settings).explain(units, scope, month, population,
                                             indicator.upper(), breakdown)
    console.print(f"[bold]{printable(scope)} {month} {printable(population)} "
                  f"{printable(found.indicator)} {printable(breakdown)} = "
                  f"{found.value}[/]")
    for source in found.sources:
        console.print(f"  {printable(source.unit_code)}: {source.value}  from submission "
                      f"#{source.submission_id} version {source.version} "
                      f"'{printable(source.filename)}' (sha256 {source.sha256[:12]}, received "
                      f"{source.received_at:%Y-%m-%d %H:%M}), sheet {printable(source.where)}")
        for row in source.rows:
            console.print(f"      row {row.excel_row}  STT {row.stt or '—'}  "
                          f"{printable(row.full_name or '—')}  stage {row.stage or '—'}")


@app.command()
def history(period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
            unit: UnitOpt = None, data_dir: DataDir = None,
            get: Annotated[int | None, typer.Option(help="Copy this report version (its id in "
                                                          "the list) to --out.")] = None,
            out: Annotated[Path | None, typer.Option(help="Where --get writes.")] = None,
            ) -> None:
    """A month's report versions, changed figures and approvals; --get retrieves one."""
    settings = _settings(data_dir)
    month, scope = _period(period), unit or settings.district_code
    reports_root = settings.reports if scope == settings.district_code \
        else settings.province_reports
    with _user_errors():
        warehouse = _warehouse(settings)
        found = warehouse.month_history(scope, month)
    versions, changes, approvals = found.builds, found.changes, found.approvals
    if get is not None:
        chosen = next((b for b in versions if b.id == get), None)
        if chosen is None:
            raise typer.BadParameter(f"no report version {get} for {scope} {month}")
        target = warehouse.retrieve_build(reports_root, chosen, out or Path(chosen.file_name))
        console.print(f"Report version {get} ({chosen.built_at:%Y-%m-%d %H:%M}): {target}")
        return
    console.print(f"[bold]Report versions of {printable(scope)} {month}[/]")
    for b in versions:
        console.print(f"  {b.id:>5}  {b.built_at:%Y-%m-%d %H:%M}  {b.kind:<10} "
                      f"{printable(b.file_name)}  sha256 {b.sha256[:12]}  "
                      f"({reports_root / b.copy_path})")
    console.print(f"[bold]Figures changed after they were first reported[/] ({len(changes)})")
    for change, sub in changes:
        console.print(f"  {change.changed_at:%Y-%m-%d %H:%M}  {printable(change.unit_code)} "
                      f"{change.population} {change.indicator} {change.breakdown}: "
                      f"{_shown(change.old_value)} → {_shown(change.new_value)}  from "
                      f"'{printable(sub.filename)}' (version {sub.version})")
    console.print("[bold]Approvals[/]")
    for e in approvals:
        console.print(f"  {e.at:%Y-%m-%d %H:%M}  {e.action} by {printable(e.actor)}"
                      + (f" ({e.applied} corrections applied)" if e.action == "reopened" else ""))


@app.command()
def web(data_dir: DataDir = None,
        host: Annotated[str, typer.Option(help="Address to listen on (behind the reverse "
                                               "proxy: 127.0.0.1).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000) -> None:
    """Serve the web desk: the cells' pages (form, upload, verdict) and the officers' desk."""
    import uvicorn

    from web.app import create_app

    settings = _settings(data_dir)
    with _user_errors():
        application = create_app(settings)
    console.print(f"The web desk (cells and officers): http://{host}:{port}/ (stop with Ctrl+C)")
    if not settings.web_secure_cookies:
        console.print("[yellow]Session cookies are sent over plain HTTP too:[/] behind the "
                      "HTTPS reverse proxy set CELLREPORTS_WEB_SECURE_COOKIES=true (docs/web.md)")
    uvicorn.run(application, host=host, port=port, proxy_headers=True,
                forwarded_allow_ips="127.0.0.1", log_level="warning", server_header=False)


@users_app.command("add")
def users_add(login: Annotated[str, typer.Argument(help="A cell's unit code (e.g. BL01), or "
                                                        "an officer's login name.")],
              email: Annotated[str, typer.Option(help="Its contact address.")] = "",
              role: Annotated[str, typer.Option(help="cell, district (the district's or "
                                                     "commune's officer) or province.")] = "cell",
              unit: Annotated[str | None, typer.Option(help="An officer's unit (default: "
                                                            "the settings' district).")] = None,
              data_dir: DataDir = None) -> None:
    """Create an account; its first password is shown once, here."""
    from core.registry import Registry
    from services.accounts import add_account

    settings = _settings(data_dir)
    with _user_errors():
        registry = Registry.load(settings.registry_dir)
        _warehouse_ready(settings, registry)
        account, password = add_account(
            settings, registry, login.strip().upper(), email, role.strip().lower(),
            (unit or settings.district_code).strip().upper())
    whom = "the cell" if account.role == "cell" else "the officer"
    console.print(f"Account {account.login} ({account.role}, {account.unit_code}) created. "
                  f"Its password, to give to {whom} (shown once): {password}")


@users_app.command("reset")
def users_reset(login: Annotated[str, typer.Argument(help="The account, e.g. BL01.")],
                data_dir: DataDir = None) -> None:
    """A new password for an account (enabled again if it was disabled)."""
    from services.accounts import reset_password

    settings = _settings(data_dir)
    with _user_errors():
        _warehouse_ready(settings)
        password = reset_password(settings, login.strip().upper())
    console.print(f"New password of {login.strip().upper()} (shown once): {password}")


@users_app.command("disable")
def users_disable(login: Annotated[str, typer.Argument(help="The account, e.g. BL01.")],
                  data_dir: DataDir = None) -> None:
    """Disable an account: it can no longer sign in (users reset enables it again)."""
    from services.accounts import disable_account

    settings = _settings(data_dir)
    with _user_errors():
        _warehouse_ready(settings)
        disable_account(settings, login.strip().upper())
    console.print(f"Account {login.strip().upper()} disabled.")


@users_app.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """Every account, its unit, role and whether it may sign in."""
    from services.accounts import list_accounts

    settings = _settings(data_dir)
    with _user_errors():
        _warehouse_ready(settings)
        found = list_accounts(settings)
    for a in found:
        console.print(f"  {printable(a.login):<10} {a.role:<9} "
                      f"{'active' if a.active else 'disabled':<9} {printable(a.email)}")
    if not found:
        console.print("No accounts yet: cellreports users add BL01 --email …")


def _warehouse_ready(settings: Settings, registry: object | None = None) -> None:
    """The warehouse at the latest schema (and the registry mirrored, when given)."""
    from core.registry import Registry
    from warehouse.unit_of_work import Warehouse

    warehouse = Warehouse.of(settings)
    if isinstance(registry, Registry):
        warehouse.ready(registry)
    else:
        warehouse.upgrade()


def _shown(value: int | None) -> str:
    return "—" if value is None else str(value)


if __name__ == "__main__":
    main()
