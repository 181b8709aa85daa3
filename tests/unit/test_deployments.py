"""What the deployments offer to whoever starts a run (issue 16): the parameter schema of
each, and nothing of the settings; their names, descriptions, the work pool's job template
and the automations, as they are built before anything is sent to a server."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest

from core.settings import SETTINGS_NOT_SENT, Settings

# What an operator may choose, deployment by deployment: the month of the consolidation,
# nothing for the reminders. A test of each deployment's schema fails on anything else.
OPERATOR_CHOICES = {"monthly-consolidation": {"period"}, "reminders": set(), "intake": set()}
SECRETS = ("pid-key-that-must-not-travel", "smtp-password-that-must-not-travel",
           "imap-password-that-must-not-travel", "db-password-that-must-not-travel")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", pid_hash_key=SECRETS[0],
                    smtp_host="mail.baolam.vn", smtp_password=SECRETS[1],
                    imap_password=SECRETS[2], smtp_from="bantochuc@baolam.vn",
                    warehouse_url=f"postgresql+psycopg://cr:{SECRETS[3]}@db/cellreports",
                    officer_email="bantochuc@baolam.vn")


@pytest.fixture
def deployments(settings: Settings) -> list:
    from flows.deployment import (
        build_deployment,
        build_intake_deployment,
        build_reminders_deployment,
    )

    return [build_deployment(settings), build_reminders_deployment(settings),
            build_intake_deployment(settings)]


def _schema(deployment) -> dict:
    """The schema as RunnerDeployment.apply sends it to the server."""
    return deployment._parameter_openapi_schema.model_dump(exclude_unset=True)


def test_each_deployment_takes_only_what_an_operator_may_choose(deployments):
    for deployment in deployments:
        schema = _schema(deployment)
        assert set(schema["properties"]) == OPERATOR_CHOICES[deployment.flow_name], (
            deployment.name, schema)
        # the server refuses any other parameter before it stores it
        assert schema["additionalProperties"] is False
        assert deployment.enforce_parameter_schema is True
        assert deployment.parameters == {}
        assert not any(s in json.dumps(schema) for s in SECRETS)


def test_the_month_is_a_month_or_nothing(deployments):
    import jsonschema

    schema = _schema(deployments[0])
    period = schema["properties"]["period"]
    assert period["default"] is None and "YYYY-MM" in period["description"]
    for good in ({}, {"period": None}, {"period": "2024-03"}, {"period": "2025-12"}):
        jsonschema.validate(good, schema)
    for bad in ({"period": "2024-13"}, {"period": "03/2024"}, {"period": "2024-3"},
                {"settings": {"data_dir": "var"}},
                {"period": "2024-03", "settings": {"pid_hash_key": "x"}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_the_deployments_differ_in_name_and_say_their_time_zone(deployments):
    monthly, reminders, _intake = deployments[:3]
    assert (monthly.flow_name, monthly.name) == ("monthly-consolidation", "monthly-BL")
    assert (reminders.flow_name, reminders.name) == ("reminders", "reminders-BL")
    assert monthly.entrypoint == "flows.runners.configured_monthly_consolidation"
    assert reminders.entrypoint == "flows.reminders.deployed_reminders"
    assert ("Runs every month on day 26 at 06:00 Asia/Ho_Chi_Minh time (UTC+07:00"
            in monthly.description)
    assert "Runs every day at 07:00 Asia/Ho_Chi_Minh time (UTC+07:00" in reminders.description
    for deployment in (monthly, reminders):
        assert "browser's time zone" in deployment.description


def test_intake_runs_every_interval_of_the_settings_with_no_parameter(settings):
    from datetime import timedelta

    from flows.deployment import build_intake_deployment

    intake = build_intake_deployment(settings.model_copy(update={"intake_minutes": 5}))
    assert (intake.flow_name, intake.name) == ("intake", "intake-BL")
    assert intake.entrypoint == "flows.intake.deployed_intake"
    [schedule] = intake.schedules
    assert schedule.schedule.interval == timedelta(minutes=5)
    assert "every 5 minutes" in intake.description
    assert build_intake_deployment(settings).schedules[0].schedule.interval \
        == timedelta(minutes=10)  # the default


def test_settings_given_in_process_reach_prefect_as_a_sentence(settings):
    from flows.monthly import monthly_consolidation
    from flows.reminders import send_reminders

    for flow in (monthly_consolidation, send_reminders):
        stored = flow.serialize_parameters({"settings": settings})
        assert stored == {"settings": SETTINGS_NOT_SENT}
    assert settings.model_dump_json() == json.dumps(SETTINGS_NOT_SENT)
    # the settings themselves are untouched
    assert settings.model_dump()["smtp_host"] == "mail.baolam.vn"
    assert settings.pid_key == SECRETS[0].encode()


def test_a_deployed_run_refuses_a_data_folder_relative_to_its_working_directory(
        monkeypatch, tmp_path):
    from flows.runners import DataDirNotAbsolute, deployed_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CELLREPORTS_DATA_DIR", raising=False)
    with pytest.raises(DataDirNotAbsolute, match="absolute path"):
        deployed_settings()
    monkeypatch.setenv("CELLREPORTS_DATA_DIR", str(tmp_path / "var"))
    assert deployed_settings().data_dir == tmp_path / "var"


def test_serve_exports_an_absolute_data_folder_to_its_runs(monkeypatch, tmp_path):
    import os

    from flows.deployment import export_settings

    monkeypatch.chdir(tmp_path)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CELLREPORTS_")}
    monkeypatch.setattr(os, "environ", environment)  # this test's own
    export_settings(Settings(pid_hash_key="k"))  # data_dir left at its default, "var"
    assert environment["CELLREPORTS_DATA_DIR"] == str(tmp_path / "var")
    assert environment["CELLREPORTS_PID_HASH_KEY"] == "k"


def test_the_work_pool_template_leaves_a_run_no_environment_command_or_folder_of_its_own():
    from flows.deployment import locked_process_template

    template = locked_process_template()
    assert set(template["variables"]["properties"]) == {"name", "labels", "stream_output"}
    assert template["variables"]["additionalProperties"] is False
    config = template["job_configuration"]
    assert (config["env"], config["command"], config["working_dir"]) == ({}, None, None)
    assert "{{" not in json.dumps({k: config[k] for k in ("env", "command", "working_dir")})


def test_the_automations_hold_a_block_id_and_words_never_a_setting(settings):
    from flows.alerts import alert_names, automations

    block, monthly, reminders, intake = uuid4(), uuid4(), uuid4(), uuid4()
    built = automations(settings, block, [monthly, reminders, intake],
                        late_ids=[monthly, reminders])
    assert [a.name for a in built] == list(alert_names(settings).values())
    text = json.dumps([a.model_dump(mode="json") for a in built])
    assert not any(s in text for s in SECRETS)
    assert "mail.baolam.vn" not in text  # the server and login live in the block
    by_name = {a.name: a for a in built}
    failed = by_name["cellreports BL: a run failed or crashed"].trigger
    assert failed.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed",
                             "prefect.flow-run.TimedOut"}
    assert failed.match_related.root["prefect.resource.id"] == [
        f"prefect.deployment.{monthly}", f"prefect.deployment.{reminders}",
        f"prefect.deployment.{intake}"]
    late = by_name["cellreports BL: a run is late"].trigger
    assert late.expect == {"prefect.flow-run.Late"}
    # a Late intake is made up by the next one, every few minutes: no mail for it
    assert late.match_related.root["prefect.resource.id"] == [
        f"prefect.deployment.{monthly}", f"prefect.deployment.{reminders}"]
    incomplete = by_name["cellreports BL: a month is incomplete after its deadline"].trigger
    assert incomplete.expect == {"cellreports.month.incomplete"}
    assert incomplete.match.root == {"prefect.resource.id": "cellreports.month.BL.*"}
    for automation in built:
        [action] = automation.actions
        assert action.block_document_id == block
        assert automation.trigger.posture == "Reactive" and automation.trigger.threshold == 1


def test_without_smtp_or_an_officer_there_are_no_alerts(settings):
    from flows.alerts import alerts_wanted

    assert alerts_wanted(settings) == ""
    assert "SMTP_HOST" in alerts_wanted(settings.model_copy(update={"smtp_host": None}))
    assert "OFFICER_EMAIL" in alerts_wanted(settings.model_copy(update={"officer_email": ""}))
