"""The web app (``cellreports web``): FastAPI with server-rendered Jinja templates.

The cells' pages (web/cell_pages.py) and the officers' desk (web/officer.py and the page
modules it lists) share one sign-in. Every page but the sign-in one needs a signed-in
account and answers only about what that account may see (web/common.py): another unit's
page, a guessed id or a path is a 404, the same as one that does not exist. Every form
carries a CSRF token; an upload is capped before it is read whole; nothing of an exception
reaches the browser.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from core.limits import DEFAULT_LIMITS
from core.settings import Settings
from web import board, cell_pages, officer, province_pages, report_pages, sign_in, unit_pages
from web.common import (
    HERE,
    Desk,
    NotFound,
    SignIn,
    failure,
    http_error,
    invalid,
    not_found,
    signed_in_account,
    to_sign_in,
)
from web.security import BodyLimit, SecurityHeaders

# the multipart envelope around the file (boundaries, the token, headers)
ENVELOPE_BYTES = 64 * 1024
SESSION_HOURS = 8
PAGES = (sign_in, cell_pages, officer, board, unit_pages, report_pages, province_pages)

home_router = APIRouter()


@home_router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Each account's own start page: a cell's months, an officer's board."""
    account = signed_in_account(request)
    if account.role == "cell":
        return cell_pages.cell_home(request)
    if account.role == "province":
        return RedirectResponse(f"/tinh/{account.unit_code}", status_code=303)
    return RedirectResponse(f"/don-vi/{account.unit_code}", status_code=303)


async def too_large(scope: Any, receive: Any, send: Any) -> None:
    mib = DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)
    text = (f"Tệp lớn hơn {mib} MB: biểu mẫu của một chi bộ không lớn như vậy. Đồng chí kiểm "
            "tra lại tệp (ảnh chụp, tệp khác) rồi gửi lại.").encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": text})


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """The app for the settings' district: its registry, warehouse and folders (``clock``:
    the present, for a page shown as on another day; the real one unless told)."""
    app = FastAPI(title="cellreports", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.desk = Desk(settings, clock)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(home_router)
    for module in PAGES:
        app.include_router(module.router)
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
    # What is loaded by now (Prefect, GX, pandas, the registries) lives as long as the
    # process: frozen out of the collector's sight, a full collection no longer walks it
    # (measured: it added ~175 ms to every other request of a 50-cell district's pages).
    gc.collect()
    gc.freeze()
    return app
