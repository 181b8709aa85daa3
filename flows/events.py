"""Prefect events for what the district must act on (docs/schedule.md, "Events").

A run emits them to the Prefect API it reports to; the automations of flows/alerts.py
notify the officer on some of them. An event names its resources by unit code, month and
warehouse submission id, and carries counts and rule ids: never a file name (a sender
chooses it and may write a person's name in it), a person's name, an identification number
or an address. Emitted inside a flow run, Prefect adds the run, its flow, its deployment and
its tags as related resources.

- ``cellreports.month.consolidated`` (resource ``cellreports.month.<unit>.<YYYY-MM>``): every
  run of the monthly consolidation, with the month's counts;
- ``cellreports.month.incomplete`` (the same resource): a run after the month's deadline
  finds cells without an accepted report;
- ``cellreports.file.rejected`` (``cellreports.submission.<id>``): a new file of the run is
  rejected;
- ``cellreports.feedback.failed`` (``cellreports.submission.<id>``): a file's feedback
  could not be delivered.
"""

from __future__ import annotations

from typing import Any

from prefect.events import emit_event

MONTH_CONSOLIDATED = "cellreports.month.consolidated"
MONTH_INCOMPLETE = "cellreports.month.incomplete"
FILE_REJECTED = "cellreports.file.rejected"
FEEDBACK_FAILED = "cellreports.feedback.failed"


def month_id(unit: str, period: str) -> str:
    return f"cellreports.month.{unit}.{period}"


def month_resource(unit: str, period: str, role: str | None = None) -> dict[str, str]:
    resource = {"prefect.resource.id": month_id(unit, period),
                "prefect.resource.name": f"{unit} {period}"}
    if role:
        resource["prefect.resource.role"] = role
    return resource


def unit_resource(unit: str) -> dict[str, str]:
    return {"prefect.resource.id": f"cellreports.unit.{unit}",
            "prefect.resource.name": unit, "prefect.resource.role": "unit"}


def submission_resource(submission_id: int, unit: str, period: str | None,
                        version: int | None) -> dict[str, str]:
    name = " ".join(p for p in (unit, period or "", f"v{version}" if version else "") if p)
    return {"prefect.resource.id": f"cellreports.submission.{submission_id}",
            "prefect.resource.name": name}


def emit(event: str, resource: dict[str, str], payload: dict[str, Any],
         related: list[dict[str, str]] | None = None) -> None:
    """One event to the Prefect API of the run (a no-op where events are off)."""
    emit_event(event=event, resource=resource, payload=payload, related=related or [])
