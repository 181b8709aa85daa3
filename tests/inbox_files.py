"""Dropping a received file into a settings' folder inbox, as a cell's upload would."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

from core.settings import Settings

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def drop(settings: Settings, sender: str, name: str | bytes, content: bytes,
         day: int = 20) -> None:
    """``inbox/<sender>/<name>``, arrived on ``day`` March 2024 at 9:00 local time. A bytes
    name is written as it is (a name the file system gives back undecodable)."""
    folder = settings.inbox / sender
    folder.mkdir(parents=True, exist_ok=True)
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else
                        os.fsencode(name))
    with open(path, "wb") as file:
        file.write(content)
    moment = datetime(2024, 3, day, 9, 0, tzinfo=LOCAL).timestamp()
    os.utime(path, (moment, moment))
