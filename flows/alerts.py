"""The automations that mail the officer when the schedule needs a person (docs/schedule.md,
"Alerts"): a run of the district's deployments failed or crashed, a run is late (nothing ran
it at its time: ``serve`` or the worker is down), a month is incomplete after its deadline
(flows/events.py), a file's feedback could not be delivered.

``cellreports serve`` and ``cellreports deploy`` create them, or update them, by name: never
twice. They send through one notification block, ``cellreports-<unit>-officer`` (type
``cellreports-smtp-email``, connectors/notifications.py), made from the SMTP settings; its
password is a secret field of the block, which the Prefect server keeps encrypted. The
automations hold the block's id and the words of the mail, nothing else. Without
``CELLREPORTS_SMTP_HOST`` or ``CELLREPORTS_OFFICER_EMAIL`` there is no one to mail: the
automations and the block of the unit are removed, if an earlier start made them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from core import messages_vi
from core.settings import Settings
from flows import events

if TYPE_CHECKING:
    from prefect.automations import AutomationCore
    from prefect.client.orchestration import SyncPrefectClient

FAILED_STATES = {"prefect.flow-run.Failed", "prefect.flow-run.Crashed",
                 "prefect.flow-run.TimedOut"}
LATE = "prefect.flow-run.Late"


def block_name(settings: Settings) -> str:
    """A block name: lowercase letters, digits and dashes."""
    return f"cellreports-{settings.district_code.lower()}-officer"


def alert_names(settings: Settings) -> dict[str, str]:
    code = settings.district_code
    return {"failed": f"cellreports {code}: a run failed or crashed",
            "late": f"cellreports {code}: a run is late",
            "incomplete": f"cellreports {code}: a month is incomplete after its deadline",
            "feedback": f"cellreports {code}: feedback could not be delivered"}


@dataclass(frozen=True)
class AlertsOutcome:
    """What ``ensure_alerts`` did, for ``serve`` to print."""

    on: bool
    names: tuple[str, ...] = ()
    created: int = 0
    updated: int = 0
    removed: int = 0
    why_off: str = ""


def alerts_wanted(settings: Settings) -> str:
    """Empty when the alerts can be sent, else why not."""
    if not settings.smtp_host:
        return "CELLREPORTS_SMTP_HOST is not set"
    if not settings.officer_email:
        return "CELLREPORTS_OFFICER_EMAIL is not set"
    return ""


def automations(settings: Settings, block_id: UUID, deployment_ids: Iterable[UUID],
                late_ids: Iterable[UUID] | None = None) -> list[AutomationCore]:
    """The four automations of the unit, on the runs of ``deployment_ids`` (a Late run: of
    ``late_ids``, all of them unless told) and on its months' events."""
    from prefect.automations import AutomationCore, EventTrigger, SendNotification

    code = settings.district_code
    names = alert_names(settings)
    deployment_ids = list(deployment_ids)

    def of(ids: Iterable[UUID]) -> dict[str, object]:
        return {"prefect.resource.role": "deployment",
                "prefect.resource.id": [f"prefect.deployment.{i}" for i in ids]}

    of_deployments = of(deployment_ids)
    of_late = of(deployment_ids if late_ids is None else late_ids)
    runs = {"prefect.resource.id": "prefect.flow-run.*"}
    months = f"{events.month_id(code, '')}*"  # cellreports.month.BL.*
    tag = f"[cellreports {code}]"

    def mail(subject: str, body: str) -> list[SendNotification]:
        return [SendNotification(block_document_id=block_id, subject=f"{tag} {subject}",
                                 body=body)]

    def on(expect: set[str], match: dict[str, object],
           match_related: dict[str, object] | None = None) -> EventTrigger:
        return EventTrigger(expect=expect, match=match, match_related=match_related or {},
                            posture="Reactive", threshold=1, within=timedelta(0))

    return [
        AutomationCore(
            name=names["failed"],
            description=(f"Mails the officer when a run of {code}'s deployments ends Failed, "
                         "Crashed or TimedOut."),
            trigger=on(FAILED_STATES, runs, of_deployments),
            actions=mail(*messages_vi.RUN_FAILED_MAIL)),
        AutomationCore(
            name=names["late"],
            description=(f"Mails the officer when a scheduled run of {code}'s deployments is "
                         "Late: nothing picked it up at its time (cellreports serve or the "
                         "worker is not running)."),
            trigger=on({LATE}, runs, of_late),
            actions=mail(*messages_vi.RUN_LATE_MAIL)),
        AutomationCore(
            name=names["incomplete"],
            description=(f"Mails the officer when a consolidation of {code} after a month's "
                         "deadline finds cells without an accepted report "
                         "(event cellreports.month.incomplete)."),
            trigger=on({events.MONTH_INCOMPLETE}, {"prefect.resource.id": months}),
            actions=mail(*messages_vi.MONTH_INCOMPLETE_MAIL)),
        AutomationCore(
            name=names["feedback"],
            description=(f"Mails the officer when a file's feedback could not be delivered "
                         f"in a run of {code} (event cellreports.feedback.failed)."),
            trigger=on({events.FEEDBACK_FAILED}, {"prefect.resource.id":
                                                  "cellreports.submission.*"},
                       {"prefect.resource.role": "month", "prefect.resource.id": months}),
            actions=mail(*messages_vi.FEEDBACK_FAILED_MAIL)),
    ]


def ensure_alerts(settings: Settings, deployment_ids: Iterable[UUID],
                  late_ids: Iterable[UUID] | None = None) -> AlertsOutcome:
    """Create or update, by name, the block and the automations of the settings' unit on
    the Prefect server of ``PREFECT_API_URL``; remove them when there is no one to mail."""
    from prefect.client.orchestration import get_client

    why_off = alerts_wanted(settings)
    names = alert_names(settings)
    with get_client(sync_client=True) as client:
        if why_off:
            removed = sum(_delete_named(client, name) for name in names.values())
            removed += _delete_block(settings)
            return AlertsOutcome(False, removed=removed, why_off=why_off)
        block_id = _save_block(settings)
        created = updated = removed = 0
        for automation in automations(settings, block_id, deployment_ids, late_ids):
            existing = client.read_automations_by_name(automation.name)
            if existing:
                client.update_automation(existing[0].id, automation)
                updated += 1
                for extra in existing[1:]:  # never two of one name
                    client.delete_automation(extra.id)
                    removed += 1
            else:
                client.create_automation(automation)
                created += 1
    return AlertsOutcome(True, tuple(names.values()), created, updated, removed)


def _save_block(settings: Settings) -> UUID:
    from connectors.notifications import SmtpEmail

    block = SmtpEmail(host=settings.smtp_host or "", port=settings.smtp_port,
                      starttls=settings.smtp_starttls, username=settings.smtp_user,
                      password=settings.smtp_password,
                      from_address=settings.smtp_from or settings.imap_user,
                      to=[a.strip() for a in settings.officer_email.split(",") if a.strip()])
    return block.save(block_name(settings), overwrite=True)  # type: ignore[return-value]


def _delete_named(client: SyncPrefectClient, name: str) -> int:
    found = client.read_automations_by_name(name)
    for automation in found:
        client.delete_automation(automation.id)
    return len(found)


def _delete_block(settings: Settings) -> int:
    from prefect.exceptions import ObjectNotFound

    from connectors.notifications import SmtpEmail

    try:
        SmtpEmail.delete(block_name(settings))
    except (ObjectNotFound, ValueError):
        return 0
    return 1
