"""Cost Explorer's cost-allocation-tag calls through boto3 against the emulator: a key is listed only once billing
has seen it (the control route declares it), listing filters by key, type and status and pages, an update changes
only the keys it names and reports unlisted keys in Errors, requests are checked against botocore's model, and the
CloudWatch dashboard calls moto answers keep the body byte for byte."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from test_inference_profiles import assert_valid_output

from emulator import api
from emulator.costexplorer import HANDLERS


def listed(ce, **kwargs) -> dict[str, str]:
    tags, token = {}, None
    while True:
        page = ce.list_cost_allocation_tags(**kwargs, **({"NextToken": token} if token else {}))
        assert_valid_output("ListCostAllocationTags", page, service="ce")
        tags.update({t["TagKey"]: t["Status"] for t in page["CostAllocationTags"]})
        token = page.get("NextToken")
        if not token:
            return tags


def test_every_handler_is_an_operation_of_botocores_model():
    assert set(HANDLERS) <= set(api.service_model("ce").operation_names)


def test_nothing_is_listed_until_billing_has_seen_the_key(client, control):
    ce = client("ce")
    assert listed(ce) == {}
    control.cost_allocation_tags_seen(["Application", "ManagedBy"])
    assert listed(ce, Type="UserDefined") == {"Application": "Inactive", "ManagedBy": "Inactive"}
    assert listed(ce, Type="AWSGenerated") == {}
    assert listed(ce, TagKeys=["ManagedBy", "Team"]) == {"ManagedBy": "Inactive"}
    assert control.state()["cost_allocation_tags"] == {
        "123456789012": {"Application": "Inactive", "ManagedBy": "Inactive"}
    }


def test_update_changes_the_keys_it_names_and_reports_unlisted_keys(client, control):
    ce = client("ce")
    control.cost_allocation_tags_seen(["Application", "ManagedBy"])
    answer = ce.update_cost_allocation_tags_status(
        CostAllocationTagsStatus=[{"TagKey": "Application", "Status": "Active"}, {"TagKey": "Team", "Status": "Active"}]
    )
    assert_valid_output("UpdateCostAllocationTagsStatus", answer, service="ce")
    assert [(e["TagKey"], e["Code"]) for e in answer["Errors"]] == [("Team", "TagKeyNotFound")]
    assert listed(ce) == {"Application": "Active", "ManagedBy": "Inactive"}
    assert listed(ce, Status="Active") == {"Application": "Active"}
    page = ce.list_cost_allocation_tags(TagKeys=["Application"])
    assert page["CostAllocationTags"][0]["LastUpdatedDate"]
    # declaring a listed key again keeps its status
    control.cost_allocation_tags_seen(["Application"])
    assert listed(ce, TagKeys=["Application"]) == {"Application": "Active"}


def test_listing_pages_with_max_results(client, control):
    ce = client("ce")
    keys = [f"Key{n:02d}" for n in range(7)]
    control.cost_allocation_tags_seen(keys)
    first = ce.list_cost_allocation_tags(MaxResults=3)
    assert [t["TagKey"] for t in first["CostAllocationTags"]] == keys[:3]
    assert first["NextToken"]
    assert listed(ce, MaxResults=3) == dict.fromkeys(keys, "Inactive")


@pytest.mark.parametrize(
    ("call", "kwargs", "fragment"),
    [
        ("list_cost_allocation_tags", {"TagKeys": [f"k{n}" for n in range(101)]}, "length less than or equal to 100"),
        (
            "update_cost_allocation_tags_status",
            {"CostAllocationTagsStatus": [{"TagKey": f"k{n}", "Status": "Active"} for n in range(21)]},
            "length less than or equal to 20",
        ),
    ],
)
def test_requests_are_checked_against_the_model(client, call, kwargs, fragment):
    # botocore checks minimum lengths only, so these maxima reach the server
    with pytest.raises(ClientError) as error:
        getattr(client("ce"), call)(**kwargs)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert fragment in error.value.response["Error"]["Message"]


def test_the_call_log_names_the_operations_and_their_writes(client, control):
    ce = client("ce")
    control.cost_allocation_tags_seen(["Application"])
    control.clear_calls()
    ce.list_cost_allocation_tags()
    ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=[{"TagKey": "Application", "Status": "Active"}])
    calls = control.calls()
    assert [(c["service"], c["operation"], c["write"], c["status"]) for c in calls["calls"]] == [
        ("ce", "ListCostAllocationTags", False, 200),
        ("ce", "UpdateCostAllocationTagsStatus", True, 200),
    ]


def test_reset_forgets_the_keys(client, control):
    control.cost_allocation_tags_seen(["Application"])
    control.reset()
    assert listed(client("ce")) == {}


def test_dashboards_keep_their_body_byte_for_byte_and_are_logged_by_operation(client, control):
    cloudwatch = client("cloudwatch")
    body = json.dumps(
        {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "é"}}]},
        indent=1,
    )
    answer = cloudwatch.put_dashboard(DashboardName="LibreChat-Bedrock", DashboardBody=body)
    assert answer["DashboardValidationMessages"] == []
    assert cloudwatch.get_dashboard(DashboardName="LibreChat-Bedrock")["DashboardBody"] == body
    with pytest.raises(ClientError) as error:
        cloudwatch.get_dashboard(DashboardName="missing")
    assert error.value.response["Error"]["Code"] == "ResourceNotFound"
    cloudwatch.delete_dashboards(DashboardNames=["LibreChat-Bedrock"])
    assert [(c["operation"], c["write"]) for c in control.calls()["calls"]] == [
        ("PutDashboard", True),
        ("GetDashboard", False),
        ("GetDashboard", False),
        ("DeleteDashboards", True),
    ]
