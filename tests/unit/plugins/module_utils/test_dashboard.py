"""The dashboard body: built from the profile list alone (deterministic, one line per profile in every graph), the
name rule kept equal to botocore's documentation of PutDashboard, profile checks that name the entry and the fix,
and a comparison of bodies as JSON."""

from __future__ import annotations

import json

import botocore.session
import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils import dashboard

ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/{}"
SONNET = {"arn": ARN.format("a1b2c3d4e5f6"), "name": "LibreChat-sonnet", "model_ids": ["anthropic.claude"]}
NOVA = {"arn": ARN.format("f6e5d4c3b2a1"), "name": "LibreChat-nova", "model_ids": ["amazon.nova-pro-v1:0"]}


def test_the_name_rule_is_the_one_botocore_documents():
    documentation = (
        botocore.session.get_session()
        .get_service_model("cloudwatch")
        .operation_model("PutDashboard")
        .input_shape.members["DashboardName"]
        .documentation
    )
    assert 'The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"' in documentation
    assert dashboard.name_error("LibreChat-Bedrock_1") is None
    assert dashboard.name_error("x" * 255) is None
    assert dashboard.name_error("x" * 256) is not None
    message = dashboard.name_error("LibreChat Bedrock!")
    assert "got 'LibreChat Bedrock!'" in message
    assert "for example 'LibreChat-Bedrock'" in message


def test_the_body_has_one_graph_per_metric_and_one_line_per_profile_sorted_by_name():
    profiles, errors = dashboard.normalize_profiles([SONNET, NOVA])
    assert errors == []
    body = dashboard.build_body(profiles, "eu-west-1", 60)
    graphs = [w for w in body["widgets"] if w["type"] == "metric"]
    assert [g["properties"]["metrics"][0][1] for g in graphs] == [metric for metric, _t, _s in dashboard.WIDGETS]
    for graph in graphs:
        lines = graph["properties"]["metrics"]
        assert [line[3] for line in lines] == ["f6e5d4c3b2a1", "a1b2c3d4e5f6"]
        assert [line[4]["label"] for line in lines] == ["LibreChat-nova", "LibreChat-sonnet"]
        assert {line[0] for line in lines} == {"AWS/Bedrock"} and {line[2] for line in lines} == {"ModelId"}
        assert graph["properties"]["region"] == "eu-west-1" and graph["properties"]["period"] == 60
    # widgets do not overlap on the 24-column grid
    cells = [(w["x"], w["y"]) for w in body["widgets"]]
    assert len(set(cells)) == len(cells)
    assert all(w["x"] + w["width"] <= 24 for w in body["widgets"])


def test_the_same_profiles_in_any_order_give_the_same_bytes():
    first = dashboard.serialize(dashboard.build_body(dashboard.normalize_profiles([SONNET, NOVA])[0], "us-east-1"))
    second = dashboard.serialize(dashboard.build_body(dashboard.normalize_profiles([NOVA, SONNET])[0], "us-east-1"))
    assert first == second


def test_the_arn_form_of_the_dimension_is_available():
    profiles, _errors = dashboard.normalize_profiles([SONNET])
    body = dashboard.build_body(profiles, "us-east-1", form="arn")
    assert body["widgets"][1]["properties"]["metrics"][0][3] == SONNET["arn"]


def test_inference_profile_info_entries_are_taken_as_they_are():
    entry = {
        "inference_profile_arn": ARN.format("a1b2c3d4e5f6"),
        "inference_profile_id": "a1b2c3d4e5f6",
        "inference_profile_name": "LibreChat-sonnet",
        "models": [
            {"model_arn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude"},
            {"model_arn": "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude"},
        ],
        "status": "ACTIVE",
    }
    profiles, errors = dashboard.normalize_profiles([entry])
    assert errors == []
    assert profiles == [
        {
            "arn": entry["inference_profile_arn"],
            "name": "LibreChat-sonnet",
            "id": "a1b2c3d4e5f6",
            "model_ids": ["anthropic.claude"],
        }
    ]


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"arn": "anthropic.claude", "name": "x"}, "profiles[0].arn must be an inference profile ARN"),
        ({"arn": ARN.format("abc"), "name": ""}, "profiles[0].name must be the profile's name"),
        ({"arn": ARN.format("abc"), "name": "x", "model_ids": [1]}, "profiles[0].model_ids must be a list"),
        ("text", "profiles[0] must be a dict"),
        ({"arn": None, "name": "x"}, "profiles[0] needs arn (an inference profile ARN) or id"),
    ],
)
def test_bad_profiles_are_named(entry, fragment):
    _profiles, errors = dashboard.normalize_profiles([entry])
    assert len(errors) == 1 and fragment in errors[0]


def test_a_model_id_without_an_arn_draws_under_its_id():
    # inference_profile_usage_info answers a model ID it was given with arn null
    profiles, errors = dashboard.normalize_profiles([{"arn": None, "id": "amazon.nova-pro-v1:0", "model_ids": []}])
    assert errors == []
    assert profiles[0]["name"] == "amazon.nova-pro-v1:0"
    body = dashboard.build_body(profiles, "us-east-1", form="arn")
    assert body["widgets"][1]["properties"]["metrics"][0][3] == "amazon.nova-pro-v1:0"


def test_a_profile_given_twice_is_refused():
    _profiles, errors = dashboard.normalize_profiles([SONNET, dict(SONNET)])
    assert errors == [f"profiles lists {SONNET['arn']} more than once; give each profile once"]


def test_bodies_are_compared_as_json():
    body = dashboard.build_body(dashboard.normalize_profiles([SONNET])[0], "us-east-1")
    assert dashboard.bodies_equal(json.dumps(body, indent=4), body)
    assert not dashboard.bodies_equal(None, body)
    assert not dashboard.bodies_equal("not json", body)
    assert not dashboard.bodies_equal('{"widgets": []}', body)


def test_no_profiles_gives_the_text_panel_only():
    body = dashboard.build_body([], "us-east-1")
    assert [w["type"] for w in body["widgets"]] == ["text"]
