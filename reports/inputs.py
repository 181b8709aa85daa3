"""What a month's district outputs are built from, as one digest.

The workbook, the Word report and the data files are pure functions of the month's data
(``MonthData``), the document's wording (``DocumentHeader``) and the code that writes
them: the same three give the same bytes. A run whose digest equals the one recorded with
the outputs on disk has nothing to rebuild (services.reporting): a run with nothing new,
or with a correction that was rejected, no longer rewrites the month's reports.
"""

from __future__ import annotations

import dataclasses
import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from core.month import MonthData
from reports.document import DocumentHeader

PROJECT = Path(__file__).resolve().parent.parent
# the code the outputs come from: the builders, the plain data they read, the formats
BUILDER_PACKAGES = ("core", "reports")
LIBRARIES = ("openpyxl", "et_xmlfile", "python-docx", "lxml")


def inputs_digest(month: MonthData, document: DocumentHeader) -> str:
    """SHA-256 of the month's data, the document's wording and the builders' code."""
    digest = hashlib.sha256()
    for part in (canonical(month), repr(document), code_version()):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def canonical(month: MonthData) -> str:
    """The month as text that does not depend on the order its mappings were filled in
    (the warehouse returns rows in no promised order)."""
    parts = []
    for field in dataclasses.fields(month):
        value = getattr(month, field.name)
        if isinstance(value, dict):
            value = sorted(value.items(), key=repr)
        parts.append(f"{field.name}={value!r}")
    return "\n".join(parts)


@cache
def code_version() -> str:
    """The builders' sources and the writing libraries' versions (once per process)."""
    digest = hashlib.sha256()
    for package in BUILDER_PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):
            digest.update(path.relative_to(PROJECT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}=={version(library)}".encode())
        except PackageNotFoundError:
            digest.update(f"{library} absent".encode())
    return digest.hexdigest()
