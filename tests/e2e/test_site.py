"""End to end: the demo's path (playbooks site, then verify) against the local AWS emulator, with this machine as
the LibreChat host. Run by `scripts/test.py e2e`, which provides AWS_ENDPOINT_URL; asserts on LibreChat's files
and on what the emulator holds, that a second run changes nothing and makes no AWS write, and that
`site --check` on a clean emulator creates nothing."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import boto3
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import demo  # noqa: E402
from devtools import CommandFailed  # noqa: E402

MODELS = [
    "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-opus-4-5-20251101-v1:0",
    "us.amazon.nova-pro-v1:0",
]
ENV_VARS = {
    MODELS[0]: "BEDROCK_CLAUDE_37_PROFILE",
    MODELS[1]: "BEDROCK_CLAUDE_45_PROFILE",
    MODELS[2]: "BEDROCK_OPUS_45_PROFILE",
}


def digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_site_check_mode_on_a_clean_account_creates_nothing(setup):
    control, directory, env = setup
    before = digest(directory)
    output = demo.playbook("site", env, "--check", "--diff", capture=True)
    state = control.state()
    assert control.calls()["writes"] == 0
    assert state["application_inference_profiles"] == []
    assert state["logging"] == []
    assert digest(directory) == before, "check mode changed LibreChat's files"
    # the prediction names what a real run would create and write
    # (profile ARNs are not secret, so the .env diff shows them: a placeholder until a real run creates them)
    assert "+BEDROCK_CLAUDE_37_PROFILE=arn:aws:bedrock:us-east-1:000000000000:application-inference-profile/" in output
    assert '"us.anthropic.claude-3-7-sonnet-20250219-v1:0": "${BEDROCK_CLAUDE_37_PROFILE}"' in output


def test_site_verify_and_a_second_run(setup):
    control, directory, env = setup
    demo.playbook("site", env)

    # LibreChat's files: the section, the profile ARNs of the profiles AWS holds, modes
    config = yaml.safe_load((directory / "librechat.yaml").read_text())
    bedrock = config["endpoints"]["bedrock"]
    assert bedrock["models"] == MODELS
    assert bedrock["inferenceProfiles"] == {model: "${" + var + "}" for model, var in ENV_VARS.items()}
    assert bedrock["availableRegions"] == ["us-east-1", "us-west-2"]
    assert config["endpoints"]["agents"] == {"disableBuilder": False}, "the rest of the file was not kept"
    env_file = demo.read_env(directory / ".env")
    state = control.state()
    profiles = {p["inferenceProfileName"]: p for p in state["application_inference_profiles"]}
    assert len(profiles) == 3
    for model, var in ENV_VARS.items():
        name = "LibreChat-" + model.replace(".", "-").replace(":", "-")
        assert env_file[var] == profiles[name]["inferenceProfileArn"]
        assert profiles[name]["tags"]["ManagedBy"] == "librechat.bedrock"
    assert env_file["BEDROCK_AWS_DEFAULT_REGION"] == "us-east-1"
    assert env_file["MONGO_URI"] == "mongodb://127.0.0.1:27017/LibreChat"
    assert (directory / ".env").stat().st_mode & 0o777 == 0o600
    # LibreChat itself: it loaded the file the role wrote, and its process holds the region and the mapping
    librechat = demo.librechat_state(directory)
    assert librechat["config"]["loaded"]
    assert librechat["BEDROCK_AWS_DEFAULT_REGION"] == "us-east-1"
    assert librechat["bedrock"]["profiles"] == {model: env_file.get(ENV_VARS.get(model, "")) for model in MODELS}
    assert len(state["logging"]) == 1
    assert state["logging"][0]["loggingConfig"]["cloudWatchConfig"]["logGroupName"] == "/aws/bedrock/model-invocations"

    # chats through LibreChat (its own Bedrock client, in its container): each mapped model goes to Bedrock as
    # its profile ARN, the model without a profile as its ID, and the invocation logs say so
    sent = demo.send_requests(env, directory)
    assert {tally["model"]: key for key, tally in sent.items()} == {
        model: env_file[ENV_VARS[model]] if model in ENV_VARS else model for model in MODELS
    }
    records = demo.invocation_records(env)
    assert demo.log_mismatches(sent, records) == []
    regions = {r["modelId"]: r["inferenceRegion"] for r in records}
    assert regions[env_file[ENV_VARS[MODELS[0]]]].startswith("us-")
    assert regions[MODELS[3]].startswith("us-")
    report = demo.playbook("verify", env, capture=True)
    for model in ENV_VARS:
        assert f"{model} requests use its profile" in report
    assert "FAIL" not in report.split("Show the report", 1)[1].split("PLAY RECAP", 1)[0]

    # the second run: no change, no AWS write
    files = digest(directory)
    control.clear_calls()
    output = demo.playbook("site", env, capture=True)
    calls = control.calls()
    assert calls["writes"] == 0
    assert set(demo.changed_counts(output).values()) == {0}
    assert digest(directory) == files
    # Nothing changed, so verify takes what this run already read: the librechat play's reading of both files,
    # the profiles play's listing of the application profiles and its access check (one
    # GetFoundationModelAvailability per model in the run, not two); its table still judges them. Its reads are
    # one include (roles/verify/tasks/reads.yml), skipped for the one host, so none of them runs.
    operations = [c["operation"] for c in calls["calls"]]
    assert operations.count("GetFoundationModelAvailability") == len(MODELS)
    assert operations.count("ListInferenceProfiles") == 2  # the profiles play's: APPLICATION, SYSTEM_DEFINED
    reads = "Read what the earlier plays have not read in this run"
    assert f"TASK [librechat.bedrock.verify : {reads}] ***" in output
    assert output.split(f"{reads}] ", 1)[1].split("TASK [", 1)[0].count("skipping: [") == 1
    for task in (
        "Read what LibreChat will do with Bedrock on this host",
        "List the application inference profiles that exist",
        "Check every model's access",
    ):
        assert f"TASK [librechat.bedrock.verify : {task}] ***" not in output
    table = output.split("Show the report", 1)[1].split("PLAY RECAP", 1)[0]
    assert "FAIL" not in table
    for model in MODELS:
        assert f"{model} is AVAILABLE" in table
    assert "every ${VAR} is set in .env" in table and "credentials: " in table
    assert "every profile ARN exists in AWS" in table and f"{len(ENV_VARS)} profiles found" in table

    # verify_invoke inside site: one request to each profile LibreChat's files map (read by the librechat play,
    # which wrote nothing), each answered, and the records of those requests found in the invocation logs
    control.clear_calls()
    invoked = demo.playbook("site", env, "-e", "verify_invoke=true", capture=True)
    targets = [env_file[var] for var in ENV_VARS.values()]
    converse = [c for c in control.calls()["calls"] if c["operation"] == "Converse"]
    assert len(converse) == len(targets)
    table = invoked.split("Show the report", 1)[1].split("PLAY RECAP", 1)[0]
    assert "FAIL" not in table
    for model, arn in zip(ENV_VARS, targets):
        assert f"{arn} answers" in table
        assert f"{model} requests use its profile" in table


def test_verify_fails_when_librechat_sends_the_raw_model_id(setup):
    _control, _directory, env = setup
    demo.playbook("site", env, "--skip-tags", "verify")
    # LibreChat without the mapping: a request names the model itself
    boto3.session.Session().client(
        "bedrock-runtime",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).converse(modelId=MODELS[1], messages=[{"role": "user", "content": [{"text": "hi"}]}])
    with pytest.raises(CommandFailed) as failure:
        demo.playbook("verify", env, capture=True)
    assert "exit 2" in str(failure.value)
