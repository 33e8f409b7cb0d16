"""The verify role's checklist: each row's status follows what was gathered, and the detail says what to do; and
verify_report, which shows the rows and judges them."""

import types

from ansible_collections.librechat.bedrock.plugins.action.verify_report import ActionModule
from ansible_collections.librechat.bedrock.plugins.plugin_utils import checklist

SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA = "us.amazon.nova-pro-v1:0"
ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
MODELS = [{"id": SONNET, "env_var": "SONNET_PROFILE"}, {"id": NOVA, "profile": False}]


def info(**changes):
    base = {
        "config_exists": True,
        "config_path": "/opt/librechat/librechat.yaml",
        "env_path": "/opt/librechat/.env",
        "models": [SONNET, NOVA],
        "inference_profiles": {SONNET: "${SONNET_PROFILE}"},
        "profile_arns": {SONNET: ARN},
        "unset_variables": [],
        "endpoints_lists_bedrock": True,
        "region": "us-east-1",
        "auth": "default_chain",
        "errors": [],
        "config_mtime": 1000.0,
        "env_mtime": 1005.0,
    }
    return base | changes


def statuses(rows):
    return {r["check"]: r["status"] for r in rows}


def test_a_correct_host_passes_every_file_check():
    rows = checklist.config_rows("web1", info(), MODELS, "us-east-1")
    assert set(statuses(rows).values()) == {"PASS"}


def test_a_case_mismatch_and_an_unset_variable_fail_and_say_so():
    rows = checklist.config_rows(
        "web1",
        info(inference_profiles={SONNET.upper(): "${SONNET_PROFILE}"}, unset_variables=["SONNET_PROFILE"]),
        MODELS,
        "us-east-1",
    )
    by_check = {r["check"]: r for r in rows}
    keys = by_check["web1: inferenceProfiles keys match models exactly"]
    assert keys["status"] == "FAIL"
    assert "the match is exact, case included" in keys["detail"]
    assert f"{SONNET} has no entry" in keys["detail"]
    env = by_check["web1: every ${VAR} is set in .env"]
    assert env["status"] == "FAIL" and "SONNET_PROFILE is not set" in env["detail"]


def test_a_file_librechat_would_refuse_is_its_own_row():
    rows = checklist.config_rows("web1", info(file_errors=["version: 1.2 is a float"]), MODELS, "us-east-1")
    assert statuses(rows)["web1: LibreChat accepts librechat.yaml"] == "FAIL"
    assert "web1: LibreChat accepts librechat.yaml" not in statuses(
        checklist.config_rows("web1", info(), MODELS, "us-east-1")
    )


def test_a_profile_arn_aws_does_not_hold_is_profile_not_found():
    rows = checklist.profile_rows("web1", info(), [])
    assert rows[0]["status"] == "FAIL" and ARN in rows[0]["detail"]
    assert checklist.profile_rows("web1", info(), [ARN])[0]["status"] == "PASS"


def test_restart_is_judged_against_the_newest_file():
    host = info()
    assert checklist.restart_row("h", host, {"method": "systemd", "started": "@1010"})["status"] == "PASS"
    assert checklist.restart_row("h", host, {"method": "systemd", "started": "@900"})["status"] == "FAIL"
    iso = "1970-01-01T00:16:50.123456789Z"  # 1010 s, as docker inspect prints it
    assert checklist.restart_row("h", host, {"method": "docker_compose", "started": iso})["status"] == "PASS"
    assert checklist.restart_row("h", host, {"method": "command"})["status"] == "SKIP"
    assert checklist.restart_row("h", host, {"method": "systemd", "started": ""})["status"] == "FAIL"


def test_a_stale_restart_names_the_deployments_own_command():
    command = "docker compose -f deploy-compose.yml up --detach --force-recreate --no-deps api"
    stale = {"method": "docker_compose", "started": "1970-01-01T00:15:00Z", "command": command}
    found = checklist.restart_row("h", info(), stale)
    assert found["status"] == "FAIL" and command in found["detail"]


def test_logs_tell_mapped_requests_from_raw_model_ids():
    logs = {"summary": {ARN: {"count": 2, "inference_regions": ["us-east-1", "us-west-2"]}}}
    row = checklist.log_rows(MODELS, {SONNET: ARN}, logs, "24h")[0]
    assert row["status"] == "PASS" and "us-east-1, us-west-2" in row["detail"]
    raw = {"summary": {SONNET: {"count": 1}}}
    assert checklist.log_rows(MODELS, {SONNET: ARN}, raw, "24h")[0]["status"] == "FAIL"
    assert checklist.log_rows(MODELS, {SONNET: ARN}, {"summary": {}}, "24h")[0]["status"] == "SKIP"
    assert checklist.log_rows(MODELS, {}, {"error": "no log group"}, "24h")[0]["status"] == "SKIP"


def test_the_whole_report_in_one_call():
    aws = {
        "profile_arns": [ARN],
        "availability": {"models": [{"model_id": SONNET, "available": False, "problems": ["agreement PENDING"]}]},
        "invocations": {
            "invocations": [
                {
                    "target": ARN,
                    "ok": False,
                    "error_code": "AccessDeniedException",
                    "error": "aws-marketplace:Subscribe",
                }
            ]
        },
        "logs": None,
        "log_since": "1h",
    }
    rows = checklist.report([{"host": "web1", "info": info(), "restart": {"method": "none"}}], MODELS, "us-east-1", aws)
    failed = [r["check"] for r in checklist.failed(rows)]
    assert failed == [f"{SONNET} is AVAILABLE", f"{ARN} answers"]
    assert any("propagating" in r["detail"] for r in rows)


def test_log_rows_count_cache_tokens_and_say_how_long_they_waited():
    through = {
        "count": 2,
        "inference_regions": ["us-east-1"],
        "input_token_count": 10,
        "output_token_count": 4,
        "cache_read_input_token_count": 2048,
        "cache_write_input_token_count": 0,
    }
    passed = checklist.log_rows(MODELS, {SONNET: ARN}, {"summary": {ARN: through}}, "24h")[0]
    assert passed["status"] == "PASS" and "10 in, 4 out, 2048 cache read" in passed["detail"]
    late = {"summary": {}, "timed_out": True, "waited": 60.2, "missing_model_ids": [ARN]}
    skipped = checklist.log_rows(MODELS, {SONNET: ARN}, late, "24h")[0]
    assert (
        skipped["status"] == "SKIP"
        and "after waiting 60s for delivery (verify_invocation_logs_wait)" in skipped["detail"]
    )
    # verify sent a request that answered, and its record never came: a failure, not a skip
    lost = checklist.log_rows(MODELS, {SONNET: ARN}, late, "24h", invoked=[ARN])[0]
    assert lost["status"] == "FAIL" and "no invocation record arrived" in lost["detail"]


def _report(**args):
    """librechat.bedrock.verify_report's action, run on `args` (no host, no connection)."""
    action = object.__new__(ActionModule)
    action._task = types.SimpleNamespace(args=args, async_val=0, check_mode=False, diff=False)
    action._connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir=None))
    action._supports_async = False
    action._supports_check_mode = True
    return action.run(task_vars={})


def test_the_report_shows_every_row_and_fails_on_a_failed_check():
    own = [checklist.row("web1: LibreChat loaded librechat.yaml", "PASS", "its log says so")]
    host = {"host": "web1", "info": info(), "restart": {"method": "none"}, "rows": own}
    aws = {"profile_arns": [ARN], "availability": None, "invocations": None, "logs": None, "log_since": "24h"}
    passed = _report(hosts=[host], models=MODELS, region="us-east-1", aws=aws, return_rows=True)
    assert not passed.get("failed") and passed["changed"] is False
    # the checklist's rows, then the host's own, in that order; shown as a table, whatever the verbosity
    assert passed["rows"] == checklist.report([host], MODELS, "us-east-1", aws) and passed["rows"][-1] == own[0]
    assert passed["msg"][0].split() == ["check", "status", "detail"] and len(passed["msg"]) == len(passed["rows"]) + 2
    assert passed["_ansible_verbose_always"] is True
    # without return_rows the output is the table alone
    assert "rows" not in _report(hosts=[host], models=MODELS, region="us-east-1", aws=aws)

    broken = dict(host, info=info(unset_variables=["SONNET_PROFILE"]))
    failed = _report(hosts=[broken], models=MODELS, region="us-east-1", aws=aws)
    assert failed["failed"] is True
    # the message names the failed checks; the table is the one a report without failing shows
    table = _report(hosts=[broken], models=MODELS, region="us-east-1", aws=aws, fail=False)
    assert failed["msg"] == "1 check(s) failed: web1: every ${VAR} is set in .env"
    assert failed["table"] == table["msg"] and "table" not in table
    # fail=false (verify_fail: false, check mode) reports only
    assert not table.get("failed")
