"""Signing in and out: one page for every role (a cell's login is its unit code)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services import accounts
from web.common import address, check_csrf, desk_of, page
from web.security import new_token

router = APIRouter()


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
