"""The project's exceptions: one base, and the one every room shares (a file that could not
be read as a form). Each package names its own below these, beside the code that raises
them; the CLI turns them into one sentence and an exit code."""

from __future__ import annotations


class CellreportsError(Exception):
    """Something the project knows how to name went wrong (base of every named error).

    The CLI shows one as one sentence, ``heading: message``, and exits with ``exit_code``:
    1 for a refused operation, 2 for a setting or file the user must fix, 3 for a service
    (database, mailbox, server) that cannot be reached."""

    heading = "Error"
    exit_code = 1


class ReadError(CellreportsError):
    """A received file could not be read as a form; carries the rule and a message for the
    sender in Vietnamese."""

    rule_id = "F01"

    def __init__(self, message_vi: str, *, sheet: str | None = None):
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.sheet = sheet
