"""What a run leaves in the Prefect dashboard, rendered from its summary: the received
files, the completeness of the month, the findings by rule, where the outputs are. Plain
data out; flows/walk.py hands it to Prefect's artifact calls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

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


@dataclass(frozen=True)
class Link:
    """One link artifact: its key, where it points, its text and what it is."""

    key: str
    link: str
    text: str
    description: str


class Desk:
    """The desk's addresses of a run's outputs (the URL scheme of web/officer.py and
    web/report_pages.py: ``/don-vi/<unit>/<month>/…``, ``/tinh/<province>/<month>``)."""

    def __init__(self, web_url: str, summary: RunSummary):
        self.root = web_url.rstrip("/")
        unit, period = quote(summary.unit, safe=""), quote(summary.period, safe="")
        self.unit_root = f"{self.root}/don-vi/{unit}"
        self.reports = f"{self.unit_root}/{period}/bao-cao"
        self.data_docs = f"{self.unit_root}/data-docs/index.html"
        # the province's own board is /tinh/…; its reports are under /don-vi/<province>/…
        self.board = (f"{self.unit_root}/{period}" if summary.level == "district"
                      else f"{self.root}/tinh/{unit}/{period}")

    def file(self, path: Path) -> str:
        """A current output file of the month, downloaded from the reports page."""
        return f"{self.reports}/tep/{quote(path.name, safe='')}"

    def url_of(self, key: str, path: Path) -> str:
        return self.data_docs if key.endswith("data-docs") else self.file(path)

    def pages(self, summary: RunSummary, above: str) -> list[Link]:
        """The month's pages on the desk: its reports (with the PDF, the earlier versions
        and the approval) and its board."""
        month = f"{summary.unit} {summary.period}"
        return [Link(f"{above}desk-reports-{summary.period}", self.reports,
                     f"Reports of {month}",
                     "The month's reports on the desk: PDF, earlier versions, approval"),
                Link(f"{above}desk-board-{summary.period}", self.board, f"Board of {month}",
                     "The month's board on the desk: arrivals, findings, reminders")]


def links(summary: RunSummary, web_url: str | None = None) -> list[Link]:
    """Each output worth a link artifact: with the desk's address (``Settings.web_url``),
    its pages behind the officers' sign-in (the reports page, the Data Docs, the month's
    board); without it, the files on this machine as ``file://`` addresses."""
    workbook = WORDS[summary.level][2]
    # a district's keys as they always were; the province's apart from them (one server)
    above = "" if summary.level == "district" else "province-"
    desk = Desk(web_url, summary) if web_url else None
    found = []
    for key, path, what in (("district-report" if not above else "province-report",
                             summary.report, workbook),
                            (f"{above}upward-data", summary.export_csv,
                             "Upward data file (CSV)"),
                            (f"{above}data-docs", summary.data_docs,
                             "Validation results (Data Docs)")):
        if path is None:
            continue
        if desk is None:
            found.append(Link(f"{key}-{summary.period}", Path(path).resolve().as_uri(),
                              path.name, what))
        else:
            found.append(Link(f"{key}-{summary.period}", desk.url_of(key, path), path.name,
                              f"{what}, on the desk (sign in as an officer)"))
    return found if desk is None else [*found, *desk.pages(summary, above)]


def outputs_markdown(summary: RunSummary, web_url: str | None = None) -> str:
    """Where the month's outputs are, and what still waits: links to the desk's pages
    when its address is known, else the paths on this machine."""
    _prefix, _below, workbook, lacking = WORDS[summary.level]
    lines = [f"# {summary.unit} {summary.period}".replace("#  ", "# "), ""]
    if web_url:
        lines += _desk_lines(summary, Desk(web_url, summary), workbook)
    else:
        lines += [f"- {workbook}: `{summary.report}`",
                  f"- Upward data file: `{summary.export_csv}`"]
        if summary.outbox is not None:
            lines.append(f"- Feedback outbox: `{summary.outbox}`")
        lines.append(f"- Validation results (GX Data Docs): `{summary.data_docs}`")
    lines += [f"- {lacking}: {', '.join(summary.missing) or '—'}",
              "- Earlier months rebuilt (late or corrected files): "
              f"{', '.join(summary.rebuilt) or '—'}",
              "- Corrections waiting for an approved month to be reopened: "
              f"{', '.join(f'{u} {p} v{v}' for u, p, v, _f in summary.pending) or '—'}"]
    return "\n".join(lines)


def _desk_lines(summary: RunSummary, desk: Desk, workbook: str) -> list[str]:
    """The outputs as links to the desk (its sign-in guards them)."""
    lines = [f"- The month on the desk: [{summary.unit} {summary.period}]({desk.board})",
             f"- Reports, history and approval: [{_md(summary.period)}]({desk.reports})"]
    for what, path in ((workbook, summary.report),
                       ("Upward data file (CSV)", summary.export_csv),
                       ("Upward data file (JSON)", summary.export_json)):
        if path is not None:
            lines.append(f"- {what}: [{_md(path.name)}]({desk.file(path)})")
    if summary.outbox is not None:
        # each cell's feedback is on its own page of the desk; the folder is the server's
        lines.append(f"- Feedback outbox (on the server): `{summary.outbox}`")
    docs = f"[Data Docs]({desk.data_docs})" if summary.data_docs is not None else "—"
    lines.append(f"- Validation results (GX Data Docs): {docs}")
    return lines


def _md(text: str) -> str:
    """A file name as a link's text: markdown's brackets and emphasis taken literally."""
    return re.sub(r"([\\\[\]_*`])", r"\\\1", text)
