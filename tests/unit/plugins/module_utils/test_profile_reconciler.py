"""What counts as a change only a replacement can make: the models a profile routes to, compared by model and
reach (never by the exact ARN list), and its description."""

from __future__ import annotations

import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils.profile_reconciler import immutable_differences


def fm(region, model="anthropic.claude-sonnet-4-5-20250929-v1:0"):
    return f"arn:aws:bedrock:{region}::foundation-model/{model}"


def test_immutable_differences_name_both_values():
    existing = {"models": [{"modelArn": fm("us-east-1", "a.b")}], "description": "old"}
    assert immutable_differences(existing, [fm("us-east-1", "a.b")], None) == []
    assert immutable_differences(existing, [fm("us-east-1", "a.b")], "old") == []
    differences = immutable_differences(existing, [fm("us-east-1", "c.d")], "new")
    assert differences == [
        "models: it routes to a.b (one region), model_source routes to c.d (one region)",
        "description: it is 'old', wanted 'new'",
    ]


@pytest.mark.parametrize(
    "current",
    [
        # the global shape: region-less ARN plus the source region's, in either order
        [fm("us-east-1"), fm("")],
        [fm(""), fm("us-east-1")],
        # AWS added a destination region to the global profile's list
        [fm(""), fm("us-east-1"), fm("eu-west-1")],
    ],
)
def test_a_global_profile_is_compared_by_model_not_by_arn_list(current):
    """A global profile's routing shape, or AWS adding a destination region, never makes a later run fail or
    recreate: what counts is the models and the reach, not the exact ARNs."""
    wanted = [fm("us-east-1"), fm("")]
    assert immutable_differences({"models": [{"modelArn": a} for a in current]}, wanted, None) == []


def test_adding_a_destination_region_to_a_geography_changes_nothing():
    current = [{"modelArn": fm(r)} for r in ("us-east-1", "us-east-2", "us-west-2")]
    wanted = [fm(r) for r in ("us-east-1", "us-east-2", "us-west-2", "us-west-1")]
    assert immutable_differences({"models": current}, wanted, None) == []


@pytest.mark.parametrize(
    ("current", "wanted", "fragment"),
    [
        ([fm("us-east-1")], [fm("us-east-1"), fm("us-west-2")], "(one region), model_source routes to"),
        ([fm("us-east-1"), fm("us-west-2")], [fm("us-east-1"), fm("")], "(cross-region), model_source routes to"),
        ([fm("us-east-1")], [fm("us-east-1", "amazon.nova-pro-v1:0")], "amazon.nova-pro-v1:0 (one region)"),
    ],
)
def test_a_change_of_model_or_reach_is_a_difference(current, wanted, fragment):
    differences = immutable_differences({"models": [{"modelArn": a} for a in current]}, wanted, None)
    assert len(differences) == 1 and fragment in differences[0]
