"""Finding identification numbers (Số định danh cá nhân) in any text: in full, or any
leading part of 6 digits or more (the province, gender and birth-year digits and more).

A hit is a run of 6+ digits that starts a word (not inside a hexadecimal hash, a uuid or a
decimal fraction) and is a leading part of a number, or starts with a whole one; the number
with its leading zero lost (Excel drops it) counts too. Dates, times and sizes do not start
like the numbers of the inputs, so they are not hits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SHORTEST = 6
# a run of digits that starts a token and is not followed by a hexadecimal letter
RUN = re.compile(rf"(?<![0-9A-Za-z.])\d{{{SHORTEST},}}(?![0-9a-fA-F])")


class PidNeedles:
    def __init__(self, pids: Iterable[str]):
        leading = {re.match(r"\d*", pid).group() for pid in pids}  # type: ignore[union-attr]
        self.prefixes = {lead[:n] for lead in leading for n in range(SHORTEST, len(lead) + 1)}
        whole = {lead for lead in leading if len(lead) == 12}
        self.whole = whole | {lead.lstrip("0") for lead in whole}
        self._lengths = {len(number) for number in self.whole}

    def find(self, text: str) -> list[str]:
        """Every leading part or whole number in ``text``."""
        return [run for run in RUN.findall(text) if run in self.prefixes
                or any(run[:n] in self.whole for n in self._lengths)]

    def in_bytes(self, content: bytes) -> list[str]:
        return self.find(content.decode("latin-1"))
