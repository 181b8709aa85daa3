"""The GX Data Docs site, offline: every page's CSS, JavaScript, fonts and images are files
of the site itself, and each validation is named after the run it belongs to.

GX 1.x's page templates load Bootstrap, jQuery, Font Awesome, bootstrap-table, Vega… from
public CDNs and the logo from GX's S3 bucket: on a district machine without internet the
pages had no styles and no working validation list, and with internet every view told
third parties that a page was opened. The site here is built with GX's own extension
points — a site builder, page views and a validation page renderer named by
``module_name``/``class_name`` in the site's config — so GX renders as usual and:

- the views load GX's templates through :func:`localize_template`, which points each CDN
  asset at its copy under ``static/vendor/`` (files from the npm packages of the same
  versions, with their licences: ``validations/static/README.md``) and the logo and
  favicon at GX's own images under ``static/images/``;
- the site builder copies those files into the site (only what is missing or changed)
  instead of GX's static folder, whose stylesheet names the S3 logo;
- the validation page names its data asset (a dataframe batch's spec has none: GX showed
  "Data asset: None").

A validation's run name comes from :func:`run_name` (``Engine.run(..., run_name=)``).
"""

from __future__ import annotations

import filecmp
import logging
import os
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import great_expectations
from great_expectations.render.renderer import ValidationResultsPageRenderer
from great_expectations.render.renderer.site_builder import SiteBuilder
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BaseLoader, BytecodeCache, Environment
from jinja2.bccache import Bucket

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"  # copied as the site's static/ (vendor/, README)
GX_IMAGES = Path(great_expectations.__file__).parent / "render" / "view" / "static" / "images"
VENDOR = "static/vendor/"

# Each remote asset of GX 1.x's Data Docs templates -> its copy under static/vendor/
REMOTE_ASSETS = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js/umd/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # GX names 1.19.0 for the filter control's stylesheet (minified or not): the same rules
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css":
        "bootstrap-table/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker/js/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "bootstrap-dark/css/bootstrap-prefers-dark.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/vega-embed.min.js",
}
GX_WEB_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
IMAGES = '{{ static_root }}static/images/'
_ASSET_URL = re.compile(r'\b(src|href)="(https?://[^"]+)"')
# a file:// page may not load a script in CORS mode, and the hashes name the CDN's copy
_CDN_ATTRIBUTES = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"')
_REMOTE_TAG = re.compile(r'<script\b[^>]*\bsrc="https?://[^>]*>\s*</script>'
                         r'|<link\b[^>]*\bhref="https?://[^>]*>')
_REMOTE_URL = re.compile(r"""url\(\s*['"]?https?://[^)]*\)""")


def localize_template(name: str, source: str) -> str:
    """GX template ``name`` with every asset it loads from the internet made a file of the
    site: CDN scripts and stylesheets -> ``static/vendor/``, GX's logo and favicon ->
    ``static/images/`` (``static_root`` is the page's way up to the site root, set by the
    views). Idempotent. A remote asset GX might add in a later version is left out rather
    than loaded (with a warning); ``tests/unit/test_data_docs.py`` fails on it."""
    def local(match: re.Match[str]) -> str:
        path = REMOTE_ASSETS.get(match[2])
        return match[0] if path is None else f'{match[1]}="{{{{ static_root }}}}{VENDOR}{path}"'

    out = _ASSET_URL.sub(local, source)
    out = _CDN_ATTRIBUTES.sub("", out)
    out = out.replace(f"url('{GX_WEB_ASSETS}full_logo_dark.png')",
                      f"url('{IMAGES}logo-long.png')")
    out = out.replace(f'"{GX_WEB_ASSETS}"', 'static_root ~ "static/images/"')
    out = out.replace('static_images_dir + "favicon.ico"',
                      'static_root ~ "static/images/favicon.ico"')
    out = out.replace("| add_data_context_id_to_url", "")  # a timestamp and the context's id
    for left_out in _REMOTE_TAG.findall(out) + _REMOTE_URL.findall(out):
        logger.warning("Data Docs: %s loads %s from the internet; left out", name, left_out)
    return _REMOTE_URL.sub("none", _REMOTE_TAG.sub("", out))


class _LocalAssetsLoader(BaseLoader):
    """GX's template loader, each template passed through :func:`localize_template`."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        return localize_template(template, source), filename, uptodate


def static_root(document: Any) -> str:
    """The relative way from a page up to the site root, where ``static/`` is: GX writes a
    validation to validations/<suite, split at dots>/<run name>/<run time>/<batch>.html and
    a suite to expectations/<suite, split at dots>.html; the index is at the root."""
    kind = getattr(document, "renderer_type", None) or ""
    dots = (getattr(document, "expectation_suite_name", None) or "").count(".")
    if "ValidationResults" in kind or "ProfilingResults" in kind:
        return "../" * (dots + 4)
    if "ExpectationSuite" in kind:
        return "../" * (dots + 1)
    return ""


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept for the process. GX makes a new view, and with it a
    new Jinja environment, for every site build, and each compiled its ~40 templates again:
    ~1.5 s of a month's run with the site on (py-spy, docs/benchmarks.md). A template's
    code is kept under its name and used again only while its source is the same (Jinja
    compares the source's checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


class _Offline:
    """A GX page view whose templates load only the site's own files."""

    env: Environment

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.env.loader = _LocalAssetsLoader(self.env.loader)  # type: ignore[arg-type]
        self.env.bytecode_cache = COMPILED_TEMPLATES

    def render(self, document: Any, template: Any = None, **kwargs: Any) -> Any:
        return super().render(document, template,  # type: ignore[misc]
                              static_root=static_root(document), **kwargs)


class OfflinePageView(_Offline, DefaultJinjaPageView):
    """Suite and validation pages."""


class OfflineIndexPageView(_Offline, DefaultJinjaIndexPageView):
    """The index page."""


class ValidationPage(ValidationResultsPageRenderer):
    """GX's validation page with its data asset named: a dataframe batch's spec carries no
    asset name (GX showed "Data asset: None"), the batch definition does."""

    def render(self, validation_results: Any, suite_parameters: Any = None) -> Any:
        spec = validation_results.meta.get("batch_spec") or {}
        if not spec.get("data_asset_name") and validation_results.asset_name:
            validation_results.meta["batch_spec"] = {
                **spec, "data_asset_name": validation_results.asset_name}
        return super().render(validation_results, suite_parameters)


class OfflineSiteBuilder(SiteBuilder):
    """GX's site builder, with the site's own static files in place of GX's static folder
    (whose stylesheet loads the logo from GX's S3 bucket)."""

    def build(self, resource_identifiers: Any = None, build_index: bool = True) -> Any:
        """As ``SiteBuilder.build``: the pages of the given resources (all without), the
        static files, the index."""
        for section in self.site_section_builders.values():
            section.build(resource_identifiers=resource_identifiers)
        site = self.target_store.store_backends["static_assets"].full_base_directory
        install_static(Path(site))
        _, index_links = self.site_index_builder.build(build_index=build_index)
        return self.get_resource_url(only_if_exists=False), index_links


def install_static(site_dir: Path) -> None:
    """The site's ``static/``: the vendored files (with their licences) and GX's images,
    each copied only when missing or changed (a build otherwise just compares stats)."""
    sources = [(path, path.relative_to(STATIC)) for path in STATIC.rglob("*")]
    sources += [(path, Path("images") / path.name) for path in GX_IMAGES.iterdir()]
    for source, relative in sources:
        if not source.is_file():
            continue
        target = site_dir / "static" / relative
        if not target.is_file() or not filecmp.cmp(source, target):
            target.parent.mkdir(parents=True, exist_ok=True)
            # whole or not at all: a page open meanwhile, another process building the site
            partial = target.with_name(f".{target.name}.{os.getpid()}.part")
            shutil.copy2(source, partial)
            os.replace(partial, target)


def site_config(docs_dir: Path) -> dict[str, Any]:
    """The Data Docs site in ``docs_dir``: GX's, with the classes above."""
    def ours(class_name: str) -> dict[str, str]:
        return {"module_name": __name__, "class_name": class_name}

    page = {"view": ours("OfflinePageView")}
    return {
        **ours("OfflineSiteBuilder"),
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(docs_dir)},
        # GX's "how to" links and walkthrough: GX's documentation, not the district's
        "show_how_to_buttons": False,
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder",
                               "view": ours("OfflineIndexPageView")},
        "site_section_builders": {
            "expectations": page,
            "validations": {**page, "renderer": ours("ValidationPage")},
            "profiling": "None",  # nothing is profiled
        },
    }


def run_name(unit: str | None, period: str, started: datetime | None = None,
             timezone: str | None = None) -> str:
    """The name of a run's validations in Data Docs: the unit consolidated, the month and
    when the run started, in ``timezone`` (else the time's own zone; a naive time is UTC;
    None: now), e.g. ``BL 2024-03 run 2026-12-04 10h15``. Every frame of a run shares it,
    so GX's "Run Name" filter shows one run (the frame is the data asset). It is a folder
    name of the site, so it holds no slash and no colon."""
    started = started or datetime.now(UTC)
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    if timezone:
        started = started.astimezone(ZoneInfo(timezone))
    name = f"{unit} {period}" if unit else period
    name = f"{name} run {started:%Y-%m-%d %Hh%M}"
    return re.sub(r"[/\\:]", "-", name)
