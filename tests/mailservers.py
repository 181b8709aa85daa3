"""Real mail servers for the tests, no mocks: Dovecot for IMAP, aiosmtpd for SMTP.

Registered as a pytest plugin by ``tests/conftest.py`` (``pytest_plugins = ["mailservers"]``).

Fixtures:

``imap_server`` (session)
    One Dovecot (``dovecot -F -c <config>``) on 127.0.0.1 and a free port, plaintext login
    without TLS, maildir storage and users from a passwd-file (``{PLAIN}`` passwords), all in
    a temporary folder removed at the end of the session. Skipped where Dovecot is not
    installed, unless ``CELLREPORTS_REQUIRE_DOVECOT=1``.
``mailbox`` (function)
    A new user on that server for each test, so its INBOX starts empty: an ``ImapMailbox``
    with ``host``, ``port``, ``user``, ``password`` and helpers that speak real IMAP
    (``deliver``, ``messages``, ``flags``, ``fetch``, ``create_folder``, ``folders``).
``smtp_server`` (function)
    A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port for one test; every message it
    accepts is appended to ``smtp_server.received`` as a ``ReceivedMail``.

``mailbox.deliver`` puts a message into the mailbox as it is given. A message that the
district's mail server received carries what that server adds on top of it: wrap it in
``received_by_district`` (a ``Received`` and an ``Authentication-Results`` header, RFC 8601,
under the authserv-id ``DISTRICT_MX``; the tests' settings trust that id). A forged message is
delivered without it, or with results that do not vouch for its From address.

Dovecot never runs as root here: as root, the whole server runs as ``nobody`` (Dovecot refuses
mail access for root); otherwise as the current user. Its log is in ``imap_server.log_path``.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import grp
import imaplib
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NamedTuple

import pytest

HOST = "127.0.0.1"
DOVECOT_APT = "apt-get install dovecot-imapd"
STARTUP_TIMEOUT = 30.0
UNPRIVILEGED_USER = "nobody"


# --- IMAP: the mailbox a test sees ---------------------------------------------------------


class StoredMessage(NamedTuple):
    """One message in a folder, as the server reports it."""

    uid: int
    flags: frozenset[str]  # e.g. {"\\Seen", "\\Flagged", "processed"}; never "\\Recent"
    subject: str  # decoded (RFC 2047); "" when the message has none


def _parse_message(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def _flag_list(flags: str | Iterable[str]) -> str:
    if isinstance(flags, str):
        flags = flags.strip()
        if flags.startswith("(") and flags.endswith(")"):
            flags = flags[1:-1]
        return " ".join(flags.split())
    return " ".join(flags)


def _check(response: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = response
    if status != "OK":
        raise AssertionError(f"IMAP {what} failed: {status} {data!r}")
    return data


_UID = re.compile(rb"\bUID (\d+)")
_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)")
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")
_LIST = re.compile(rb'^\((?P<attrs>[^)]*)\) (?P<sep>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')


def _fetch_items(data: list[Any]) -> Iterator[tuple[bytes, bytes | None]]:
    """(metadata, literal) for each message of an imaplib FETCH answer."""
    for item in data:
        if isinstance(item, tuple):
            yield item[0], item[1]
        elif isinstance(item, bytes) and item != b")" and _UID.search(item):
            yield item, None


@dataclass(frozen=True)
class ImapMailbox:
    """A user's mailbox on the test Dovecot: log in with ``user`` and ``password``
    (plaintext LOGIN or AUTHENTICATE PLAIN, no TLS) at ``host``:``port``."""

    host: str
    port: int
    user: str
    password: str

    def connect(self) -> imaplib.IMAP4:
        """A logged-in IMAP connection (no folder selected); the caller logs out."""
        client = imaplib.IMAP4(self.host, self.port, timeout=30)
        try:
            _check(client.login(self.user, self.password), "LOGIN")
        except BaseException:
            client.shutdown()
            raise
        return client

    @contextmanager
    def session(self, folder: str = "INBOX", *, readonly: bool = False) -> Iterator[
            imaplib.IMAP4]:
        """A logged-in connection with ``folder`` selected (EXAMINE when ``readonly``)."""
        client = self.connect()
        try:
            _check(client.select(_quote(folder), readonly=readonly), f"SELECT {folder}")
            yield client
        finally:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                client.shutdown()

    def deliver(self, message: EmailMessage | bytes, flags: str | Iterable[str] = "", *,
                folder: str = "INBOX", internal_date: datetime | None = None) -> int:
        """APPEND ``message`` to ``folder`` with ``flags`` (e.g. ``"\\\\Seen \\\\Flagged"``);
        returns its UID. ``internal_date`` must be timezone-aware (default: now)."""
        raw = message if isinstance(message, bytes) else message.as_bytes(
            policy=email.policy.SMTP)
        flag_list = _flag_list(flags)
        date = imaplib.Time2Internaldate(internal_date) if internal_date else None
        client = self.connect()
        try:
            data = _check(client.append(_quote(folder), f"({flag_list})" if flag_list else None,
                                        date, raw), "APPEND")
        finally:
            client.logout()
        match = _APPENDUID.search(b" ".join(d for d in data if isinstance(d, bytes)))
        if not match:
            raise AssertionError(f"APPEND gave no APPENDUID: {data!r}")
        return int(match.group(1))

    def messages(self, folder: str = "INBOX") -> list[StoredMessage]:
        """Every message in ``folder`` by ascending UID: (uid, flags, subject). Read-only:
        it neither sets ``\\Seen`` nor takes ``\\Recent``."""
        with self.session(folder, readonly=True) as client:
            flags = self._flags(client, "1:*")
            if not flags:
                return []
            data = _check(client.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])"),
                          "FETCH")
        subjects: dict[int, str] = {}
        for meta, literal in _fetch_items(data):
            uid = int(_UID.search(meta).group(1))  # type: ignore[union-attr]
            subjects[uid] = str(_parse_message(literal or b"").get("Subject", ""))
        return [StoredMessage(uid, flags[uid], subjects.get(uid, "")) for uid in sorted(flags)]

    def flags(self, uid: int, folder: str = "INBOX") -> frozenset[str]:
        """The flags of message ``uid`` in ``folder`` (without ``\\Recent``); KeyError if none."""
        with self.session(folder, readonly=True) as client:
            return self._flags(client, str(uid))[uid]

    def fetch(self, uid: int, folder: str = "INBOX") -> EmailMessage:
        """Message ``uid`` of ``folder``, parsed (``email.policy.default``); read-only."""
        with self.session(folder, readonly=True) as client:
            data = _check(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
        for meta, literal in _fetch_items(data):
            if literal is not None and int(_UID.search(meta).group(1)) == uid:  # type: ignore[union-attr]
                return _parse_message(literal)
        raise KeyError(f"no message with UID {uid} in {folder}")

    def create_folder(self, name: str) -> None:
        """CREATE a folder (hierarchy separator ``/``), e.g. ``"Processed"``."""
        client = self.connect()
        try:
            _check(client.create(_quote(name)), f"CREATE {name}")
        finally:
            client.logout()

    def folders(self) -> list[str]:
        """The names of all folders (LIST "" "*"), INBOX included."""
        client = self.connect()
        try:
            data = _check(client.list('""', "*"), "LIST")
        finally:
            client.logout()
        names = []
        for line in data:
            match = _LIST.match(line) if isinstance(line, bytes) else None
            if match:
                names.append(_unquote(match.group("name").decode()))
        return names

    @staticmethod
    def _flags(client: imaplib.IMAP4, uids: str) -> dict[int, frozenset[str]]:
        data = _check(client.uid("FETCH", uids, "(UID FLAGS)"), "FETCH FLAGS")
        found = {}
        for meta, _ in _fetch_items(data):
            uid = int(_UID.search(meta).group(1))  # type: ignore[union-attr]
            listed = _FLAGS.search(meta)
            flags = listed.group(1).decode().split() if listed else []
            found[uid] = frozenset(f for f in flags if f != "\\Recent")
        return found


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(name: str) -> str:
    if name.startswith('"') and name.endswith('"'):
        return re.sub(r"\\(.)", r"\1", name[1:-1])
    return name


# --- the district's mail server: what it adds to a message it receives ----------------------

# The authserv-id of the test district's mail server (the first word of the
# Authentication-Results header it adds): the tests' CELLREPORTS_MAIL_AUTH_SERVID.
DISTRICT_MX = "mx.baolam.vn"


def passing_results(sender: str) -> str:
    """The results a server like Postfix with OpenDKIM, OpenDMARC and an SPF policy daemon
    writes for a message really sent from ``sender``'s domain: SPF, DKIM and DMARC pass, with
    their usual comments and a quoted value."""
    domain = sender.rpartition("@")[2]
    return (f"dkim=pass (2048-bit key; unprotected) header.d={domain} header.i=@{domain} "
            f'header.a=rsa-sha256 header.s=mail header.b="Xk3/p+Q1"; '
            f"spf=pass ({DISTRICT_MX}: domain of {sender} designates 203.0.113.25 as permitted "
            f"sender) smtp.mailfrom={sender}; "
            f"dmarc=pass (p=quarantine dis=none) header.from={domain}")


def received_by_district(message: EmailMessage | bytes, results: str | None = None, *,
                         servid: str = DISTRICT_MX) -> bytes:
    """``message`` as the district's mail server hands it to the mailbox: with the
    ``Authentication-Results`` header it prepends (``servid; results``; by default what it
    writes for a message really sent from the From address: :func:`passing_results`) and its
    ``Received`` header. Headers already in the message (a forger's own
    Authentication-Results) stay below them, as on a real server."""
    raw = message if isinstance(message, bytes) else message.as_bytes(
        policy=email.policy.SMTP)
    if results is None:
        sender = email.utils.parseaddr(str(_parse_message(raw).get("From", "")))[1]
        results = passing_results(sender)
    added = (f"Authentication-Results: {servid};\r\n\t{results}\r\n"
             f"Received: from mail.baolam.edu.vn (mail.baolam.edu.vn [203.0.113.25])\r\n"
             f"\tby {servid} (Postfix) with ESMTPS id 4Tq8Zk0Xyz;\r\n"
             f"\t{email.utils.formatdate(localtime=True)}\r\n")
    return added.encode() + raw


# --- IMAP: the Dovecot server ---------------------------------------------------------------


def dovecot_path() -> str | None:
    """The dovecot binary (it lives in /usr/sbin, often not on a user's PATH), or None."""
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _dovecot_version(binary: str) -> tuple[int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30,
                         check=True).stdout
    match = re.match(r"\s*(\d+)\.(\d+)", out)
    if not match:
        raise RuntimeError(f"cannot read the Dovecot version from {out!r}")
    return int(match.group(1)), int(match.group(2))


def _dovecot_config(version: tuple[int, int], root: Path, port: int, user: str,
                    group: str) -> str:
    """The whole configuration: nothing is read from /etc/dovecot."""
    run_as = f"""
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 0
first_valid_gid = 0
"""
    # The server runs unprivileged, so it cannot chroot its login and anvil processes.
    services = f"""
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  # no growing delays for tests that log in with a wrong password on purpose
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""
    common = f"""
protocols = imap
listen = {HOST}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
auth_mechanisms = plain login
auth_failure_delay = 0
"""
    if version < (2, 4):
        return f"""# dovecot {version[0]}.{version[1]} test server
{common}
disable_plaintext_auth = no
{run_as}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = {root}/users/%u
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}
{services}"""
    # Dovecot 2.4 changed the configuration syntax (Debian 13 ships 2.4.1).
    return f"""dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
{common}
auth_allow_cleartext = yes
{run_as}
mail_home = {root}/mail/%{{user}}
mail_driver = maildir
mail_path = ~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb passwd-file {{
  passwd_file_path = {root}/users/%{{user}}
}}
userdb static {{
}}
{services}"""


@dataclass
class DovecotServer:
    """The running test Dovecot. ``add_user()`` makes a new, empty mailbox."""

    host: str
    port: int
    directory: Path
    version: tuple[int, int]
    process: subprocess.Popen[bytes]
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def log_path(self) -> Path:
        return self.directory / "dovecot.log"

    def log(self) -> str:
        """Dovecot's log so far (and anything it printed before opening it)."""
        parts = []
        for path in (self.directory / "startup.log", self.log_path):
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)

    def add_user(self, user: str | None = None, password: str | None = None) -> ImapMailbox:
        """A new user (default ``cellNNNN`` with a random password); its INBOX is empty until
        something is delivered."""
        with self._lock:
            user = user or f"cell{next(self._counter):04d}"
            password = password or secrets.token_hex(8)
            _append_user(self.directory, user, password)
        return ImapMailbox(self.host, self.port, user, password)


def _append_user(directory: Path, user: str, password: str) -> None:
    """One passwd-file per user (``users/<user>``): Dovecot reads a new file at the first
    login, whereas it rechecks a changed file at most once a second."""
    if not re.fullmatch(r"[A-Za-z0-9._-]+", user) or any(c in password for c in ":\n"):
        raise ValueError("user: letters, digits, '.', '_', '-'; password: no ':' or newline")
    path = directory / "users" / user
    if path.exists():
        raise ValueError(f"user {user!r} exists already")
    path.write_text(f"{user}:{{PLAIN}}{password}::::::\n", encoding="utf-8")
    path.chmod(0o644)


def _run_as() -> tuple[str, str, dict[str, Any]]:
    """(user, group, Popen keywords): the current user, or ``nobody`` when we are root."""
    if os.geteuid() != 0:
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, grp.getgrgid(os.getegid()).gr_name, {}
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        pytest.fail(f"running as root, the test Dovecot needs the user {UNPRIVILEGED_USER!r}")
    group = grp.getgrgid(entry.pw_gid).gr_name
    return entry.pw_name, group, {"user": entry.pw_uid, "group": entry.pw_gid,
                                  "extra_groups": []}


def _pdeathsig() -> list[str]:
    """A prefix that makes Dovecot stop when pytest dies without its teardown (SIGKILL,
    SIGTERM): util-linux's setpriv, where present, sets the parent-death signal and execs."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []


def _wait_until_ready(server: DovecotServer, probe: ImapMailbox) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"dovecot exited with {server.process.returncode}:\n"
                               f"{server.log()}")
        try:
            probe.connect().logout()
            return
        except (OSError, imaplib.IMAP4.error, AssertionError) as exc:
            last_error = exc
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not accept an IMAP login on {server.host}:{server.port} "
                       f"within {STARTUP_TIMEOUT:.0f} s ({last_error!r}):\n{server.log()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the master (it stops its children), then SIGKILL whatever of its process group
    is left: only the processes this fixture started."""
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@contextmanager
def running_dovecot(binary: str) -> Iterator[DovecotServer]:
    """Start a private Dovecot in a temporary folder; stop it and remove the folder after."""
    version = _dovecot_version(binary)
    user, group, popen_user = _run_as()
    # Not pytest's tmp_path: its parents are private to root, and the server runs as nobody.
    directory = Path(tempfile.mkdtemp(prefix="cellreports-dovecot-"))
    try:
        for sub in ("run", "state", "mail", "users"):
            (directory / sub).mkdir()
        probe_password = secrets.token_hex(8)
        _append_user(directory, "probe", probe_password)
        for path in (directory, *directory.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
            if popen_user:
                os.chown(path, popen_user["user"], popen_user["group"])
        for attempt in range(3):
            port = free_port()
            config = directory / "dovecot.conf"
            config.write_text(_dovecot_config(version, directory, port, user, group))
            with open(directory / "startup.log", "ab") as startup_log:
                process = subprocess.Popen(
                    [*_pdeathsig(), binary, "-F", "-c", str(config)], stdin=subprocess.DEVNULL,
                    stdout=startup_log, stderr=subprocess.STDOUT, start_new_session=True,
                    **popen_user)
            server = DovecotServer(HOST, port, directory, version, process)
            try:
                _wait_until_ready(server, ImapMailbox(HOST, port, "probe", probe_password))
                break
            except RuntimeError:
                _stop(process)
                # another process took the port between free_port() and the bind: try again
                if attempt == 2 or "Address already in use" not in server.log():
                    raise
        try:
            yield server
        finally:
            _stop(process)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_binary() -> str:
    """The dovecot binary; skipped with its reason where absent, unless CI requires it."""
    path = dovecot_path()
    if path is None:
        reason = ("Dovecot (dovecot) is not installed: the IMAP mailbox tests need a real IMAP "
                  f"server ({DOVECOT_APT})")
        if os.environ.get("CELLREPORTS_REQUIRE_DOVECOT") == "1":
            pytest.fail(f"{reason}; CELLREPORTS_REQUIRE_DOVECOT=1 forbids skipping them")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def imap_server(dovecot_binary: str) -> Iterator[DovecotServer]:
    """One private Dovecot for the whole session."""
    with running_dovecot(dovecot_binary) as server:
        yield server


@pytest.fixture
def mailbox(imap_server: DovecotServer) -> ImapMailbox:
    """A new user for this test: its INBOX is empty."""
    return imap_server.add_user()


# --- SMTP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP server accepted."""

    mail_from: str  # envelope sender (MAIL FROM)
    rcpt_tos: list[str]  # envelope recipients (RCPT TO), in order
    message: EmailMessage  # parsed with email.policy.default
    raw: bytes  # the DATA as received
    auth_user: str | None  # the login if the client authenticated, else None


@dataclass
class SmtpServer:
    """A running aiosmtpd server. AUTH PLAIN/LOGIN (without TLS) is offered and accepted with
    ``user``/``password`` but not required; there is no TLS."""

    host: str
    port: int
    user: str
    password: str
    received: list[ReceivedMail] = field(default_factory=list)

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedMail]:
        """``received`` once it holds at least ``count`` messages (for senders in threads)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} messages received, expected "
                                     f"{count} within {timeout} s")
            time.sleep(0.05)
        return self.received


class _CollectingHandler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        auth_user = None
        if getattr(session, "authenticated", False) and session.auth_data is not None:
            login = getattr(session.auth_data, "login", session.auth_data)
            auth_user = login.decode() if isinstance(login, bytes) else str(login)
        self.server.received.append(ReceivedMail(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
            message=_parse_message(raw), raw=raw, auth_user=auth_user))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) for this test only; ``received`` starts empty."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    server = SmtpServer(HOST, free_port(), "sender", secrets.token_hex(8))

    def authenticator(smtp: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == server.user
              and auth_data.password.decode() == server.password)
        # handled=False: on a failure aiosmtpd itself answers 535
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    controller = Controller(_CollectingHandler(server), hostname=HOST, port=server.port,
                            server_hostname="localhost", authenticator=authenticator,
                            auth_require_tls=False, auth_required=False)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
