"""Who may see what on the officers' desk, route by route: every route of the app under
``/don-vi`` and ``/tinh`` is found by walking the app's routes (a new route is checked
without being listed here), and tried by each role that may not see it."""

from __future__ import annotations

import re

import pytest
from desk_site import PERIOD, DemoSite, csrf
from fastapi.routing import APIRoute

# a value for each path parameter of the officers' routes: real ones where they exist
SAMPLE = {"period": PERIOD, "cell": "BL01", "cell_code": "BL01", "submission_id": "1",
          "build_id": "1", "name": f"BaoCaoTongHop_BL_{PERIOD}.xlsx",
          "path": "index.html", "run_id": "00000000-0000-0000-0000-000000000000"}


def _officer_routes(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(method, template, scope) of every officers' route; scope is the unit it belongs
    to: the district BL, or the province LD for /tinh."""
    found = []
    for route in _walk(app.routes):
        if not route.path.startswith(("/don-vi", "/tinh")):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, route.path, "LD" if route.path.startswith("/tinh") else "BL"))
    return found


def _walk(routes: list) -> list[APIRoute]:  # type: ignore[type-arg]
    """The app's routes, through the routers it includes (FastAPI keeps an included router
    as one entry; our routers have no prefix)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _walk(route.original_router.routes)
    return found


def _url(template: str, unit: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        return unit if name in ("unit", "unit_code", "province") else SAMPLE.get(name, "1")

    return re.sub(r"\{([^}]+)\}", value, template)


@pytest.fixture(scope="module")
def app(demo_site: DemoSite):  # type: ignore[no-untyped-def]
    return demo_site.app()


@pytest.fixture(scope="module")
def routes(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    found = _officer_routes(app)
    # the pages of issue 19: the board, a cell's, findings by rule, explain, reports,
    # approval, the province's board — each must be among the routes walked
    paths = {p for _m, p, _s in found}
    for part in ("/chi-bo/", "/loi", "/giai-thich", "/bao-cao", "/phe-duyet", "/tinh/"):
        assert any(part in p for p in paths), (part, sorted(paths))
    return found


def _call(client, method: str, url: str, token: str | None = None):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(url)
    return client.request(method, url, data={"csrf": token or ""})


def test_nobody_signed_in_is_sent_to_sign_in_on_every_officer_route(app, demo_site, routes):
    client = demo_site.client(app=app)
    for method, template, scope in routes:
        answer = _call(client, method, _url(template, scope))
        assert answer.status_code in (303, 404), (method, template, answer.status_code)
        if method == "GET":
            assert answer.headers["location"] == "/dang-nhap", template


@pytest.mark.parametrize("login", ["BL01", "CANBO.BLC"])
def test_a_cell_and_another_districts_officer_get_404_on_every_route_of_the_district(
        app, demo_site, routes, login):
    client = demo_site.client(login, app=app)
    token = csrf(client.get("/dang-nhap").text)  # a real token of this session
    for method, template, scope in routes:
        answer = _call(client, method, _url(template, scope), token)
        assert answer.status_code == 404, (login, method, template, answer.status_code)
        assert "Không tìm thấy" in answer.text


def test_the_district_officer_gets_404_on_the_province_routes(app, demo_site, routes):
    client = demo_site.client("CANBO.BL", app=app)
    token = csrf(client.get("/dang-nhap").text)
    for method, template, _scope in routes:
        if template.startswith("/tinh"):
            answer = _call(client, method, _url(template, "LD"), token)
            assert answer.status_code == 404, (method, template)
    # nor on the pages of another district, or of the province under /don-vi
    for method, template, scope in routes:
        if scope == "BL":
            for other in ("BLC", "LD"):
                answer = _call(client, method, _url(template, other), token)
                assert answer.status_code == 404, (other, method, template)


def test_the_province_officer_may_act_on_nothing_of_the_district(app, demo_site, routes):
    """Read-only on the district's pages: every POST of a district's route is a 404 even
    with the session's own token (approval, reopen, reminders, consolidation)."""
    client = demo_site.client("CANBO.LD", app=app)
    token = csrf(client.get("/dang-nhap").text)
    posts = [(m, t) for m, t, s in routes if s == "BL" and m == "POST"]
    assert posts
    for method, template in posts:
        answer = _call(client, method, _url(template, "BL"), token)
        assert answer.status_code == 404, (method, template, answer.status_code)


def test_each_role_lands_on_its_own_start_page(app, demo_site):
    assert demo_site.client("CANBO.BL", app=app).get("/").headers["location"] == "/don-vi/BL"
    assert demo_site.client("CANBO.LD", app=app).get("/").headers["location"] == "/tinh/LD"
    assert demo_site.client("BL01", app=app).get("/").status_code == 200
    board = demo_site.client("CANBO.BL", app=app).get("/don-vi/BL")
    assert board.status_code == 303 and board.headers["location"] == f"/don-vi/BL/{PERIOD}"


def test_an_officer_finds_nothing_on_the_cells_pages(app, demo_site):
    client = demo_site.client("CANBO.BL", app=app)
    for path in ("/bieu-mau/2024-03", "/ket-qua/1", "/ket-qua/1/tep"):
        assert client.get(path).status_code == 404, path
