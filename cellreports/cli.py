"""The command line: ``cellreports run | demo | template | db``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from cellreports.console import console
from cellreports.periods import InvalidPeriod, parse_period
from cellreports.registry import RegistryError
from cellreports.settings import Settings

app = typer.Typer(help="Consolidate the monthly Party-cell reports of a district.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Warehouse schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")

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
    except RegistryError as exc:
        console.print(f"[red]The unit registry is not valid:[/] {exc}")
        raise typer.Exit(2) from None
    except OperationalError as exc:
        console.print(f"[red]The warehouse database cannot be reached:[/] {exc.orig}")
        raise typer.Exit(3) from None


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
    from cellreports.console import show_outputs, show_runs
    from flows.monthly import monthly_consolidation

    with _user_errors(), console.status(f"Consolidating {month}…"):
        summary = monthly_consolidation(month, settings)
    show_runs([summary])
    show_outputs(summary)


@app.command()
def report(period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
           level: Annotated[str, typer.Option(help="district (the cells' consolidation) or "
                                                   "province.")] = "district",
           data_dir: DataDir = None,
           pdf: Annotated[bool, typer.Option(help="Also a PDF through LibreOffice, when "
                                                  "it is installed.")] = True) -> None:
    """Rebuild a month's reports from the warehouse, without re-reading any workbook."""
    from cellreports.registry import Registry

    settings = _settings(data_dir)
    month = _period(period)
    if level == "province":
        from flows.provincial import rebuild_provincial_outputs

        with _user_errors():
            paths = rebuild_provincial_outputs(settings, month, pdf=pdf)
        for label, path in paths.items():
            console.print(f"  {label}: {path}")
        return
    if level != "district":
        raise typer.BadParameter("level is 'district' or 'province'")
    from flows.reporting import soffice, write_district_outputs

    with _user_errors():
        outputs = write_district_outputs(settings, Registry.load(settings.registry_dir), month,
                                         pdf=pdf)
    console.print(f"District report:  {outputs.report}")
    console.print(f"Upward data file: {outputs.export_csv} (+ .json)")
    if outputs.pdf:
        console.print(f"PDF:              {outputs.pdf}")
    elif pdf and soffice() is None:
        console.print("PDF:              not made (LibreOffice is not installed)")
    console.print(f"Cells without an accepted report: {', '.join(outputs.missing_units) or 'none'}")


@app.command()
def province(period: Annotated[str, typer.Option(help="The month to consolidate, YYYY-MM.")],
             data_dir: DataDir = None,
             registry: Annotated[Path | None, typer.Option(
                 help="The province's registry folder (default: "
                      "config/registry/lam-dong-2024-province).")] = None) -> None:
    """Consolidate the districts' (or communes') data files waiting in the province inbox."""
    from flows.provincial import province_paths, provincial_consolidation

    settings = _settings(data_dir)
    month = _period(period)
    with _user_errors(), console.status(f"Province: consolidating {month}…"):
        summary = provincial_consolidation(month, settings, registry_dir=registry)
    for row in summary.rows:
        console.print(f"  {row.district or '—'}  {row.filename}  {row.status}  "
                      f"errors {row.errors}, warnings {row.warnings}")
    console.print(f"Inbox:              {province_paths(settings).inbox}")
    console.print(f"Provincial report:  {summary.report}")
    console.print(f"Province data file: {summary.export_csv} (+ .json)")
    console.print("Without an accepted data file: "
                  f"{', '.join(summary.missing_districts) or 'none'}")


@app.command()
def demo(data_dir: DataDir = None,
         hierarchy: Annotated[str, typer.Option(
             help="2024: Jan–Mar 2024, cells → district BL (data in ./var). 2025: the same "
                  "in Jul–Sep 2025, cells → communes BLM1–BLM4 on config/registry/"
                  "lam-dong-2025 (data in ./var/demo-2025).")] = "2024") -> None:
    """Generate three months of demo workbooks and consolidate each month."""
    from cellreports.demo_run import DATA_DIR_2025, HIERARCHIES, run_demo

    if hierarchy not in HIERARCHIES:
        raise typer.BadParameter(f"{hierarchy!r}: choose {' or '.join(HIERARCHIES)}",
                                 param_hint="--hierarchy")
    if hierarchy == "2025" and data_dir is None:
        data_dir = DATA_DIR_2025
    with _user_errors():
        run_demo(_settings(data_dir), hierarchy)


@app.command()
def template(unit: Annotated[str, typer.Option(help="Unit code, e.g. BL01.")],
             period: Annotated[str, typer.Option(help="The month, YYYY-MM.")],
             out: Annotated[Path | None, typer.Option(help="Output file.")] = None) -> None:
    """Write the blank BC-PTĐ-HS/1 workbook for a unit and month."""
    from cellreports.registry import Registry
    from forms.writer import write_template


    settings = Settings()
    month = _period(period)
    with _user_errors():
        registry = Registry.load(settings.registry_dir)
    found = registry.get(unit)
    if found is None or not found.active_in(month):
        raise typer.BadParameter(f"unit {unit!r} is not in the registry for {month}")
    target = out or Path(f"BC-PTD-HS_{found.code}_{month}.xlsx")
    target.write_bytes(write_template(found, month))
    console.print(f"Template for {found.name} ({found.code}), {month}: {target}")


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Bring the warehouse schema to the latest migration."""
    from warehouse.db import make_engine, upgrade

    settings = _settings(data_dir)
    upgrade(make_engine(settings.database_url))
    console.print(f"Warehouse at the latest schema: {settings.database_url}")


if __name__ == "__main__":
    app()
