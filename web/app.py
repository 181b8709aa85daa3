"""The cells' web page (``cellreports web``): FastAPI with server-rendered Jinja templates.

Every page but the sign-in one needs a signed-in cell account, and answers only about that
account's unit: another unit's submission, a guessed id or a path is a 404, the same as
one that does not exist. Every form carries a CSRF token; an upload is capped before it is
read whole; nothing of an exception reaches the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from core.findings import RULE_TITLES
from core.limits import DEFAULT_LIMITS
from core.periods import InvalidPeriod, parse_period
from core.registry import Registry, Unit
from core.settings import Settings
from services import accounts, cell_desk
from services.levels import DistrictLevel
from services.uploads import Intake, Upload
from warehouse.accounts import AccountView
from warehouse.unit_of_work import Warehouse
from web.security import Attempts, BodyLimit, SecurityHeaders, new_token, same_token

HERE = Path(__file__).parent
# what a cell may upload: the form's workbook as Excel or LibreOffice saves it
ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# the multipart envelope around the file (boundaries, the token, headers)
ENVELOPE_BYTES = 64 * 1024
SESSION_HOURS = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
log = logging.getLogger(__name__)


class NotFound(Exception):
    """Nothing here for this account: another unit's, a guessed id, or no such thing."""


class SignIn(Exception):
    """The page needs a signed-in cell account."""


class Desk:
    """What every route needs: the settings' district, its registry and level, the page's
    templates, the sign-in attempts counted in this process."""

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


router = APIRouter()


def desk_of(request: Request) -> Desk:
    return request.app.state.desk  # type: ignore[no-any-return]


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = request.session
    if "csrf" not in session:
        session["csrf"] = new_token()
    return desk_of(request).templates.TemplateResponse(request, name, {
        "csrf": session["csrf"], "titles": RULE_TITLES, **context}, status_code=status)


def signed_in(request: Request) -> tuple[AccountView, Unit]:
    """The signed-in cell account and its unit, or SignIn."""
    desk = desk_of(request)
    login = request.session.get("login")
    found = accounts.account(desk.settings, login) if login else None
    unit = desk.registry.get(found.unit_code) if found else None
    if found is None or unit is None or found.role != "cell":
        request.session.pop("login", None)
        raise SignIn
    return found, unit


def check_csrf(request: Request, token: str | None) -> None:
    if not same_token(request.session.get("csrf"), token):
        raise NotFound  # a form not from this page's session: nothing to do here


def address(request: Request) -> str:
    return request.client.host if request.client else ""


async def to_sign_in(request: Request, _exc: Exception) -> Response:
    return RedirectResponse("/dang-nhap", status_code=303)


async def not_found(request: Request, _exc: Exception) -> Response:
    return page(request, "error.html", 404, heading="Không tìm thấy",
                text="Trang hoặc tệp này không có, hoặc không thuộc chi bộ của đồng chí.")


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


@router.get("/dang-nhap", response_class=HTMLResponse)
def sign_in_page(request: Request) -> Response:
    return page(request, "login.html")


@router.post("/dang-nhap")
def sign_in(request: Request, login: Annotated[str, Form(max_length=64)] = "",
            password: Annotated[str, Form(max_length=256)] = "",
            csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    check_csrf(request, csrf)
    desk = desk_of(request)
    login = login.strip().upper()
    where = address(request)
    if desk.attempts.blocked(f"login:{login}", f"address:{where}"):
        accounts.record(desk.settings, login, "login_throttled", address=where)
        return page(request, "login.html", 429, login=login,
                    error="Đăng nhập sai quá nhiều lần. Đồng chí đợi 15 phút rồi thử lại.")
    found = accounts.sign_in(desk.settings, login, password, where)
    if found is None:
        desk.attempts.failed(f"login:{login}", f"address:{where}")
        return page(request, "login.html", 401, login=login,
                    error="Tên đăng nhập hoặc mật khẩu không đúng.")
    desk.attempts.succeeded(f"login:{login}")
    request.session.clear()  # a new session for the account: no fixation
    request.session.update(login=found.login, csrf=new_token())
    return RedirectResponse("/", status_code=303)


@router.post("/dang-xuat")
def sign_out(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/dang-nhap", status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    account, unit = signed_in(request)
    desk = desk_of(request)
    today = desk.now().date()
    return page(request, "home.html", unit=unit, account=account,
                months=cell_desk.months(desk.settings, desk.registry, unit, today),
                submissions=cell_desk.submissions(desk.settings, unit.code),
                last=cell_desk.last_accepted(desk.settings, unit, today),
                zone=desk.zone, accepted=", ".join(ACCEPTED_SUFFIXES),
                max_mib=DEFAULT_LIMITS.max_file_bytes // (1024 * 1024))


@router.get("/bieu-mau/{period}")
def blank_form(request: Request, period: str) -> Response:
    account, unit = signed_in(request)
    try:
        month = parse_period(period)
    except InvalidPeriod:
        raise NotFound from None
    if not unit.active_in(month):
        raise NotFound
    content, name = cell_desk.blank_form(unit, month)
    accounts.record(desk_of(request).settings, account.login, "form", unit.code,
                    address=address(request))
    return Response(content, media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.post("/nop")
def upload(request: Request, file: Annotated[UploadFile, File()],
           csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    account, unit = signed_in(request)
    check_csrf(request, csrf)
    desk = desk_of(request)
    name = file.filename or ""
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        return refused(request, unit, "Tệp này không phải bảng tính của biểu mẫu. Đồng chí "
                       "gửi tệp Excel (.xlsx, .xls) hoặc LibreOffice (.ods) của biểu mẫu "
                       "BC-PTĐ-HS/1.")
    content = file.file.read(DEFAULT_LIMITS.max_file_bytes + 1)
    if not content:
        return refused(request, unit, "Tệp rỗng: không có nội dung nào được gửi lên.")
    taken = desk.intake.take(Upload(unit.code, name, content, desk.now()))
    accounts.record(desk.settings, account.login, "upload", unit.code, taken.submission_id,
                    address(request))
    return RedirectResponse(f"/ket-qua/{taken.submission_id}", status_code=303)


def refused(request: Request, unit: Unit, text: str) -> Response:
    return page(request, "error.html", 400, heading="Không nhận tệp", text=text, unit=unit)


@router.get("/ket-qua/{submission_id}", response_class=HTMLResponse)
def result(request: Request, submission_id: int) -> Response:
    _account, unit = signed_in(request)
    desk = desk_of(request)
    found = cell_desk.submission(desk.settings, unit.code, submission_id)
    if found is None:
        raise NotFound
    view, findings = found
    has_file = cell_desk.feedback_file(desk.settings, unit.code, submission_id) is not None
    return page(request, "result.html", unit=unit, sub=view, findings=findings,
                zone=desk.zone, feedback=has_file)


@router.get("/ket-qua/{submission_id}/tep")
def feedback(request: Request, submission_id: int) -> Response:
    account, unit = signed_in(request)
    desk = desk_of(request)
    path = cell_desk.feedback_file(desk.settings, unit.code, submission_id)
    if path is None:
        raise NotFound
    accounts.record(desk.settings, account.login, "download", unit.code, submission_id,
                    address(request))
    return FileResponse(path, filename=path.name, media_type=XLSX)


async def too_large(scope: Any, receive: Any, send: Any) -> None:
    mib = DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)
    text = (f"Tệp lớn hơn {mib} MB: biểu mẫu của một chi bộ không lớn như vậy. Đồng chí kiểm "
            "tra lại tệp (ảnh chụp, tệp khác) rồi gửi lại.").encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": text})


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The page for the settings' district: its registry, warehouse and folders (``clock``:
    the present, for a page shown as on another day; the real one unless told)."""
    app = FastAPI(title="cellreports", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = Desk(settings, clock)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    app.add_exception_handler(SignIn, to_sign_in)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, failure)
    app.add_middleware(SessionMiddleware, secret_key=settings.web_key,
                       session_cookie="cellreports_phien", max_age=SESSION_HOURS * 3600,
                       same_site="strict", https_only=settings.web_secure_cookies)
    app.add_middleware(BodyLimit, max_bytes=DEFAULT_LIMITS.max_file_bytes + ENVELOPE_BYTES,
                       too_large=too_large)
    app.add_middleware(SecurityHeaders)
    return app
