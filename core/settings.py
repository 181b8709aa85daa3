"""One typed settings object. Defaults give the embedded set-up: SQLite and local folders."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_serializer
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REGISTRY = PROJECT_ROOT / "config" / "registry" / "bao-lam-2024"
DEFAULT_PROVINCE_REGISTRY = PROJECT_ROOT / "config" / "registry" / "lam-dong-2024-province"
DEFAULT_RULES = PROJECT_ROOT / "config" / "rules" / "limits.csv"
DEFAULT_HOLIDAYS = PROJECT_ROOT / "config" / "calendar" / "holidays-vn.csv"
# The warehouse database's limits (warehouse/db.py make_engine, which has them as defaults).
# A server that accepts the connection and never answers would otherwise hang a run forever.
DB_CONNECT_TIMEOUT = 10
# The longest legitimate statement of a run is a month query or a migration over years of
# submissions: seconds on an ordinary server. Five minutes leaves room for a slow one.
DB_STATEMENT_TIMEOUT = 300.0
# What Prefect (or any JSON) sees of the settings passed to a flow
SETTINGS_NOT_SENT = "settings of the process that ran it (not sent to Prefect)"


DISTRICT, PROVINCE = "district", "province"  # the levels that consolidate


@dataclass(frozen=True)
class LevelPaths:
    """The folders of one consolidating level."""

    inbox: Path
    processed: Path
    outbox: Path
    reports: Path
    data_docs: Path


class Settings(BaseSettings):
    """Read from the environment (``CELLREPORTS_*``) and an optional ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="CELLREPORTS_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    warehouse_url: str | None = None
    # Seconds to wait for PostgreSQL to accept a connection (psycopg's connect_timeout; it
    # counts at least 2), and for any one statement of either database to finish (0: no
    # limit). A run's wait for another run (warehouse/runlock.py) is not a statement.
    db_connect_timeout: int = Field(DB_CONNECT_TIMEOUT, ge=1)
    db_statement_timeout: float = Field(DB_STATEMENT_TIMEOUT, ge=0)
    inbox_dir: Path | None = None
    outbox_dir: Path | None = None
    archive_dir: Path | None = None
    reports_dir: Path | None = None
    registry_dir: Path = DEFAULT_REGISTRY
    # The province's consolidation of the districts' (communes') data files: its registry
    # view, and its unit (the registry's top unit when unset). Its folders are under
    # DATA_DIR/province (``paths("province")``).
    province_registry_dir: Path = DEFAULT_PROVINCE_REGISTRY
    province_code: str | None = None
    # Rule limits with effective dates, and the public-holiday calendar (working days)
    rules_file: Path = DEFAULT_RULES
    holidays_file: Path = DEFAULT_HOLIDAYS
    # The district (or commune) whose cells this installation consolidates.
    district_code: str = "BL"
    timezone: str = "Asia/Ho_Chi_Minh"
    # Key of the keyed hash of personal identification numbers; never stored in the repo.
    # When unset, a random key is created once in data_dir/secret.key.
    pid_hash_key: SecretStr | None = None
    read_chunk_size: int = 50
    # A month's new files are read, checked and loaded this many at a time (flows/walk.py):
    # what a batch read is let go once it is loaded, so a month of 10,000 files does not
    # hold 10,000 parsed workbooks. H07 across the batches is settled from the warehouse
    # before any file is answered.
    stream_batch_size: int = 500
    # Each received file is read in a child process with at most this much memory and time
    # (forms/sandbox.py): a file that would exhaust them is stopped and named, not the run.
    read_memory_mib: int = 1024
    read_seconds: float = 60.0
    # Worker processes for the run's pure CPU-bound steps (the feedback workbooks, a large
    # district's workbook; services/workers.py): unset, one per core; 1, none (all in the
    # run's own process).
    cpu_workers: int | None = Field(default=None, ge=1)
    # Files per GX validation. One validation costs mostly its fixed overhead, so on one
    # machine the whole batch is fastest; smaller chunks spread it over a Dask cluster.
    validate_chunk_size: int = 1000
    # Each run's validations also go into the GX Data Docs site under DATA_DIR/datadocs
    # (about a second more per run). Off: no site is built or linked; the findings, the
    # feedback and the reports are the same (the test suite turns it off where it does not
    # look at the site).
    data_docs: bool = True
    # The scheduler of an existing Dask cluster (``tcp://host:8786``): the monthly flow's
    # read chunks then run on its workers (flows/runners.py, docs/cluster.md). Unset: on
    # this machine, in threads.
    dask_address: str | None = None
    # The e-mail channel (connectors/imap_mailbox.py): on when imap_host is set. Feedback and
    # reminders go out by SMTP from smtp_from.
    imap_host: str | None = None
    imap_port: int = 993
    imap_ssl: bool = True
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_folder: str = "INBOX"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = ""
    # the district officer: the list of missing units after the deadline
    officer_email: str = ""
    # reminders go this many days before the deadline
    reminder_days: int = 3
    # Intake on arrival (flows/intake.py): every this many minutes the files that have
    # arrived are read, checked, loaded and answered, while the month is still open.
    intake_minutes: int = Field(10, ge=1, le=24 * 60)
    # The cells' web page (web/, ``cellreports web``). The key that signs its session
    # cookies: when unset, a random one is created once in data_dir/web.key.
    web_secret_key: SecretStr | None = None
    # Send the session cookie over HTTPS only: on behind the reverse proxy that serves the
    # page over HTTPS (docs/web.md); off for a page tried on this machine over plain HTTP.
    web_secure_cookies: bool = False
    # Failed sign-ins of one login or one address within 15 minutes before it must wait
    web_login_attempts: int = Field(5, ge=1, le=100)
    # Where the officers reach the desk (``https://baocao.baolam.vn``): the runs' Prefect
    # artifacts then link to its pages (reports, Data Docs, the month's board), which a
    # browser opens behind the desk's sign-in. Unset: they name the files on this machine.
    web_url: str | None = None

    @model_serializer(mode="plain", when_used="json")
    def _not_sent(self) -> str:
        """The settings never leave the process in JSON: Prefect stores a flow's parameters
        (and shows them in its dashboard) as JSON, and ``cellreports run`` passes these to
        the flow in-process. The warehouse URL may hold a password, the key hashes
        identification numbers; in Prefect a run's ``settings`` reads as this sentence."""
        return SETTINGS_NOT_SENT

    def _under_data(self, value: Path | None, name: str) -> Path:
        return value if value is not None else self.data_dir / name

    @property
    def inbox(self) -> Path:
        return self._under_data(self.inbox_dir, "inbox")

    @property
    def outbox(self) -> Path:
        return self._under_data(self.outbox_dir, "outbox")

    @property
    def archive(self) -> Path:
        return self._under_data(self.archive_dir, "archive")

    @property
    def reports(self) -> Path:
        return self._under_data(self.reports_dir, "reports")

    @property
    def province_reports(self) -> Path:
        return self.paths(PROVINCE).reports

    def paths(self, level: str = DISTRICT) -> LevelPaths:
        """Where one level's files live: the district's (or commune's) folders, each
        settable, or the province's, all under ``DATA_DIR/province``."""
        if level == PROVINCE:
            root = self.data_dir / "province"
            return LevelPaths(inbox=root / "inbox", processed=root / "processed",
                              outbox=root / "outbox", reports=root / "reports",
                              data_docs=(root / "datadocs").resolve())
        return LevelPaths(inbox=self.inbox, processed=self.data_dir / "processed",
                          outbox=self.outbox, reports=self.reports,
                          data_docs=(self.data_dir / "datadocs").resolve())

    @cached_property
    def web_key(self) -> str:
        """The key of the web page's session cookies (see ``web_secret_key``)."""
        if self.web_secret_key is not None:
            return self.web_secret_key.get_secret_value()
        return _key_file(self.data_dir / "web.key")

    @property
    def database_url(self) -> str:
        if self.warehouse_url:
            return self.warehouse_url
        return f"sqlite:///{(self.data_dir / 'warehouse.sqlite').resolve()}"

    @cached_property
    def pid_key(self) -> bytes:
        if self.pid_hash_key is not None:
            return self.pid_hash_key.get_secret_value().encode()
        return _key_file(self.data_dir / "secret.key").encode()

    # Who sent a message (connectors/mail_auth.py, docs/schedule.md): a From address is
    # trusted only when the district's own mail server vouches for it in the
    # Authentication-Results header it adds (RFC 8601), known by its authserv-id (the
    # header's first word; several: comma-separated); headers with another id are ignored.
    # Policy: "strict" (DMARC pass, or an SPF or DKIM pass aligned with From's domain that
    # DMARC does not contradict), "relaxed" (any aligned DMARC, SPF or DKIM pass, even beside
    # a DMARC fail or error), "off" (From trusted as written: a WARNING at every run). An
    # unauthenticated message's files are still archived and answered, rejected with F05.
    mail_auth_servid: str = ""
    mail_auth_policy: Literal["strict", "relaxed", "off"] = "strict"


def _key_file(path: Path) -> str:
    """A random key kept in ``path`` (created once, readable by its owner only)."""
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
