"""inference_profile's plan-then-apply reconciler against the emulator, with a stand-in for AnsibleAWSModule:
the listings it makes, the tokens it sends, conflicts adopted, refusals before any write, and what a failure
half-way reports."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.librechat.bedrock.plugins.module_utils import bedrock, profile_reconciler
from ansible_collections.librechat.bedrock.plugins.modules import inference_profile

SONNET_37 = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
NOVA = "amazon.nova-pro-v1:0"
NOVA_ARN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"


class Failed(Exception):
    def __init__(self, result):
        super().__init__(result["msg"])
        self.result = result


class Module:
    """What the reconciler uses of AnsibleAWSModule."""

    def __init__(self, check_mode=False, **params):
        self.params = {
            "name": None,
            "state": "present",
            "model_source": None,
            "description": None,
            "profiles": None,
            "purge_tagged": None,
            "tags": None,
            "purge_tags": True,
            "recreate": False,
            "wait": True,
            "wait_timeout": 30,
        }
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = True
        self.region = "us-east-1"
        self.warnings = []

    def fail_json(self, **result):
        raise Failed(result)

    def fail_json_aws(self, exception, msg=None, **result):
        raise Failed(dict(result, msg=msg))

    def warn(self, text):
        self.warnings.append(text)


@pytest.fixture
def bedrock_client(aws_env):
    return RetryingBotoClientWrapper(boto3.session.Session().client("bedrock"), bedrock.retry_decorator())


def run_module(client, check_mode=False, **params):
    """The module's result and the stand-in module (for its warnings)."""
    module = Module(check_mode=check_mode, **params)
    specs = inference_profile.profile_specs(module.params)
    assert inference_profile.input_errors(module.params, specs) == []
    return profile_reconciler.run(module, client, specs), module


def run(client, check_mode=False, **params):
    return run_module(client, check_mode, **params)[0]


def live(control, name):
    return [p for p in control.state()["application_inference_profiles"] if p["inferenceProfileName"] == name]


def writes(control):
    return [c["operation"] for c in control.calls()["calls"] if c["write"]]


def test_a_run_lists_application_profiles_by_type(bedrock_client, control):
    run(bedrock_client, name="LibreChat-a", model_source=NOVA)
    control.clear_calls()
    result = run(bedrock_client, name="LibreChat-a", model_source=NOVA)
    assert result["changed"] is False
    calls = [(c["operation"]) for c in control.calls()["calls"]]
    assert calls == ["ListInferenceProfiles", "GetFoundationModel", "ListTagsForResource"]
    assert writes(control) == []


@pytest.mark.parametrize("between", ["absent", "recreate"])
def test_creating_again_after_a_delete_makes_a_live_profile(bedrock_client, control, between):
    """absent -> present, and recreate back to an earlier source: each create carries a fresh token, so Bedrock
    never takes it for the earlier request and answers a deleted ARN (the emulator remembers tokens for ever)."""
    first = run(bedrock_client, name="LibreChat-x", model_source=SONNET_37)
    if between == "absent":
        run(bedrock_client, name="LibreChat-x", state="absent")
    else:
        run(bedrock_client, name="LibreChat-x", model_source="us.amazon.nova-pro-v1:0", recreate=True)
    again = run(bedrock_client, name="LibreChat-x", model_source=SONNET_37, recreate=True)
    assert again["changed"] is True
    held = live(control, "LibreChat-x")
    assert [p["inferenceProfileArn"] for p in held] == [again["inference_profile"]["inference_profile_arn"]]
    assert held[0]["inferenceProfileArn"] != first["inference_profile"]["inference_profile_arn"]
    assert again["inference_profile"]["status"] == "ACTIVE"


def test_a_conflict_adopts_the_profile_a_concurrent_run_created(bedrock_client, control, client):
    """Another run created the name a moment ago, still invisible to this run's listing: the create answers
    ConflictException, the module lists again, adopts that profile and reconciles its tags."""
    control.config(consistency_reads=1)
    theirs = client("bedrock").create_inference_profile(
        inferenceProfileName="LibreChat-race",
        modelSource={"copyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"},
        clientRequestToken="their-token",
    )["inferenceProfileArn"]
    control.clear_calls()
    result = run(bedrock_client, name="LibreChat-race", model_source=NOVA, tags={"Team": "a"})
    assert result["adopted"] is True and result["changed"] is True
    assert result["diff"] == {
        "before": {},
        "after": profile_reconciler.diff_view(
            {
                "inferenceProfileName": "LibreChat-race",
                "inferenceProfileArn": theirs,
                "models": [{"modelArn": NOVA_ARN}],
            },
            {"Team": "a"},
        ),
    }
    assert result["inference_profile"]["inference_profile_arn"] == theirs
    assert [p["inferenceProfileArn"] for p in live(control, "LibreChat-race")] == [theirs]
    assert live(control, "LibreChat-race")[0]["tags"] == {"Team": "a"}
    statuses = [(c["operation"], c["status"]) for c in control.calls()["calls"]]
    assert ("CreateInferenceProfile", 400) in statuses
    assert [operation for operation, _status in statuses].count("ListInferenceProfiles") == 2


def test_an_adopted_profile_that_routes_elsewhere_is_refused_without_recreate(bedrock_client, control, client):
    control.config(consistency_reads=1)
    client("bedrock").create_inference_profile(
        inferenceProfileName="LibreChat-race",
        modelSource={"copyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"},
    )
    with pytest.raises(Failed) as failure:
        run(bedrock_client, name="LibreChat-race", model_source=NOVA)
    assert "cannot be changed in place" in failure.value.result["msg"]


def test_a_conflict_that_never_resolves_fails_after_wait_timeout(bedrock_client, control):
    module = Module(name="LibreChat-stuck", model_source=NOVA, wait_timeout=5)
    reconciler = profile_reconciler.Reconciler(
        module, bedrock_client, sleep=lambda s: None, clock=iter(range(100)).__next__
    )
    control.config(consistency_reads=1000)  # the name is taken by a profile no listing shows
    boto3.session.Session().client("bedrock").create_inference_profile(
        inferenceProfileName="LibreChat-stuck",
        modelSource={"copyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"},
    )
    step = reconciler.plan(inference_profile.profile_specs(module.params)[0])
    with pytest.raises(bedrock.BedrockError, match="ConflictException for wait_timeout=5s"):
        reconciler.apply(step)


def test_duplicate_names_are_refused_and_never_made(bedrock_client, control, client):
    control.config(duplicate_profile_names="allow")
    for token in ("one", "two"):
        client("bedrock").create_inference_profile(
            inferenceProfileName="LibreChat-twice",
            modelSource={"copyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"},
            clientRequestToken=token,
        )
    control.clear_calls()
    with pytest.raises(Failed) as failure:
        run(bedrock_client, name="LibreChat-twice", model_source=NOVA)
    assert "2 application inference profiles are named 'LibreChat-twice'" in failure.value.result["msg"]
    assert writes(control) == []


def test_a_refused_list_writes_nothing(bedrock_client, control):
    """The first entries would be created, the last is refused: nothing is written at all."""
    control.clear_calls()
    profiles = [
        {"name": "LibreChat-ok", "model_source": NOVA, "state": "present", "description": None, "tags": None},
        {
            "name": "LibreChat-no-on-demand",
            "model_source": "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "state": "present",
            "description": None,
            "tags": None,
        },
    ]
    with pytest.raises(Failed) as failure:
        run(bedrock_client, profiles=profiles)
    msg = failure.value.result["msg"]
    assert msg.startswith("Nothing was changed: profiles[1] (LibreChat-no-on-demand): ")
    assert "us.anthropic.claude-sonnet-4-5-20250929-v1:0" in msg
    assert failure.value.result["changed"] is False
    assert writes(control) == []


def test_a_failure_half_way_reports_what_was_done(bedrock_client, control):
    control.config(application_profile_quota=1)
    profiles = [
        {"name": f"LibreChat-{i}", "model_source": NOVA, "state": "present", "description": None, "tags": None}
        for i in range(2)
    ]
    control.clear_calls()
    with pytest.raises(Failed) as failure:
        run(bedrock_client, profiles=profiles)
    result = failure.value.result
    assert result["changed"] is True
    assert "quota of application inference profiles in us-east-1" in result["msg"]
    assert "Service Quotas" in result["msg"]
    assert [p["inference_profile_name"] for p in result["inference_profiles"]] == ["LibreChat-0"]
    assert result["created_arns"] == [result["inference_profiles"][0]["inference_profile_arn"]]
    assert result["application_profile_arns"] == result["created_arns"]  # what exists after the failure
    # the quota is not retried: one refused create
    creates = [c["status"] for c in control.calls()["calls"] if c["operation"] == "CreateInferenceProfile"]
    assert len(creates) == 2 and creates[0] == 201 and creates[1] >= 400


def test_check_mode_predicts_and_writes_nothing(bedrock_client, control):
    control.clear_calls()
    result = run(
        bedrock_client,
        check_mode=True,
        name="LibreChat-c",
        model_source="global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    )
    assert result["changed"] is True and result["inference_profile"]["inference_profile_arn"] is None
    assert len(result["inference_profile"]["models"]) == 2
    assert writes(control) == []


def test_a_global_profile_converges(bedrock_client, control):
    source = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
    first = run(bedrock_client, name="LibreChat-g", model_source=source)
    assert first["changed"] is True
    control.clear_calls()
    for recreate in (False, True):
        again = run(bedrock_client, name="LibreChat-g", model_source=source, recreate=recreate)
        assert again["changed"] is False
    assert writes(control) == []


def test_a_second_profile_of_the_name_after_a_create_is_reported(bedrock_client, control, client):
    """If Bedrock lets two runs create one name (duplicate_profile_names=allow) the run that created the second
    says so, naming both ARNs, instead of silently picking one; the next run refuses to choose."""
    control.config(duplicate_profile_names="allow", consistency_reads=1)
    theirs = client("bedrock").create_inference_profile(
        inferenceProfileName="LibreChat-both",
        modelSource={"copyFrom": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"},
    )["inferenceProfileArn"]
    result, module = run_module(bedrock_client, name="LibreChat-both", model_source=NOVA)
    mine = result["inference_profile"]["inference_profile_arn"]
    assert mine != theirs and result["duplicates"] == [theirs]
    assert len(module.warnings) == 1 and theirs in module.warnings[0] and mine in module.warnings[0]
    control.clear_calls()
    with pytest.raises(Failed, match="2 application inference profiles are named 'LibreChat-both'"):
        run(bedrock_client, name="LibreChat-both", model_source=NOVA)
    assert writes(control) == []


def test_a_list_run_returns_the_application_profiles_after_it(bedrock_client, control):
    """What inference_profile_info would list right after the run, from the run's own listing and writes: a
    profile not of the collection, those it created, less those it purged; in check mode, what exists now."""

    def spec(name, tags=None):
        return {"name": name, "model_source": NOVA, "state": "present", "description": None, "tags": tags}

    other = run(bedrock_client, name="someone-elses", model_source=NOVA)["inference_profile"]["inference_profile_arn"]
    stale = run(bedrock_client, profiles=[spec("LibreChat-stale", {"ManagedBy": "librechat.bedrock"})])
    stale_arn = stale["inference_profiles"][0]["inference_profile_arn"]
    assert stale["application_profile_arns"] == sorted([other, stale_arn])

    managed = {"ManagedBy": "librechat.bedrock"}
    wanted = [spec("LibreChat-a", managed), spec("LibreChat-b", managed)]
    predicted = run(bedrock_client, check_mode=True, profiles=wanted, purge_tagged=managed)
    assert predicted["application_profile_arns"] == sorted([other, stale_arn])

    done = run(bedrock_client, profiles=wanted, purge_tagged=managed)
    assert [p["inference_profile_arn"] for p in done["purged"]] == [stale_arn]
    listed = sorted(p["inferenceProfileArn"] for p in control.state()["application_inference_profiles"])
    assert done["application_profile_arns"] == listed
    assert stale_arn not in listed and other in listed and len(listed) == 3
