"""What every page of the web app shares: the desk (settings, registries, warehouse, level),
the page renderer, who is signed in, the CSRF check and the errors every route may raise.

Access is decided here and only here: ``signed_in_cell`` for a cell's pages,
``officer_for`` for the officers' pages (web/officer.py). A page of another unit, a guessed
id or a path is ``NotFound``: the same 404 as a page that does not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.findings import RULE_TITLES
from core.periods import InvalidPeriod, parse_period
from core.registry import Registry, Unit
from core.settings import Settings
from services import accounts
from services.levels import DistrictLevel
from services.reporting import province_of
from services.uploads import Intake
from warehouse.accounts import AccountView
from warehouse.unit_of_work import Warehouse
from web.security import Attempts, new_token, same_token

HERE = Path(__file__).parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# what the desk serves for download, by the file's suffix
MEDIA_TYPES = {".xlsx": XLSX, ".csv": "text/csv; charset=utf-8", ".json": "application/json",
               ".pdf": "application/pdf",
               ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
OFFICER_ROLES = ("district", "province")
log = logging.getLogger(__name__)


class NotFound(Exception):
    """Nothing here for this account: another unit's, a guessed id, or no such thing."""


class SignIn(Exception):
    """The page needs a signed-in account (of the role it is for)."""


class Desk:
    """What every route needs: the settings' district and its registry and level, the
    province's registry and code, the page's templates, the sign-in attempts counted in this
    process."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None):
        self.settings = settings
        self.registry = Registry.load(settings.registry_dir)
        Warehouse.of(settings).ready(self.registry)
        self.level = DistrictLevel.of(settings, self.registry, data_docs=False)
        self.intake = Intake(self.level)
        self.attempts = Attempts(settings.web_login_attempts)
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.zone = ZoneInfo(settings.timezone)
        # what "now" is: the moment an upload arrives, the months and deadlines shown
        self.now = clock or (lambda: datetime.now(self.zone))
        self._province: tuple[Registry, str] | None = None

    @property
    def district(self) -> Unit:
        """The consolidating unit this desk serves (a district, or a commune in 2025)."""
        unit = self.registry.get(self.settings.district_code)
        if unit is None:
            raise NotFound
        return unit

    def province(self) -> tuple[Registry, str]:
        """The province's registry (its districts or communes) and its code, read once."""
        if self._province is None:
            registry = Registry.load(self.settings.province_registry_dir)
            self._province = registry, self.settings.province_code or province_of(registry)
        return self._province


def desk_of(request: Request) -> Desk:
    return request.app.state.desk  # type: ignore[no-any-return]


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = request.session
    if "csrf" not in session:
        session["csrf"] = new_token()
    return desk_of(request).templates.TemplateResponse(request, name, {
        "csrf": session["csrf"], "titles": RULE_TITLES, **context}, status_code=status)


def signed_in_account(request: Request) -> AccountView:
    """The signed-in active account, whatever its role, or SignIn."""
    desk = desk_of(request)
    login = request.session.get("login")
    found = accounts.account(desk.settings, login) if login else None
    if found is None:
        request.session.pop("login", None)
        raise SignIn
    return found


def signed_in(request: Request) -> tuple[AccountView, Unit]:
    """The signed-in cell account and its unit; an officer on a cell's page finds nothing
    (NotFound), a stranger is sent to sign in."""
    found = signed_in_account(request)
    if found.role != "cell":
        raise NotFound
    unit = desk_of(request).registry.get(found.unit_code)
    if unit is None:
        request.session.pop("login", None)
        raise SignIn
    return found, unit


@dataclass(frozen=True)
class Officer:
    """An officer on a page of ``scope``: who, and what the account may do there."""

    account: AccountView
    scope: Unit  # the district (commune) or the province whose page this is
    at_province: bool  # the page is the province's board (its data files)
    may_act: bool  # approve, reopen, remind, consolidate: the district role of this district


def officer_for(request: Request, unit_code: str) -> Officer:
    """The signed-in officer if the account may see ``unit_code``'s pages, else NotFound.

    A ``district`` account sees and acts on its own district only; a ``province`` account
    sees its province's board and, read-only, the pages of the district this desk serves
    when that district is one of its province's. A cell's account sees none of them."""
    desk = desk_of(request)
    account = signed_in_account(request)
    district = desk.district
    if account.role == "district":
        if account.unit_code == unit_code == district.code:
            return Officer(account, district, at_province=False, may_act=True)
        raise NotFound
    if account.role == "province":
        registry, province = desk.province()
        if account.unit_code != province:
            raise NotFound
        if unit_code == province and (top := registry.get(province)) is not None:
            return Officer(account, top, at_province=True, may_act=True)
        if unit_code == district.code and province in desk.registry.above(district.code):
            return Officer(account, district, at_province=False, may_act=False)
    raise NotFound


def month_or_404(period: str) -> str:
    try:
        return parse_period(period)
    except InvalidPeriod:
        raise NotFound from None


def check_csrf(request: Request, token: str | None) -> None:
    if not same_token(request.session.get("csrf"), token):
        raise NotFound  # a form not from this page's session: nothing to do here


def address(request: Request) -> str:
    return request.client.host if request.client else ""


async def to_sign_in(request: Request, _exc: Exception) -> Response:
    return RedirectResponse("/dang-nhap", status_code=303)


async def not_found(request: Request, _exc: Exception) -> Response:
    return page(request, "error.html", 404, heading="Không tìm thấy",
                text="Trang hoặc tệp này không có, hoặc không thuộc đơn vị của đồng chí.")


async def http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
        return page(request, "error.html", 405, heading="Không thực hiện được",
                    text="Thao tác này không dùng được ở đây.")
    return await not_found(request, exc)


async def invalid(request: Request, exc: Exception) -> Response:
    """A path that is not a number where one is wanted is no page; a form sent without its
    fields is a request the page cannot act on. Never FastAPI's JSON of the details."""
    if request.method == "GET":
        return await not_found(request, exc)
    return page(request, "error.html", 400, heading="Không thực hiện được",
                text="Biểu mẫu gửi lên thiếu nội dung. Đồng chí quay lại trang và thử lại.")


async def failure(request: Request, exc: Exception) -> Response:
    log.exception("the web page failed on %s", request.url.path)
    return page(request, "error.html", 500, heading="Có lỗi trong hệ thống",
                text="Hệ thống chưa xử lý được yêu cầu này. Đồng chí thử lại sau ít phút; "
                     "nếu vẫn lỗi, xin báo Ban Tổ chức Huyện ủy.")
