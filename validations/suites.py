"""The Great Expectations suites of form BC-PTĐ-HS/1, one per frame.

Every expectation carries ``meta``: the rule id of RULES.md, the form field it points at,
the kind of check (which validations.messages turns into a Vietnamese sentence) and, for
the rules with two levels, the severity of this part. Limits are columns of the frames
(the value in force for each submission), so a changed regulation never changes a suite.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

from core import layout
from core.findings import RULE_TITLES
from validations import gx_fresh, gx_ids, gx_kwargs
from validations.datadocs import site_config
from validations.row_conditions import narrow_row_conditions

FILES, SUMMARY, WIDE, ROSTER, ABSENT, REGISTER, SAME_PERSON = (
    "files", "summary", "wide", "roster", "absent", "register", "same_person")
OTHER_DATES = tuple(f for f in layout.ROSTER_DATE_FIELDS if f != "birth_date")
IGNORE_MISSING = {"ignore_row_if": "either_value_is_missing"}
READ_OK = "read_ok == True"


def _meta(rule: str, check: str, field: str | None = None, level: str | None = None,
          ) -> dict[str, str | None]:
    return {"rule": rule, "check": check, "field": field, "level": level}


def _when(condition: str) -> dict[str, str]:
    return {"row_condition": condition, "condition_parser": "pandas"}


def _at_least(a: str, b: str, meta: dict, *, strictly: bool = False,  # type: ignore[type-arg]
              condition: str | None = None) -> gxe.Expectation:
    """Column ``a`` ≥ column ``b`` (or >), rows with either value missing ignored."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=a, column_B=b, or_equal=not strictly, **IGNORE_MISSING,
        **(_when(condition) if condition else {}), meta=meta)


def _is_true(column: str, meta: dict) -> gxe.Expectation:  # type: ignore[type-arg]
    """A check worked out in the frame; rows where it could not be judged (None) pass."""
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], meta=meta)


# ---- files ---------------------------------------------------------------------------

def files_expectations() -> list[gxe.Expectation]:
    found: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToNotBeInSet(column="read_error", value_set=[rule],
                                           meta=_meta(rule, "read_error"))
        for rule in ("F01", "F02", "F07", "F11")
    ]
    found.append(gxe.ExpectColumnValuesToBeInSet(
        column="form_version", value_set=list(layout.KNOWN_FORM_VERSIONS), **_when(READ_OK),
        meta=_meta("F02", "form_version", "form_version")))
    for field, (_label, required) in layout.INFO_FIELDS.items():
        if required:
            found.append(gxe.ExpectColumnValuesToNotBeNull(
                column=field, **_when(READ_OK), meta=_meta("F03", "header_required", field)))
    for field in ("period", "report_date"):
        found.append(gxe.ExpectColumnValuesToBeNull(
            column=f"{field}_bad", meta=_meta("F03", "header_bad", field)))
    found += [
        gxe.ExpectColumnValuesToBeInSet(column="unit_status", value_set=["active"],
                                        meta=_meta("F04", "unit_status", "unit_code")),
        gxe.ExpectColumnValuesToBeInSet(column="sender_allowed", value_set=[True],
                                        meta=_meta("F05", "sender", "unit_code")),
        # a future month is F10's refusal, not F06's "filed under its own period"
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="period_parsed", column_B="run_period", **IGNORE_MISSING,
            **_when("period_not_future != False"), meta=_meta("F06", "other_period", "period")),
        _is_true("period_not_future", _meta("F10", "future_period", "period")),
        gxe.ExpectColumnValuesToBeNull(column="missing_roster_columns",
                                       meta=_meta("F07", "missing_columns")),
        gxe.ExpectColumnValuesToBeNull(column="missing_summary_codes",
                                       meta=_meta("F07", "missing_codes")),
        gxe.ExpectColumnValuesToBeInSet(column="name_matches", value_set=[True],
                                        meta=_meta("F08", "unit_name", "unit_name")),
        gxe.ExpectColumnValuesToBeInSet(column="has_macros", value_set=[False],
                                        meta=_meta("F09", "macros")),
        # read because no visible sheet of that name exists: accepted, but the sender is
        # asked to unhide it (two candidates were refused by the reader: F11's ERROR)
        gxe.ExpectColumnValuesToBeNull(column="hidden_sheets",
                                       meta=_meta("F11", "hidden_sheet", None, "WARNING")),
        # TongHop's formulas saved without their results were counted from the roster
        # (the form's Tolerance: "the finding says so"); accepted, the sender told why
        gxe.ExpectColumnValuesToBeNull(column="counted_from_roster",
                                       meta=_meta("X01", "counted_from_roster", None, "WARNING")),
    ]
    return found


# ---- summary (long and wide) ---------------------------------------------------------

def summary_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeNull(column="declared_bad", meta=_meta("X02", "not_a_number")),
        gxe.ExpectColumnValuesToBeBetween(column="declared", min_value=0,
                                          meta=_meta("X02", "negative")),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="declared", column_B="derived",
                                            **IGNORE_MISSING, meta=_meta("X01", "roster_count")),
    ]


def wide_expectations() -> list[gxe.Expectation]:
    return [
        *(_at_least("TH01", code, _meta("X02", "part_of_total", code))
          for code in ("TH02", "TH03", "TH04")),
        _at_least("TH12", "TH11", _meta("X02", "ytd_below_month", "TH12")),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="TH13", column_B="target", **IGNORE_MISSING,
                                            meta=_meta("X03", "target", "TH13")),
        _at_least("TH12", "min_TH12", _meta("H02", "ytd_fell", "TH12")),
        *(_at_least("outlier_ratio", f"{code}_change", _meta("H08", "outlier", code))
          for code in ("TH01", "TH03")),
    ]


# ---- roster --------------------------------------------------------------------------

def roster_expectations() -> list[gxe.Expectation]:
    return [*_required(), *_dates(), *_codes(), *_identity(), *_ages_and_order(),
            *_roster_history()]


def _required() -> list[gxe.Expectation]:
    found = [
        gxe.ExpectColumnValuesToNotBeNull(
            column=f"{field}_raw", **(_when(f"stage_n >= {stage}") if stage else {}),
            meta=_meta("R01", "required", field))
        for field, stage in layout.REQUIRED_FROM_STAGE.items()
    ]
    found.append(gxe.ExpectColumnValuesToNotBeNull(
        column="full_member_date_raw", **_when("stage_n == 8"),
        meta=_meta("R01", "required", "full_member_date")))
    return found


def _dates() -> list[gxe.Expectation]:
    found: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToBeNull(column=f"{field}_bad", meta=_meta("R02", "bad_date", field))
        for field in layout.ROSTER_DATE_FIELDS
    ]
    found.append(_at_least("birth_date", "earliest_birth",
                           _meta("R02", "birth_too_early", "birth_date")))
    found.append(_at_least("period_end", "birth_date",
                           _meta("R02", "birth_too_late", "birth_date")))
    found += [_at_least("report_date", field, _meta("R02", "after_report", field))
              for field in OTHER_DATES]
    return found


def _codes() -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeInSet(column=field, value_set=coded_values(field),
                                            meta=_meta("R03", "coded", field))
            for field in layout.CHECKED_CODES]


def _identity() -> list[gxe.Expectation]:
    return [
        # the frame holds no digit of the number (GX's Data Docs show failing values): what
        # R04 makes of it is worked out beside it (validations.roster_frame._pid_checks)
        _is_true("pid_well_formed", _meta("R04", "pid_digits", "pid")),
        _is_true("pid_gender_ok", _meta("R04", "pid_gender", "pid")),
        _is_true("pid_year_ok", _meta("R04", "pid_year", "pid")),
        _is_true("pid_province_known", _meta("R04", "pid_province", "pid", "WARNING")),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["sub", "stt"],
                                            meta=_meta("R09", "stt_twice", "stt")),
        # the same person: the same identification number, or the same name and birth date
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["sub", "pid_hash"],
                                            ignore_row_if="any_value_is_missing",
                                            meta=_meta("R09", "person_twice", "full_name")),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["sub", "name_born"],
                                            ignore_row_if="any_value_is_missing",
                                            meta=_meta("R09", "person_twice", "full_name")),
    ]


def _ages_and_order() -> list[gxe.Expectation]:
    from_6, stages_3_5 = "stage_n >= 6", "stage_n >= 3 and stage_n <= 5"
    return [
        _at_least("age_months", "min_age_months", _meta("R05", "too_young", "resolution_date"),
                  condition=from_6),
        _at_least("max_age_months", "age_months",
                  _meta("R05", "too_old", "resolution_date", "WARNING"), condition=from_6),
        _at_least("cert_valid_until", "resolution_date",
                  _meta("R06", "cert_expired", "cert_date"), condition=from_6),
        _at_least("cert_valid_until", "cert_warn_from", _meta("R07", "cert_expiring", "cert_date"),
                  strictly=True, condition=stages_3_5),
        _at_least("resolution_date", "cert_date", _meta("R08", "order", "resolution_date")),
        _at_least("decision_date", "resolution_date", _meta("R08", "order", "decision_date")),
        _at_least("full_member_date", "probation_end",
                  _meta("R08", "probation", "full_member_date")),
        gxe.ExpectColumnValuesToBeInSet(column="youth_union", value_set=[layout.YES],
                                        **_when('population == "hoc_sinh" and stage_n >= 4'),
                                        meta=_meta("R10", "youth_union", "youth_union")),
        gxe.ExpectColumnValuesToNotBeNull(column="note_raw", **_when("stage_n == 0"),
                                          meta=_meta("R11", "stop_reason", "note")),
    ]


def _roster_history() -> list[gxe.Expectation]:
    return [
        _at_least("stage_n", "prev_stage", _meta("H01", "stage_back", "stage"),
                  condition="stage_n != 0"),
        _at_least("stalled_until", "period_end", _meta("H04", "stalled", "stage_date"),
                  strictly=True, condition="stage_n >= 3 and stage_n <= 5"),
        _at_least("decision_due", "period_end", _meta("H05", "decision_overdue",
                                                      "resolution_date"),
                  condition="stage_n == 6"),
        _at_least("full_member_due", "period_end", _meta("H06", "membership_overdue",
                                                         "decision_date"),
                  condition="stage_n == 7"),
        gxe.ExpectColumnValuesToBeInSet(column="cert_in_register", value_set=[True],
                                        meta=_meta("C01", "cert_unknown", "cert_no")),
    ]


def same_person_expectations() -> list[gxe.Expectation]:
    """H07, checked once the whole run is validated (validations.same_person)."""
    return [gxe.ExpectColumnValuesToBeNull(column="other_cells",
                                           meta=_meta("H07", "listed_elsewhere", "pid"))]


def absent_expectations() -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToBeInSet(column="present_now", value_set=[True],
                                            meta=_meta("H03", "missing_person"))]


def register_expectations() -> list[gxe.Expectation]:
    """The course register (form BC-BDNTVĐ/1): what C01 relies on must be there."""
    found: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToNotBeNull(column=f"{name}_raw", meta=_meta("R01", "required",
                                                                           name))
        for name in ("full_name", "birth_date", "unit_code", "course_code", "passed")
    ]
    found += [gxe.ExpectColumnValuesToNotBeNull(column=f"{name}_raw", **_when("passed == True"),
                                                meta=_meta("R01", "required", name))
              for name in ("cert_no", "cert_date")]
    found += [gxe.ExpectColumnValuesToBeNull(column=f"{name}_bad",
                                             meta=_meta("R02", "bad_date", name))
              for name in ("birth_date", "cert_date")]
    found.append(gxe.ExpectColumnValuesToBeNull(column="passed_bad",
                                                meta=_meta("R03", "coded", "passed")))
    found.append(_is_true("pid_well_formed", _meta("R04", "pid_digits", "pid")))
    found.append(gxe.ExpectColumnValuesToBeInSet(column="unit_known", value_set=[True],
                                                 meta=_meta("F04", "register_unit",
                                                            "unit_code")))
    return found


def coded_values(field: str) -> list[str]:
    return {
        "gender": list(layout.GENDERS),
        "ethnicity": list(layout.ETHNIC_GROUPS),
        "population": list(layout.POPULATIONS),
        "youth_union": [layout.YES, layout.NO],
        "stage": [str(n) for n in layout.STAGES],
    }[field]


SUITES = {FILES: files_expectations, SUMMARY: summary_expectations, WIDE: wide_expectations,
          ROSTER: roster_expectations, ABSENT: absent_expectations,
          REGISTER: register_expectations, SAME_PERSON: same_person_expectations}
INDEX_COLUMNS = {FILES: ["sub", "run_period"], SUMMARY: ["sub", "excel_row", "code", "population"],
                 WIDE: ["sub", "population"], ROSTER: ["sub", "excel_row"],
                 ABSENT: ["sub", "full_name", "last_period", "last_stage"],
                 REGISTER: ["sub", "excel_row"], SAME_PERSON: ["sub", "excel_row"]}


def _quiet_gx_loggers() -> None:
    """GX sets some module loggers to INFO itself (temporary docs folders…): noise to a
    district officer, so every GX logger is raised to WARNING."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)


DOCS_SITE = "cellreports"


def _noted(expectation: gxe.Expectation) -> gxe.Expectation:
    """The rule id and its Vietnamese title, shown beside the expectation in Data Docs."""
    rule = (expectation.meta or {}).get("rule", "")
    expectation.notes = f"{rule} — {RULE_TITLES.get(rule, '')}"
    return expectation


SuiteBuilders = dict[str, Callable[[], list[gxe.Expectation]]]


class Engine:
    """An ephemeral GX context: one suite and one checkpoint per frame (its data asset is
    named after the frame). With ``docs_dir`` every run also updates a Data Docs site there
    (one page per validation), offline (validations.datadocs). The cells' form is the
    default; the province's data files bring their own suites."""

    def __init__(self, docs_dir: Path | None = None, *, suites: SuiteBuilders | None = None,
                 index_columns: dict[str, list[str]] | None = None,
                 source_name: str = "cellreports", suite_prefix: str = "bc_ptd_hs") -> None:
        suites = SUITES if suites is None else suites
        index_columns = INDEX_COLUMNS if index_columns is None else index_columns
        _quiet_gx_loggers()
        narrow_row_conditions()  # the same rows, without a Series of every column per query
        gx_kwargs.read_kwargs_once()  # the same kwargs, without a configuration built per key
        gx_fresh.check_freshness_once()  # the same check, once per validation
        gx_ids.plain_ids()  # the same metric ids, plain values not searched
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False}
        self.docs_dir = docs_dir
        if docs_dir is not None:
            self.context.add_data_docs_site(DOCS_SITE, site_config(docs_dir))  # type: ignore[arg-type]
        source = self.source = self.context.data_sources.add_pandas(source_name)
        self.checkpoints = {}
        for name, build in suites.items():
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            suite = self.context.suites.add(gx.ExpectationSuite(name=f"{suite_prefix}_{name}"))
            for expectation in build():
                suite.add_expectation(_noted(expectation))
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=f"validate_{name}", data=batch, suite=suite))
            # no UpdateDataDocsAction: it rebuilt the site's index after every frame, and
            # the index reads every validation of the process (run_frames builds it once)
            self.checkpoints[name] = self.context.checkpoints.add(gx.Checkpoint(
                name=f"check_{name}", validation_definitions=[definition], actions=[],
                result_format={"result_format": "COMPLETE",
                               "unexpected_index_column_names": index_columns[name]}))

    def run(self, name: str, frame, run_name: str | None = None):  # type: ignore[no-untyped-def]
        """The validation result of one frame (the whole batch). ``run_name`` names the run
        it belongs to in Data Docs (validations.datadocs.run_name; GX's is "__none__")."""
        return self.run_frames({name: frame}, run_name)[name]

    def run_frames(self, frames: Mapping[str, Any],  # type: ignore[no-untyped-def]
                   run_name: str | None = None) -> dict[str, Any]:
        """The validation result of each frame that has rows (an empty one has nothing to
        validate and is left out), under one run in Data Docs; with a site, the frames'
        pages and the site's index are built once, after the last of them."""
        run_id = None if run_name is None else RunIdentifier(run_name=run_name,
                                                             run_time=datetime.now(UTC))
        results = {}
        for name, frame in frames.items():
            if frame.empty:
                continue
            # one validation: the configurations' kwargs built and the definition's
            # freshness checked once (validations.gx_kwargs, validations.gx_fresh)
            with gx_kwargs.one_validation(), gx_fresh.one_validation():
                result = self.checkpoints[name].run(batch_parameters={"dataframe": frame},
                                                    run_id=run_id)
            results[name] = result
        if self.docs_dir is not None and results:
            self._build_docs(results.values())
        self._let_frames_go()
        return {name: next(iter(result.run_results.values()))
                for name, result in results.items()}

    def _let_frames_go(self) -> None:
        """GX's pandas engine keeps each asset's last batch, the whole frame, until that
        asset's next batch: between two runs a checking worker held a 500-file batch's
        roster frame and the rows filtered from it (~60 MB) for nothing."""
        batches = self.source.get_execution_engine().batch_manager
        batches.reset_batch_cache()  # the batches, whose requests hold the frames
        batches.batch_data_cache.clear()  # the frames as GX's engine loaded them

    def _build_docs(self, results: Iterable[Any]) -> None:
        """The pages of these checkpoint results and their suites, then the index (what
        GX's UpdateDataDocsAction does for each result, with the index built once)."""
        pages: list[Any] = []
        for result in results:
            for identifier, validation in result.run_results.items():
                pages += [identifier, ExpectationSuiteIdentifier(name=validation.suite_name)]
        self.context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=pages)

    @property
    def docs_index(self) -> Path | None:
        return None if self.docs_dir is None else self.docs_dir / "index.html"
