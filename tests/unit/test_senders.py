"""Rule F05, who may send a unit's report: the inbox root (the officer's own drop) for every
unit; a unit's sub-folder of the folder inbox for its own unit when the registry lists no
``senders`` for it (named after the unit, compared without case), else only the folders
listed; by e-mail only a listed address."""

from __future__ import annotations

from pathlib import Path

from factories import PERIOD, make_workbook
from registry_copies import registry_with_senders, registry_without_senders

from core.registry import Registry
from forms.reader import read_cell_report
from validations.context import Context
from validations.frames import BatchItem
from validations.run import validate_batch

BL01_MAIL = "chibo.thptbaolam@baolam.edu.vn"
REPORT = read_cell_report(make_workbook())  # BL01's March report

# (channel, sender) -> whether BL01's report is allowed from there
WITHOUT_SENDERS = {
    ("folder", ""): True,  # the inbox root: the officer's own drop
    ("folder", "BL01"): True,
    ("folder", "bl01"): True,
    ("folder", "BL02"): False,  # another unit's folder
    ("folder", "BL01-cu"): False,
    ("imap", "BL01"): False,  # an e-mail sender must be a listed address
    ("imap", BL01_MAIL): False,
    ("imap", ""): False,  # a message without a sender is not the officer
}
WITH_SENDERS = {  # the shipped registry: BL01;chibo.thptbaolam@baolam.edu.vn
    ("folder", ""): True,
    ("folder", "BL01"): True,
    ("folder", "bl01"): True,
    ("folder", "BL02"): False,
    ("imap", BL01_MAIL): True,
    ("imap", BL01_MAIL.upper()): True,
    ("imap", "ai.do@gmail.com"): False,
    ("imap", ""): False,
}
ONLY_MAIL = {  # BL01's senders list its address alone: no folder of its own
    ("folder", ""): True,
    ("folder", "BL01"): False,
    ("imap", BL01_MAIL): True,
}


def _allowed(registry: Registry, cases: dict[tuple[str, str], bool]) -> dict:  # type: ignore[type-arg]
    items = [BatchItem(REPORT, sender=sender, channel=channel) for channel, sender in cases]
    context = Context(registry=registry, run_period=PERIOD)
    found = validate_batch(items, registry, PERIOD, context)
    return {case: "F05" not in {f.rule_id for f in one} for case, one in zip(cases, found,
                                                                            strict=True)}


def test_without_senders_a_units_own_sub_folder_is_allowed(tmp_path: Path) -> None:
    registry = Registry.load(registry_without_senders(tmp_path / "registry"))
    assert all(not unit.senders for unit in registry.units.values())
    assert _allowed(registry, WITHOUT_SENDERS) == WITHOUT_SENDERS


def test_with_senders_only_the_listed_folders_and_addresses(registry: Registry) -> None:
    assert _allowed(registry, WITH_SENDERS) == WITH_SENDERS


def test_senders_listing_only_an_address_give_the_unit_no_folder(tmp_path: Path) -> None:
    registry = Registry.load(registry_with_senders(
        tmp_path / "registry", lambda code: BL01_MAIL if code == "BL01" else ""))
    assert _allowed(registry, ONLY_MAIL) == ONLY_MAIL
