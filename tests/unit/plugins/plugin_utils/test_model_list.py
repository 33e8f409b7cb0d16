"""The one reading of `librechat_bedrock_models`: derived names, normalization, and every preflight rule, each
message naming the variable, the value and the fix."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from ansible_collections.librechat.bedrock.plugins.filter.models import FilterModule
from ansible_collections.librechat.bedrock.plugins.module_utils import rules
from ansible_collections.librechat.bedrock.plugins.plugin_utils import jsyaml, librechat_yaml, models

ROOT = pathlib.Path(__file__).resolve().parents[4]

REGION = "us-east-1"
ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456"


def test_profile_name_follows_the_seed_loop():
    assert models.profile_name("us.anthropic.claude-3-7-sonnet-20250219-v1:0") == (
        "LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0"
    )


@pytest.mark.parametrize(
    "model_id",
    [
        "global.anthropic.claude-opus-4-5-20251101-v1:0",
        "us.meta.llama3-2-90b-instruct-v1:0" * 3,
        "a..b::c__d",
        "x" * 200,
    ],
)
def test_profile_name_is_always_valid(model_id):
    name = models.profile_name(model_id)
    assert len(name) <= rules.NAME_MAX
    assert re.fullmatch(rules.NAME_PATTERN, name)


def test_long_ids_that_share_a_start_get_different_names():
    first = models.profile_name("x" * 80 + "-v1:0")
    second = models.profile_name("x" * 80 + "-v2:0")
    assert first != second
    assert len(first) == len(second) == rules.NAME_MAX


def test_env_var_name():
    assert models.env_var_name("us.anthropic.claude-3-7-sonnet-20250219-v1:0") == (
        "BEDROCK_PROFILE_US_ANTHROPIC_CLAUDE_3_7_SONNET_20250219_V1_0"
    )
    assert models.ENV_VAR_NAME.match(models.env_var_name("global.x-y:z"))


def test_normalize_models_covers_every_form():
    normalized = models.normalize_models(
        [
            "amazon.nova-lite-v1:0",
            {"id": "us.amazon.nova-pro-v1:0"},
            {"id": "anthropic.claude-3-haiku-20240307-v1:0", "profile_arn": ARN, "env_var": "HAIKU"},
            {"id": "meta.llama3", "profile": False},
            {"id": "us.x.y-v1:0", "profile_name": "Mine", "tags": {"Team": "a"}, "description": "Mine too"},
        ]
    )
    plain, created, given, opted_out, custom = normalized
    assert plain == {
        "id": "amazon.nova-lite-v1:0",
        "profile": False,
        "profile_name": None,
        "profile_arn": None,
        "env_var": None,
        "description": None,
        "tags": {},
    }
    assert created["profile"] is True
    assert created["profile_name"] == "LibreChat-us-amazon-nova-pro-v1-0"
    assert created["env_var"] == "BEDROCK_PROFILE_US_AMAZON_NOVA_PRO_V1_0"
    assert created["description"] == "LibreChat profile for us.amazon.nova-pro-v1:0"
    assert given["profile"] is False and given["profile_arn"] == ARN and given["env_var"] == "HAIKU"
    assert opted_out["profile"] is False and opted_out["env_var"] is None
    assert custom["profile_name"] == "Mine" and custom["tags"] == {"Team": "a"} and custom["description"] == "Mine too"


def test_a_good_list_has_no_errors():
    good = ["amazon.nova-lite-v1:0", {"id": "us.amazon.nova-pro-v1:0"}, {"id": "b", "profile_arn": ARN}]
    assert models.model_errors(good, REGION, {"Application": "LibreChat"}) == []


@pytest.mark.parametrize(
    ("entries", "region", "expected"),
    [
        (["a"], None, "librechat_bedrock_region is required"),
        (["a"], "US East", "librechat_bedrock_region='US East' is not an AWS region name"),
        ([], REGION, "librechat_bedrock_models must be a non-empty list"),
        ("a", REGION, "librechat_bedrock_models must be a non-empty list"),
        ([""], REGION, "librechat_bedrock_models[0] is an empty string"),
        ([3], REGION, "librechat_bedrock_models[0]=3 must be a model ID string or a mapping"),
        ([{"profile": True}], REGION, "librechat_bedrock_models[0].id is missing"),
        ([{"id": "a", "profle": False}], REGION, "has unknown keys ['profle']"),
        (["a", {"id": "a"}], REGION, "the model ID 'a' is listed 2 times"),
        (
            [{"id": "a.b"}, {"id": "a:b"}],
            REGION,
            "a.b and a:b map to one profile name 'LibreChat-a-b'",
        ),
        (
            [{"id": "a", "env_var": "X"}, {"id": "b", "env_var": "X"}],
            REGION,
            "a and b use one env_var 'X'",
        ),
        ([{"id": "a", "env_var": "1BAD-NAME"}], REGION, "(a).env_var='1BAD-NAME' is not a valid environment variable"),
        (
            [{"id": "a", "profile_arn": "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x"}],
            REGION,
            "is not an application inference profile ARN",
        ),
        (
            [{"id": "a", "profile_arn": ARN.replace("us-east-1", "eu-west-1")}],
            REGION,
            "is in eu-west-1, but librechat_bedrock_region='us-east-1'",
        ),
        ([{"id": "a", "profile_arn": ARN, "profile": True}], REGION, "sets both profile: true and profile_arn"),
        ([{"id": "a", "profile_name": "bad name!"}], REGION, "(a).profile_name='bad name!' does not match"),
        ([{"id": "a", "description": "no, commas"}], REGION, "(a).description='no, commas' does not match"),
        ([{"id": "a", "tags": ["x"]}], REGION, "(a).tags=['x'] must be a mapping"),
        ([{"id": "a", "tags": {"k": "bad|value"}}], REGION, "(a).tags['k']='bad|value' does not match"),
        ([{"id": "a", "profile": "yes"}], REGION, "(a).profile='yes' must be true or false"),
        ([{"id": "a,b"}], REGION, "(a,b).description='LibreChat profile for a,b' does not match"),
    ],
)
def test_each_bad_input_is_named(entries, region, expected):
    errors = models.model_errors(entries, region)
    assert any(expected in error for error in errors), errors


def test_bad_common_tags_are_named():
    errors = models.model_errors(["a"], REGION, {"bad|key": "v"})
    assert errors and errors[0].startswith("librechat_bedrock_tags key='bad|key'")


def test_profile_specs_put_the_collection_tags_under_the_models_own():
    specs = models.profile_specs(
        ["plain", {"id": "m", "tags": {"Application": "Other", "Team": "a"}}, {"id": "g", "profile_arn": ARN}],
        {"Application": "LibreChat"},
    )
    assert specs == [
        {
            "name": "LibreChat-m",
            "model_source": "m",
            "description": "LibreChat profile for m",
            "tags": {"Application": "Other", "ManagedBy": "librechat.bedrock", "Team": "a"},
        }
    ]


def test_profile_arns_maps_created_and_given_in_order():
    created = [{"inference_profile_name": "LibreChat-m", "inference_profile_arn": "arn-m"}]
    mapping = models.profile_arns([{"id": "g", "profile_arn": ARN}, "plain", {"id": "m"}], created)
    assert list(mapping.items()) == [("g", ARN), ("m", "arn-m")]


def test_the_filters_are_the_functions():
    filters = FilterModule().filters()
    assert filters["profile_name"] is models.profile_name
    assert filters["model_errors"] is models.model_errors
    assert set(filters) == {
        "profile_name",
        "env_var_name",
        "normalize_models",
        "model_errors",
        "profile_specs",
        "profile_arns",
        "region_error",
        "bedrock_section",
        "bedrock_yaml",
        "managed_tags",
        "profile_env",
    }


def test_managed_tags_add_the_marker_the_purge_finds():
    # one home, where the modules can import it too, and the filter registers that very function
    assert FilterModule().filters()["managed_tags"] is rules.managed_tags
    assert (
        rules.managed_tags({}) == {rules.MANAGED_TAG_KEY: rules.MANAGED_TAG_VALUE} == {"ManagedBy": "librechat.bedrock"}
    )
    assert rules.managed_tags(None) == rules.managed_tags({})
    # the marker wins: a profile the collection created is always one a later run finds
    assert rules.managed_tags({"ManagedBy": "me", "Team": "a"}) == {"ManagedBy": "librechat.bedrock", "Team": "a"}


def test_the_role_purges_by_the_marker_alone():
    text = (ROOT / "roles" / "inference_profiles" / "vars" / "main.yml").read_text()
    assert "librechat.bedrock.managed_tags" in yaml.safe_load(text)["_inference_profiles_managed_tags"]
    assert "ManagedBy" not in text.split("_inference_profiles_managed_tags:")[1]


def test_bedrock_section_and_env_for_librechat():
    entries = ["plain", {"id": "m", "env_var": "M_ARN"}, {"id": "g", "profile_arn": ARN}]
    arns = {"m": "arn-m", "g": ARN}
    section = models.bedrock_section(entries, arns, "env", ["us-east-1"], {"titleModel": "plain"})
    assert section == {
        "titleModel": "plain",
        "models": ["plain", "m", "g"],
        "inferenceProfiles": {"m": "${M_ARN}", "g": "${BEDROCK_PROFILE_G}"},
        "availableRegions": ["us-east-1"],
    }
    assert models.bedrock_section(entries, arns, "arn")["inferenceProfiles"] == {"m": "arn-m", "g": ARN}
    assert "availableRegions" not in models.bedrock_section(entries, arns)
    assert models.profile_env(entries, arns) == {"M_ARN": "arn-m", "BEDROCK_PROFILE_G": ARN}


def test_template_mode_writes_the_section_as_merge_mode_does():
    """bedrock_yaml (template mode) is merge mode's new file: switching from one mode to the other changes
    nothing in the section."""
    section = models.bedrock_section(
        ["plain", {"id": "m"}], {"m": "arn-m"}, "env", ["us-east-1"], {"titleModel": "plain", "streamRate": 35}
    )
    text = FilterModule().filters()["bedrock_yaml"](section, "1.3.17")
    assert text == librechat_yaml.merge(None, section, "1.3.17")
    assert jsyaml.load(text) == {"version": "1.3.17", "endpoints": {"bedrock": section}}
    templated = "cache: true\n" + text
    assert librechat_yaml.merge(templated, section, "1.3.17") == templated


def test_the_role_template_renders_the_section_with_bedrock_yaml():
    template = (ROOT / "roles" / "librechat_config" / "templates" / "librechat.yaml.j2").read_text()
    assert "_librechat_config_bedrock | librechat.bedrock.bedrock_yaml(librechat_config_version)" in template
    assert "to_nice_yaml" not in template
