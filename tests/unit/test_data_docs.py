"""The GX Data Docs work offline: no page, stylesheet or script of the site loads anything
from the internet (a <script src>, <link href>, <img src>, @import or url() naming an
http(s) address), every file a page loads is in the site, and each validation is listed
under its run's name (unit, month, start) and its frame as the data asset — for the cells'
checks and for the province's."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import great_expectations
import pytest
from factories import PERIOD, make_roster, make_summary, make_workbook
from province_factories import district_csv, province_registry

from core.registry import Registry
from forms.export_reader import read_export
from forms.reader import read_cell_report
from validations.context import Context
from validations.datadocs import localize_template, run_name
from validations.export_checks import validate_exports
from validations.export_frames import ExportItem
from validations.frames import BatchItem
from validations.run import validate_batch

STARTED = datetime(2026, 12, 4, 3, 15, tzinfo=UTC)  # 10h15 in Hà Nội
CELLS_RUN = "BL 2024-03 run 2026-12-04 10h15"
PROVINCE_RUN = "LD 2024-03 run 2026-12-04 03h15"  # the time's own zone (UTC here)
REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.S)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(['"]?)([^'")\s;]+)""")
# in a script or stylesheet's text: an attribute, url() or @import naming a remote address
REMOTE_IN_TEXT = re.compile(r"""\b(?:src|href)\s*=\s*\\?["']\s*(?:https?:)?//"""
                            r"""|url\(\s*\\?["']?\s*(?:https?:)?//"""
                            r"""|@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", re.I)
GX_TEMPLATES = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
GX_STYLES = GX_TEMPLATES.parent / "static" / "styles"


@pytest.fixture(scope="module")
def cells_site(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A district's site: two cells' reports, one with a roster error (a failed check, so
    a page with failing rows), validated with H07."""
    docs = tmp_path_factory.mktemp("datadocs").resolve()
    roster = make_roster()
    roster[2] = replace(roster[2], gender="X")  # R03
    batch = [BatchItem(read_cell_report(make_workbook())),
             BatchItem(read_cell_report(make_workbook(roster=roster,
                                                      summary=make_summary(roster))))]
    context = Context(registry=registry, run_period=PERIOD, unit_code="BL",
                      run_started=STARTED)
    found = validate_batch(batch, registry, PERIOD, context, docs_dir=docs)
    assert [f.rule_id for f in found[1] if f.is_error] == ["R03"]
    return docs


@pytest.fixture(scope="module")
def province_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    docs = tmp_path_factory.mktemp("province-datadocs").resolve()
    registry = province_registry()
    items = [ExportItem(read_export(district_csv(registry, "BL")))]
    validate_exports(items, registry, PERIOD, "LD", docs_dir=docs, run_started=STARTED)
    return docs


@pytest.fixture(params=["cells", "province"])
def site(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(f"{request.param}_site")


class Page(HTMLParser):
    """What an HTML page loads (``assets``: tag, attribute, address), where its links go,
    and its inline scripts and styles."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.assets: list[tuple[str, str, str]] = []
        self.links: list[str] = []
        self.texts: list[str] = []  # inline <script>, <style> and style="…"
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.texts.append(value)
            elif tag == "a" and name == "href":
                self.links.append(value)
            elif name in ("src", "href", "srcset", "poster", "data", "background"):
                self.assets.append((tag, name, value))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.texts.append(data)


def _files(site: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.suffix in suffixes and p.is_file())


def _css_references(text: str) -> list[str]:
    return [m[2] for m in CSS_URL.finditer(text)] + [m[2] for m in CSS_IMPORT.finditer(text)]


def _local_file(page: Path, address: str) -> Path | None:
    """The file a relative address of ``page`` names (None for a fragment or data:)."""
    parts = urlsplit(address)
    if parts.scheme or not parts.path:
        return None
    return page.parent / unquote(parts.path)


def test_nothing_is_loaded_from_the_internet(site: Path) -> None:
    remote = []
    for page in _files(site, ".html"):
        parsed = Page(page.read_text(encoding="utf-8"))
        remote += [(page.name, tag, attribute, address)
                   for tag, attribute, address in parsed.assets if REMOTE.match(address)]
        remote += [(page.name, "inline", address) for text in parsed.texts
                   for address in _css_references(text) if REMOTE.match(address)]
        remote += [(page.name, "inline", m[0]) for text in parsed.texts
                   for m in REMOTE_IN_TEXT.finditer(text)]
    for sheet in _files(site, ".css"):
        remote += [(sheet.name, address) for address in _css_references(
            sheet.read_text(encoding="utf-8")) if REMOTE.match(address)]
    for script in _files(site, ".js"):
        remote += [(script.name, m[0]) for m in REMOTE_IN_TEXT.finditer(
            script.read_text(encoding="utf-8"))]
    assert not remote
    assert _files(site, ".html") and _files(site, ".css") and _files(site, ".js")


def test_every_file_a_page_loads_or_links_is_in_the_site(site: Path) -> None:
    missing, loaded = [], set()
    for page in _files(site, ".html"):
        parsed = Page(page.read_text(encoding="utf-8"))
        addresses = [address for _tag, _attribute, address in parsed.assets]
        addresses += [a for a in parsed.links if not REMOTE.match(a)]
        addresses += [a for text in parsed.texts for a in _css_references(text)]
        for address in addresses:
            target = _local_file(page, address)
            if target is None:
                continue
            loaded.add(target.resolve())
            if not target.is_file():
                missing.append((str(page.relative_to(site)), address))
    for sheet in _files(site, ".css"):
        for address in _css_references(sheet.read_text(encoding="utf-8")):
            target = _local_file(sheet, address)
            if target is not None and not target.is_file():
                missing.append((str(sheet.relative_to(site)), address))
    assert not missing
    vendor = site / "static" / "vendor"
    assert {vendor / "bootstrap/css/bootstrap.min.css", vendor / "jquery/jquery.min.js",
            vendor / "bootstrap-table/bootstrap-table.min.js",
            vendor / "fontawesome/css/all.min.css"} <= loaded


def _index_rows(site: Path) -> list[dict[str, str]]:
    """The index's validation list: the rows of its bootstrap table, as GX writes them."""
    text = (site / "index.html").read_text(encoding="utf-8")
    rows = []
    for row in re.finditer(r"'run_name': '([^']*)'.*?'_table_row_link_path': '([^']*)'.*?"
                           r"'asset_name': '([^']*)'", text, re.S):
        rows.append({"run_name": row[1], "path": row[2], "asset_name": row[3]})
    return rows


@pytest.mark.parametrize(("site_name", "run", "assets"), [
    ("cells_site", CELLS_RUN, {"files", "summary", "wide", "roster", "same_person"}),
    ("province_site", PROVINCE_RUN, {"district_files", "district_values",
                                     "district_required"}),
])
def test_the_index_lists_each_validation_by_its_run_and_frame(
        request: pytest.FixtureRequest, site_name: str, run: str, assets: set[str]) -> None:
    site = request.getfixturevalue(site_name)
    index = " ".join(re.sub(r"<[^>]+>", " ", (site / "index.html").read_text()).split())
    assert "Data Docs | cellreports" in index  # the site's name reaches GX's index
    rows = _index_rows(site)
    assert {r["asset_name"] for r in rows} == assets
    assert {r["run_name"] for r in rows} == {run}
    for row in rows:
        page = site / unquote(row["path"])
        assert page.is_file(), row
        text = " ".join(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")).split())
        assert re.search(rf"Data asset: {row['asset_name']} ", text), row
        assert re.search(rf"Run Name {re.escape(run)} ", text), row
        assert "__none__" not in text and "Data asset: None" not in text


def test_a_run_is_named_by_its_unit_month_and_local_start() -> None:
    assert run_name("BL", "2024-03", STARTED, "Asia/Ho_Chi_Minh") == CELLS_RUN
    assert run_name(None, "2024-03", STARTED) == "2024-03 run 2026-12-04 03h15"
    assert run_name("BL", "2024-03", STARTED.replace(tzinfo=None)).endswith("03h15")
    # a folder name of the site: no separator, no colon
    assert not re.search(r"[/\\:]", run_name("A/B\\C:D", "2024-03", STARTED))


@pytest.mark.parametrize("template", sorted(
    p.name for p in [*GX_TEMPLATES.glob("*.j2"), *GX_STYLES.glob("*.css")]))
def test_every_gx_template_is_made_local_once_and_for_all(template: str) -> None:
    """Also the templates no page of ours uses: whatever GX renders loads nothing remote."""
    folder = GX_TEMPLATES if template.endswith(".j2") else GX_STYLES
    local = localize_template(template, (folder / template).read_text(encoding="utf-8"))
    assert localize_template(template, local) == local
    parsed = Page(local)  # a link (<a href>) to GX's site is not loaded: it may stay
    assert not [asset for asset in parsed.assets if REMOTE.match(asset[2])]
    assert not [a for a in _css_references(local) if REMOTE.match(a)]
    assert not [m[0] for text in parsed.texts for m in REMOTE_IN_TEXT.finditer(text)]
    assert "great-expectations-web-assets" not in local
    assert "add_data_context_id_to_url" not in local


def test_a_compiled_template_is_used_again_only_while_its_source_is_unchanged() -> None:
    """GX builds a new Jinja environment for every site build: the process-wide cache of
    compiled templates (validations.datadocs.COMPILED_TEMPLATES) spares compiling them
    again, and a template whose source changed is compiled anew."""
    from jinja2 import DictLoader, Environment

    from validations.datadocs import CompiledTemplates

    cache = CompiledTemplates()
    sources = {"page.j2": "<p>{{ word }}</p>"}
    compiled: list[str] = []

    def environment() -> Environment:
        env = Environment(loader=DictLoader(sources), bytecode_cache=cache)
        compile_ = env.compile
        env.compile = lambda source, *a, **k: (compiled.append(source),  # type: ignore[method-assign]
                                               compile_(source, *a, **k))[1]
        return env

    assert environment().get_template("page.j2").render(word="một") == "<p>một</p>"
    assert environment().get_template("page.j2").render(word="hai") == "<p>hai</p>"
    assert len(compiled) == 1  # the second environment took the compiled code
    sources["page.j2"] = "<b>{{ word }}</b>"
    assert environment().get_template("page.j2").render(word="ba") == "<b>ba</b>"
    assert len(compiled) == 2


def test_gx_views_of_the_site_share_the_compiled_templates() -> None:
    from validations.datadocs import COMPILED_TEMPLATES, OfflineIndexPageView, OfflinePageView

    views = [OfflinePageView(), OfflinePageView(), OfflineIndexPageView()]
    assert all(view.env.bytecode_cache is COMPILED_TEMPLATES for view in views)
