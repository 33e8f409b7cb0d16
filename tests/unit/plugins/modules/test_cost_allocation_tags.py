"""cost_allocation_tags' reconciler against the emulator's Cost Explorer: reads before writes, batches of the API's
limits, keys billing has not seen are pending, check mode writes nothing, and an Errors entry in AWS's answer is
reported per key."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.librechat.bedrock.plugins.module_utils import bedrock
from ansible_collections.librechat.bedrock.plugins.modules import cost_allocation_tags as module


@pytest.fixture
def ce(aws_env):
    return RetryingBotoClientWrapper(boto3.session.Session().client("ce"), bedrock.retry_decorator())


def writes(control) -> list[str]:
    return [c["operation"] for c in control.calls()["calls"] if c["write"]]


def test_listed_keys_are_activated_once_and_unseen_keys_are_pending(ce, control):
    control.cost_allocation_tags_seen(["Application", "ManagedBy"])
    control.clear_calls()
    predicted, failures = module.reconcile(ce, ["Application", "ManagedBy", "Team"], "Active", check_mode=True)
    assert failures == [] and writes(control) == []
    assert predicted["changed"] and predicted["activated"] == ["Application", "ManagedBy"]
    assert predicted["pending"] == ["Team"]
    applied, _failures = module.reconcile(ce, ["Application", "ManagedBy", "Team"], "Active", check_mode=False)
    assert {k: v for k, v in applied.items() if k != "diff"} == {k: v for k, v in predicted.items() if k != "diff"}
    assert writes(control) == ["UpdateCostAllocationTagsStatus"]
    control.clear_calls()
    again, _failures = module.reconcile(ce, ["Application", "ManagedBy", "Team"], "Active", check_mode=False)
    assert not again["changed"] and again["unchanged"] == ["Application", "ManagedBy"] and writes(control) == []
    assert again["tags"] == {"Application": "Active", "ManagedBy": "Active"}


def test_many_keys_are_read_and_written_in_the_batches_the_api_allows(ce, control):
    keys = [f"Key{n:03d}" for n in range(105)]
    control.cost_allocation_tags_seen(keys)
    control.clear_calls()
    result, _failures = module.reconcile(ce, keys, "Active", check_mode=False)
    operations = [c["operation"] for c in control.calls()["calls"]]
    assert operations.count("ListCostAllocationTags") == 2  # 100 + 5 keys
    assert operations.count("UpdateCostAllocationTagsStatus") == 6  # 5 x 20 + 5
    assert result["activated"] == keys


def test_deactivation_changes_only_active_keys(ce, control):
    control.cost_allocation_tags_seen(["Application", "Team"])
    module.reconcile(ce, ["Application"], "Active", check_mode=False)
    result, _failures = module.reconcile(ce, ["Application", "Team"], "Inactive", check_mode=False)
    assert result["deactivated"] == ["Application"] and result["unchanged"] == ["Team"]
    assert control.state()["cost_allocation_tags"]["123456789012"] == {"Application": "Inactive", "Team": "Inactive"}


class Refusing:
    """A Cost Explorer whose update answers an Errors entry for one key (AWS reports failures per key)."""

    def list_cost_allocation_tags(self, **kwargs):
        return {
            "CostAllocationTags": [
                {"TagKey": k, "Type": "UserDefined", "Status": "Inactive"} for k in kwargs["TagKeys"]
            ]
        }

    def update_cost_allocation_tags_status(self, CostAllocationTagsStatus, **kwargs):
        return {"Errors": [{"TagKey": "Team", "Code": "AccessDenied", "Message": "not the payer account"}]}


def test_errors_in_the_answer_are_reported_per_key():
    result, failures = module.reconcile(Refusing(), ["Application", "Team"], "Active", check_mode=False)
    assert result["activated"] == ["Application"]
    assert result["tags"] == {"Application": "Active", "Team": "Inactive"}
    assert module.failure_message(failures) == (
        "UpdateCostAllocationTagsStatus refused 1 key(s): Team: AccessDenied not the payer account"
    )


@pytest.mark.parametrize(
    ("key", "fragment"),
    [("aws:createdBy", "starts with 'aws:'"), ("", "1 to 128 characters"), ("k" * 129, "1 to 128 characters")],
)
def test_keys_aws_refuses_are_named(key, fragment):
    errors = module.key_errors(["Application", key])
    assert len(errors) == 1 and fragment in errors[0] and repr(key) in errors[0]
