"""The Great Expectations suites of form BC-PTĐ-HS/1, one per frame.

Every expectation carries ``meta``: the rule id of RULES.md, the form field it checks and
the kind of check, which validations.messages turns into a Vietnamese sentence.
"""

from __future__ import annotations

import logging
from datetime import datetime

import great_expectations as gx
import great_expectations.expectations as gxe

from forms import layout
from validations.frames import CODED

FILES, SUMMARY, ROSTER = "files", "summary", "roster"
OK_READ = {"row_condition": "read_ok == True", "condition_parser": "pandas"}
OTHER_DATES = tuple(f for f in layout.ROSTER_DATE_FIELDS if f != "birth_date")
EARLIEST_BIRTH = datetime(1940, 1, 1)


def _meta(rule: str, check: str, field: str | None = None) -> dict[str, str | None]:
    return {"rule": rule, "check": check, "field": field}


def files_expectations() -> list[gxe.Expectation]:
    found = [
        gxe.ExpectColumnValuesToNotBeInSet(column="read_error", value_set=[rule], meta=_meta(
            rule, "read_error")) for rule in ("F01", "F02", "F07")
    ]
    found.append(gxe.ExpectColumnValuesToBeInSet(
        column="form_version", value_set=list(layout.KNOWN_FORM_VERSIONS), **OK_READ,
        meta=_meta("F02", "form_version", "form_version")))
    for field, (_label, required) in layout.INFO_FIELDS.items():
        if required:
            found.append(gxe.ExpectColumnValuesToNotBeNull(
                column=field, **OK_READ, meta=_meta("F03", "header_required", field)))
    found.append(gxe.ExpectColumnValuesToBeNull(
        column="period_bad", meta=_meta("F03", "header_bad", "period")))
    found.append(gxe.ExpectColumnValuesToBeNull(
        column="report_date_bad", meta=_meta("F03", "header_bad", "report_date")))
    found.append(gxe.ExpectColumnPairValuesToBeEqual(
        column_A="period_parsed", column_B="run_period", ignore_row_if="either_value_is_missing",
        meta=_meta("F06", "other_period", "period")))
    found.append(gxe.ExpectColumnValuesToBeInSet(
        column="unit_status", value_set=["active"], meta=_meta("F04", "unit_status", "unit_code")))
    found.append(gxe.ExpectColumnValuesToBeNull(
        column="missing_roster_columns", meta=_meta("F07", "missing_columns")))
    found.append(gxe.ExpectColumnValuesToBeNull(
        column="missing_summary_codes", meta=_meta("F07", "missing_codes")))
    return found


def summary_expectations() -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToBeNull(column="declared_bad", meta=_meta("X02", "not_a_number")),
        gxe.ExpectColumnValuesToBeBetween(column="declared", min_value=0,
                                          meta=_meta("X02", "negative")),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="declared", column_B="derived", ignore_row_if="either_value_is_missing",
            meta=_meta("X01", "roster_count")),
    ]


def roster_expectations() -> list[gxe.Expectation]:
    found: list[gxe.Expectation] = []
    for field, stage in layout.REQUIRED_FROM_STAGE.items():
        condition = {} if stage == 0 else {"row_condition": f"stage_n >= {stage}",
                                            "condition_parser": "pandas"}
        found.append(gxe.ExpectColumnValuesToNotBeNull(
            column=f"{field}_raw", **condition, meta=_meta("R01", "required", field)))
    found.append(gxe.ExpectColumnValuesToNotBeNull(
        column="full_member_date_raw", row_condition="stage_n == 8", condition_parser="pandas",
        meta=_meta("R01", "required", "full_member_date")))
    for field in layout.ROSTER_DATE_FIELDS:
        found.append(gxe.ExpectColumnValuesToBeNull(
            column=f"{field}_bad", meta=_meta("R02", "bad_date", field)))
    found.append(gxe.ExpectColumnValuesToBeBetween(
        column="birth_date", min_value=EARLIEST_BIRTH, meta=_meta("R02", "birth_too_early",
                                                                  "birth_date")))
    found.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="period_end", column_B="birth_date", or_equal=True,
        ignore_row_if="either_value_is_missing", meta=_meta("R02", "birth_too_late",
                                                            "birth_date")))
    for field in OTHER_DATES:
        found.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="report_date", column_B=field, or_equal=True,
            ignore_row_if="either_value_is_missing", meta=_meta("R02", "after_report", field)))
    for field in CODED:
        found.append(gxe.ExpectColumnValuesToBeInSet(
            column=field, value_set=coded_values(field), meta=_meta("R03", "coded", field)))
    return found


def coded_values(field: str) -> list[str]:
    return {
        "gender": list(layout.GENDERS),
        "ethnicity": [*layout.ETHNIC_GROUPS, *layout.ETHNIC_ALIASES],
        "population": list(layout.POPULATIONS),
        "youth_union": [layout.YES, layout.NO],
        "stage": [str(n) for n in layout.STAGES],
    }[field]


SUITES = {FILES: files_expectations, SUMMARY: summary_expectations, ROSTER: roster_expectations}
INDEX_COLUMNS = {FILES: ["sub", "run_period"], SUMMARY: ["sub", "excel_row", "code", "population"],
                 ROSTER: ["sub", "excel_row"]}


def _quiet_gx_loggers() -> None:
    """GX sets some module loggers to INFO itself (temporary docs folders…): noise to a
    district officer, so every GX logger is raised to WARNING."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)


class Engine:
    """An ephemeral GX context holding one validation definition per frame."""

    def __init__(self) -> None:
        _quiet_gx_loggers()
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False}
        source = self.context.data_sources.add_pandas("cellreports")
        self.definitions = {}
        for name, build in SUITES.items():
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            suite = self.context.suites.add(gx.ExpectationSuite(name=f"bc_ptd_hs_{name}"))
            for expectation in build():
                suite.add_expectation(expectation)
            self.definitions[name] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=f"validate_{name}", data=batch, suite=suite))

    def run(self, name: str, frame):  # type: ignore[no-untyped-def]
        return self.definitions[name].run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE",
                           "unexpected_index_column_names": INDEX_COLUMNS[name]},
        )
