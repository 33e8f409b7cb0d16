"""Rules of LibreChat's code the schema cannot say, checked before writing and reported by verify: ENDPOINTS,
where ${VAR} is resolved, the LibreChat version, credentials as credentials.ts picks them, BEDROCK_AWS_MODELS,
and a template .env that keeps LibreChat's required keys."""

from __future__ import annotations

import pytest

from ansible_collections.librechat.bedrock.plugins.action.librechat_config import ActionModule as ConfigAction
from ansible_collections.librechat.bedrock.plugins.action.librechat_config_info import ActionModule as InfoAction
from ansible_collections.librechat.bedrock.plugins.plugin_utils import checklist, dotenv_file, librechat_checks

ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456"
VERSIONED = "version: '1.3.17'\n"


def _args(**changes):
    args = {
        "config_path": "/x/librechat.yaml",
        "env_path": "/x/.env",
        "bedrock": {"models": ["m"], "inferenceProfiles": {"m": "${M_ARN}"}},
        "env": {"M_ARN": ARN, "BEDROCK_AWS_DEFAULT_REGION": "us-east-1"},
        "env_remove": [],
        "region": "us-east-1",
        "version": "1.3.17",
        "mode": "merge",
        "config_template": None,
        "env_template": None,
        "librechat_version": None,
    }
    args.update(changes)
    return args


def _plan(config, env_text, /, **changes):
    """What the action would write and what it would say, without a host."""
    args = _args(**changes)
    action = object.__new__(ConfigAction)
    config_after, env_after, bedrock = action._merge(args, config, env_text)
    values = dotenv_file.parse(env_after)
    errors, warnings = ConfigAction._check(args, config_after, values, bedrock, values)
    return config_after, env_after, errors, warnings


# -------------------------------------------------------------------------------------------- ENDPOINTS


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("ENDPOINTS=\n", None),  # empty: every endpoint; left alone
        ("ENDPOINTS=  \n", None),
        ("HOST=x\n", None),  # unset: every endpoint
        ("ENDPOINTS=openAI,agents\n", "openAI,agents,bedrock"),
        ("ENDPOINTS=openAI, bedrock\n", None),
    ],
)
def test_endpoints_is_amended_only_when_it_is_a_list(env, expected):
    assert ConfigAction._endpoints(env).get("ENDPOINTS") == expected
    _config, env_after, errors, _warnings = _plan(VERSIONED, env)
    assert not errors
    if expected is None:
        assert dotenv_file.parse(env_after).get("ENDPOINTS") == dotenv_file.parse(env).get("ENDPOINTS")


def _info(config, env, **options):
    files = {"/x/librechat.yaml": config, "/x/.env": env}
    action = object.__new__(InfoAction)
    action._read_files = lambda paths, _task_vars, _known=None: {
        path: (files[path], {"exists": files[path] is not None, "mtime": 1.0}) for path in paths
    }
    args = {"config_path": "/x/librechat.yaml", "env_path": "/x/.env", "region": "us-east-1"}
    args.update({"process_environment": {}, "librechat_version": None}, **options)
    return action._run(args, {}, {})


def test_verify_does_not_fail_an_empty_endpoints():
    config = _plan(VERSIONED, "")[0]
    env = f"ENDPOINTS=\nM_ARN={ARN}\nBEDROCK_AWS_DEFAULT_REGION=us-east-1\n"
    info = _info(config, env)
    assert info["endpoints_lists_bedrock"] is True
    rows = checklist.config_rows("h", info, [{"id": "m", "env_var": "M_ARN"}], "us-east-1")
    assert not checklist.failed(rows), rows
    assert _info(config, env.replace("ENDPOINTS=", "ENDPOINTS=openAI"))["endpoints_lists_bedrock"] is False


def test_verify_judges_the_whole_file_as_librechat_does():
    info = _info("version: '1'\nversion: '2'\n", "")
    assert "given twice" in info["file_errors"][0]
    info = _info("endpoints:\n  bedrock:\n    models: [m]\n", "")
    assert any("version is required" in e for e in info["file_errors"])
    rows = checklist.config_rows("h", info, [], None)
    assert any(r["check"].endswith("LibreChat accepts librechat.yaml") and r["status"] == "FAIL" for r in rows)


# -------------------------------------------------------------------------------------------- ${VAR}


def test_a_variable_we_would_write_where_librechat_sends_it_literally_is_refused():
    _config, _env, errors, _warnings = _plan(
        VERSIONED, "", bedrock={"models": ["m"], "titleModel": "${TITLE_MODEL}"}, env={}
    )
    assert any("endpoints.bedrock.titleModel is '${TITLE_MODEL}'" in e and "sends the text" in e for e in errors)


def test_a_variable_of_the_user_where_librechat_sends_it_literally_is_a_warning_and_a_verify_problem():
    config = VERSIONED + "endpoints:\n  bedrock:\n    titleModel: ${TITLE_MODEL}\n"
    _config, _env, errors, warnings = _plan(config, "", bedrock={"models": ["m"]}, env={})
    assert not errors
    assert any("titleModel" in w and "sends the text" in w for w in warnings)
    info = _info(config, "")
    assert info["literal_variables"] and "titleModel" in info["literal_variables"][0]
    rows = checklist.config_rows("h", info, [], None)
    assert any("titleModel" in r["detail"] and r["status"] == "FAIL" for r in rows)


GUARDRAIL = {"guardrailIdentifier": "${GUARDRAIL_ID}", "guardrailVersion": "1"}


def test_guardrail_variables_are_resolved_from_v0_8_6_only():
    env = {"GUARDRAIL_ID": "gr-1", "M_ARN": ARN}
    bedrock = {"models": ["m"], "guardrailConfig": GUARDRAIL}
    _c, _e, errors, _w = _plan(VERSIONED, "", bedrock=bedrock, env=env)
    assert not errors
    _c, _e, errors, _w = _plan(VERSIONED, "", bedrock=bedrock, env=env, librechat_version="v0.8.6")
    assert not errors
    _c, _e, errors, _w = _plan(VERSIONED, "", bedrock=bedrock, env=env, librechat_version="v0.8.5")
    assert any("LibreChat v0.8.5 sends guardrailConfig.guardrailIdentifier" in e for e in errors)
    _c, _e, errors, _w = _plan(VERSIONED, "", bedrock=bedrock, env={"M_ARN": ARN})
    assert any("${GUARDRAIL_ID} but .env does not give GUARDRAIL_ID a value" in e for e in errors)


# -------------------------------------------------------------------------------------------- versions


@pytest.mark.parametrize(
    ("version", "env", "expected"),
    [
        ("v0.8.4", {}, "LibreChat v0.8.4 silently drops endpoints.bedrock.models and inferenceProfiles"),
        ("0.7.7", {}, "upgrade LibreChat to v0.8.5 or later"),
        ("v0.8.5", {"BEDROCK_AWS_PROFILE": "p"}, "LibreChat v0.8.5 ignores BEDROCK_AWS_PROFILE"),
        ("v0.8.6-rc1", {"BEDROCK_AWS_BEARER_TOKEN": "t"}, "ignores BEDROCK_AWS_BEARER_TOKEN"),
        ("banana", {}, "librechat_config_librechat_version='banana' is not a LibreChat version"),
    ],
)
def test_what_the_version_would_ignore_is_refused(version, env, expected):
    _c, _e, errors, _w = _plan(VERSIONED, "", env={"M_ARN": ARN, **env}, librechat_version=version)
    assert any(expected in e for e in errors), errors


@pytest.mark.parametrize("version", [None, "", "v0.8.6", "0.8.8-rc4", "v0.9.0"])
def test_current_versions_accept_everything(version):
    env = {"M_ARN": ARN, "BEDROCK_AWS_BEARER_TOKEN": "t"}
    _c, _e, errors, _w = _plan(VERSIONED, "", env=env, librechat_version=version)
    assert not errors


# -------------------------------------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    ("env", "method"),
    [
        (
            {"BEDROCK_AWS_ACCESS_KEY_ID": "user_provided", "BEDROCK_AWS_SECRET_ACCESS_KEY": "user_provided"},
            "user_provided",
        ),
        ({"BEDROCK_AWS_BEARER_TOKEN": "user_provided", "BEDROCK_AWS_ACCESS_KEY_ID": "AKIA"}, "user_provided"),
        ({"BEDROCK_AWS_BEARER_TOKEN": "t", "BEDROCK_AWS_ACCESS_KEY_ID": "AKIA"}, "bearer"),
        ({"BEDROCK_AWS_ACCESS_KEY_ID": "AKIA"}, "unpaired"),
        ({"BEDROCK_AWS_SECRET_ACCESS_KEY": "s", "BEDROCK_AWS_PROFILE": "p"}, "unpaired"),
        (
            {"BEDROCK_AWS_ACCESS_KEY_ID": "AKIA", "BEDROCK_AWS_SECRET_ACCESS_KEY": "s", "BEDROCK_AWS_PROFILE": "p"},
            "static",
        ),
        ({"BEDROCK_AWS_PROFILE": "p"}, "profile"),
        ({"AWS_ACCESS_KEY_ID": "AKIA"}, "default_chain"),
    ],
)
def test_credentials_in_librechats_order(env, method):
    assert librechat_checks.auth_method(env) == method


def test_an_unpaired_static_key_is_refused():
    _c, _e, errors, _w = _plan(VERSIONED, "BEDROCK_AWS_ACCESS_KEY_ID=AKIAOLD\n")
    assert any("only BEDROCK_AWS_ACCESS_KEY_ID of the static pair is set" in e for e in errors)
    assert _info(_plan(VERSIONED, "")[0], "BEDROCK_AWS_ACCESS_KEY_ID=AKIAOLD\n")["auth"] == "unpaired"


def test_user_provided_is_written_as_librechat_expects():
    env = {"M_ARN": ARN, "BEDROCK_AWS_ACCESS_KEY_ID": "user_provided", "BEDROCK_AWS_SECRET_ACCESS_KEY": "user_provided"}
    _c, env_after, errors, _w = _plan(
        VERSIONED, "BEDROCK_AWS_BEARER_TOKEN=old\n", env=env, env_remove=["BEDROCK_AWS_BEARER_TOKEN"]
    )
    assert not errors
    assert librechat_checks.auth_method(dotenv_file.parse(env_after)) == "user_provided"


def test_s3_keys_in_env_are_taken_first_by_the_default_chain():
    _c, _e, errors, warnings = _plan(VERSIONED, "AWS_ACCESS_KEY_ID=AKIAS3\nAWS_SECRET_ACCESS_KEY=s\n")
    assert not errors
    assert any("default chain reads those variables first" in w for w in warnings)


def test_bedrock_aws_models_replaced_by_models_is_said():
    _c, _e, _errors, warnings = _plan(VERSIONED, "BEDROCK_AWS_MODELS=a,b\n")
    assert any("BEDROCK_AWS_MODELS is set" in w for w in warnings)


# -------------------------------------------------------------------------------------------- template .env

REQUIRED = "MONGO_URI=mongodb://m/L\nCREDS_KEY=k\nCREDS_IV=i\nJWT_SECRET=j\nJWT_REFRESH_SECRET=r\n"


def test_a_template_env_keeps_librechats_required_keys():
    template = f"BEDROCK_AWS_DEFAULT_REGION=us-east-1\nM_ARN={ARN}\n"
    args = dict(mode="template", config_template=VERSIONED, env_template=template)
    _c, env_after, errors, _w = _plan(None, REQUIRED + "OTHER=dropped\n", **args)
    assert not errors
    values = dotenv_file.parse(env_after)
    assert {k: values[k] for k in dotenv_file.parse(REQUIRED)} == dotenv_file.parse(REQUIRED)
    assert "OTHER" not in values
    assert _plan(None, env_after, **args)[1] == env_after  # stable on the next run
    with pytest.raises(dotenv_file.EnvError, match=r"does not set MONGO_URI, CREDS_KEY.*there is no /x/\.env"):
        _plan(None, None, **args)
    assert _plan(None, None, **{**args, "env_template": template + REQUIRED})[1] == template + REQUIRED


def test_verify_reads_an_aliased_section_as_librechat_does():
    # librechat_config refuses to rewrite `bedrock: *alias`, but LibreChat reads it: no file error in verify
    config = "version: '1.3.17'\nendpoints:\n  agents: &b\n    disableBuilder: false\n  bedrock: *b\n"
    info = _info(config, "")
    assert info["file_errors"] == []
    assert info["bedrock"] == {"disableBuilder": False}


def test_a_kept_user_entry_with_an_unset_variable_is_a_warning():
    config = VERSIONED + "endpoints:\n  bedrock:\n    inferenceProfiles:\n      theirs: ${THEIR_ARN}\n"
    _c, _e, errors, warnings = _plan(config, "")
    assert not errors
    assert any("${THEIR_ARN} but .env does not give THEIR_ARN a value" in w for w in warnings)
