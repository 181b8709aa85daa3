"""What the browser tests share: Debian's Chromium and its driver (a browser cannot be
downloaded here), required in CI (``CELLREPORTS_REQUIRE_BROWSER=1``), and a free port for
the app they drive."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

CHROMIUM = ("chromium", "chromium-browser")
DRIVER = ("chromedriver", "chromium-driver")


def which(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists()
                                       else None)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser_paths() -> tuple[str, str]:
    """(chromium, chromedriver); skipped with its reason where absent, unless CI requires
    them."""
    chromium, driver = which(CHROMIUM), which(DRIVER)
    if chromium is None or driver is None:
        reason = ("Chromium and its driver are not installed: the browser tests need them "
                  "(apt-get install chromium chromium-driver)")
        if os.environ.get("CELLREPORTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; CELLREPORTS_REQUIRE_BROWSER=1 forbids skipping them")
        pytest.skip(reason)
    return chromium, driver


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
