"""What a run leaves in the Prefect dashboard, rendered from its summary: the received
files, the completeness of the month, the findings by rule, where the outputs are. Plain
data out; flows/walk.py hands it to Prefect's artifact calls."""

from __future__ import annotations

from pathlib import Path

from core.findings import RULE_TITLES, Finding
from core.run import RunSummary

Table = list[dict[str, object]]

# the words of each level in the artifacts: (artifact key prefix, the units below, the
# workbook, who may lack valid data)
WORDS = {
    "district": ("month", "cell", "District report", "Cells without an accepted report"),
    "province": ("province", "unit", "Provincial report",
                 "Units without an accepted data file"),
}


def prefix(summary: RunSummary) -> str:
    """The artifacts' key prefix: ``month-…`` for a district's run, ``province-…``."""
    return WORDS[summary.level][0]


def received_table(summary: RunSummary) -> Table:
    """Every file of the run with its verdict, and what the channels passed over."""
    return ([{"unit": r.unit, "file": r.filename, "period": r.period or "",
              "status": r.status, "version": r.version or "", "errors": r.errors,
              "warnings": r.warnings} for r in summary.rows]
            + [{"unit": "", "file": s.name, "period": "", "status": f"not read: {s.reason}",
                "version": "", "errors": "", "warnings": ""} for s in summary.skipped])


def completeness_table(summary: RunSummary) -> Table:
    """Every expected unit of the month: accepted, rejected or missing."""
    return [{"unit": c.unit.code, "name": c.unit.name,
             "state": "accepted" if c.accepted else "rejected" if c.received else "missing",
             "on time": "yes" if c.on_time else "no", "version": c.version or "",
             "errors": c.errors, "warnings": c.warnings} for c in summary.statuses]


def findings_by_rule(findings: list[Finding]) -> Table:
    counts: dict[str, list[int]] = {}
    for f in findings:
        counts.setdefault(f.rule_id, [0, 0])[0 if f.is_error else 1] += 1
    return [{"rule": rule, "title": RULE_TITLES.get(rule, ""), "errors": errors,
             "warnings": warnings} for rule, (errors, warnings) in sorted(counts.items())]


def links(summary: RunSummary) -> list[tuple[str, Path, str]]:
    """(key, path, description) of each output worth a link artifact."""
    workbook = WORDS[summary.level][2]
    # a district's keys as they always were; the province's apart from them (one server)
    above = "" if summary.level == "district" else "province-"
    found = []
    for key, path, what in (("district-report" if not above else "province-report",
                             summary.report, workbook),
                            (f"{above}upward-data", summary.export_csv,
                             "Upward data file (CSV)"),
                            (f"{above}data-docs", summary.data_docs,
                             "Validation results (Data Docs)")):
        if path is not None:
            found.append((f"{key}-{summary.period}", path, what))
    return found


def outputs_markdown(summary: RunSummary) -> str:
    """Where the month's outputs are, and what still waits."""
    _prefix, _below, workbook, lacking = WORDS[summary.level]
    lines = [f"# {summary.unit} {summary.period}".replace("#  ", "# "), "",
             f"- {workbook}: `{summary.report}`",
             f"- Upward data file: `{summary.export_csv}`"]
    if summary.outbox is not None:
        lines.append(f"- Feedback outbox: `{summary.outbox}`")
    lines += [f"- Validation results (GX Data Docs): `{summary.data_docs}`",
              f"- {lacking}: {', '.join(summary.missing) or '—'}",
              "- Earlier months rebuilt (late or corrected files): "
              f"{', '.join(summary.rebuilt) or '—'}",
              "- Corrections waiting for an approved month to be reopened: "
              f"{', '.join(f'{u} {p} v{v}' for u, p, v, _f in summary.pending) or '—'}"]
    return "\n".join(lines)
