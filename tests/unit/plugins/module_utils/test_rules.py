"""The pure rules (module_utils/rules.py): the API's constraints (kept equal to botocore's model), input
messages, ARN parsing, partitions, durations, and the copies YAML holds of the collection's defaults."""

from __future__ import annotations

import pathlib
import re

import botocore.session
import pytest
import yaml

from ansible_collections.librechat.bedrock.plugins.module_utils import rules

MODEL = botocore.session.get_session().get_service_model("bedrock")
ROOT = pathlib.Path(rules.__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("shape", "pattern", "maximum"),
    [
        ("InferenceProfileName", rules.NAME_PATTERN, rules.NAME_MAX),
        ("InferenceProfileDescription", rules.DESCRIPTION_PATTERN, rules.DESCRIPTION_MAX),
        ("TagKey", rules.TAG_PATTERN, rules.TAG_KEY_MAX),
        ("TagValue", rules.TAG_PATTERN, rules.TAG_VALUE_MAX),
    ],
)
def test_constraints_equal_botocores_model(shape, pattern, maximum):
    metadata = MODEL.shape_for(shape).metadata
    assert metadata["pattern"] == pattern
    assert metadata["max"] == maximum
    assert MODEL.shape_for("TagList").metadata["max"] == rules.TAGS_MAX


@pytest.mark.parametrize("name", ["LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0", "a", "A b_c-d", "x" * 64])
def test_valid_names_pass(name):
    assert rules.name_error(name) is None


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("LibreChat claude 3.7!", "for example 'LibreChat-claude-3-7'"),
        ("x" * 65, "65 characters long; Bedrock allows at most 64"),
        ("", "must not be empty"),
        ("double  space", "does not match"),
    ],
)
def test_bad_names_say_value_and_fix(name, fragment):
    message = rules.name_error(name)
    assert message.startswith("name=") or "empty" in message
    assert fragment in message


def test_suggested_names_are_valid_and_follow_the_seed():
    assert rules.suggest_name("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "LibreChat-") == (
        "LibreChat-us-anthropic-claude-3-7-sonnet-20250219-v1-0"
    )
    for text in ("!!!", "a" * 100, "us.amazon.nova-pro-v1:0"):
        assert rules.name_error(rules.suggest_name(text)) is None


def test_description_and_tag_errors():
    assert rules.description_error("Custom inference profile for LibreChat-claude") is None
    assert "no commas" in rules.description_error("a, b")
    assert rules.tags_errors({"Application": "LibreChat", "Empty": ""}) == []
    errors = rules.tags_errors({"bad,key": "v", "k": "bad,value", "x" * 129: "v"})
    assert len(errors) == 3
    assert any("tags key='bad,key'" in e for e in errors)
    assert any("tags['k']='bad,value'" in e for e in errors)
    assert any("129 characters long" in e for e in errors)
    assert "201 tags" in rules.tags_errors({f"k{i}": "v" for i in range(201)})[0]


def test_arn_parsing():
    app = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefabcdef"
    system = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
    assert rules.is_application_profile_arn(app)
    assert not rules.is_application_profile_arn(system)
    assert not rules.is_application_profile_arn("us.amazon.nova-pro-v1:0")
    assert rules.parse_profile_arn(system)["region"] == "eu-west-1"
    fm = "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0"
    assert rules.foundation_model_id(fm) == "amazon.nova-pro-v1:0"
    assert rules.foundation_model_id(app) is None
    assert rules.SYSTEM_PROFILE_ID.match("global.anthropic.claude-opus-4-5-20251101-v1:0")
    assert not rules.SYSTEM_PROFILE_ID.match("anthropic.claude-3-haiku-20240307-v1:0")


def test_sources_and_tags_that_can_never_work_are_named_without_a_call():
    app = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefabcdef"
    message = rules.model_source_error(app)
    assert f"model_source={app!r}" in message and "system inference profile ID" in message
    assert rules.model_source_error("us.amazon.nova-pro-v1:0") is None
    errors = rules.tags_errors({"aws:cloudformation:stack-name": "x", "Team": "a"})
    assert errors == [
        "tags key='aws:cloudformation:stack-name' starts with 'aws:', which AWS reserves for its own tags: rename "
        "the tag (for example 'cloudformation:stack-name')"
    ]
    assert rules.tags_errors({"AWS:x": "y"}, option="profiles[0] (a).tags")[0].startswith("profiles[0] (a).tags")
    assert rules.tags_errors({"aws:x": "y"}, reserved_ok=True) == []


def yaml_of(relative: str):
    return yaml.safe_load((ROOT / relative).read_text())


def role_options(role: str) -> dict:
    return yaml_of(f"roles/{role}/meta/argument_specs.yml")["argument_specs"]["main"]["options"]


def jinja_defaults(variable: str) -> list[tuple[str, str]]:
    """Every `<variable> | default(<literal>)` in the roles' YAML: (file, literal)."""
    found = []
    pattern = re.compile(re.escape(variable) + r" \| default\((?P<literal>\{[^}]*\}|'[^']*')\)")
    for path in sorted(ROOT.glob("roles/**/*.yml")):
        found += [(str(path.relative_to(ROOT)), m["literal"]) for m in pattern.finditer(path.read_text())]
    return found


def test_the_default_tags_are_the_same_wherever_yaml_holds_them():
    """YAML cannot import rules.DEFAULT_TAGS: the shared argument spec (copied into each role's) and every Jinja
    fallback hold it as a literal, and each must be this one."""
    assert yaml_of("meta/shared_argument_specs.yml")["librechat_bedrock_tags"]["spec"]["default"] == rules.DEFAULT_TAGS
    for role in ("inference_profiles", "invocation_logging", "usage"):
        assert role_options(role)["librechat_bedrock_tags"]["default"] == rules.DEFAULT_TAGS, role
    fallbacks = jinja_defaults("librechat_bedrock_tags")
    assert len(fallbacks) >= 3
    for where, literal in fallbacks:
        assert literal == "{}" or yaml.safe_load(literal) == rules.DEFAULT_TAGS, where


def test_the_log_group_default_is_the_same_wherever_yaml_holds_it():
    """invocation_logs_info defaults to rules.DEFAULT_LOG_GROUP_NAME; the invocation_logging role's default and
    argument spec, and the verify role's fallback, hold it as a literal."""
    name = rules.DEFAULT_LOG_GROUP_NAME
    assert yaml_of("roles/invocation_logging/defaults/main.yml")["invocation_logging_log_group_name"] == name
    assert role_options("invocation_logging")["invocation_logging_log_group_name"]["default"] == name
    fallbacks = jinja_defaults("invocation_logging_log_group_name")
    assert len(fallbacks) >= 2  # verify's default and its argument spec
    assert {literal for _where, literal in fallbacks} == {repr(name)}


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("eu-west-3", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_a_region_is_in_its_partition(region, partition):
    assert rules.partition_of_region(region) == partition
    arn = rules.foundation_model_arn(partition, region, "amazon.nova-pro-v1:0")
    assert rules.foundation_model_id(arn) == "amazon.nova-pro-v1:0"


@pytest.mark.parametrize(
    ("text", "units", "positive", "seconds"),
    [
        ("90s", "smhdw", False, 90),
        (" 5 m ", "smhdw", False, 300),
        ("1h", "smhdw", False, 3600),
        ("2d", "smhdw", False, 172800),
        ("1w", "smhdw", False, 604800),
        ("0m", "smhdw", False, 0),
        ("0m", "mhdw", True, None),
        ("07d", "mhdw", True, None),
        ("30s", "mhdw", True, None),
        ("24h", "mhdw", True, 86400),
        ("24", "smhdw", False, None),
        ("1y", "smhdw", False, None),
        ("5M", "smhdw", False, None),
        (None, "smhdw", False, None),
    ],
)
def test_durations(text, units, positive, seconds):
    assert rules.duration_seconds(text, units, positive) == seconds


def test_the_usage_roles_profile_arn_check_is_the_rule():
    """The usage role's preflight names usage_profile_arns before the module runs; its pattern is PROFILE_ARN."""
    assert yaml_of("roles/usage/vars/main.yml")["_usage_profile_arn_pattern"] == rules.PROFILE_ARN.pattern


@pytest.mark.parametrize("text", ["1m", "90m", "24h", "7d", "2w", "0m", "07d", "30s", "24", "h", "1.5h", "7D", "455d"])
def test_the_usage_roles_window_check_is_the_rule(text):
    """The usage role's preflight names usage_window before inference_profile_usage_info runs: it accepts a window
    exactly when the module's rule does (the module also strips surrounding spaces, which the role refuses)."""
    preflight = (ROOT / "roles" / "usage" / "tasks" / "preflight.yml").read_text()
    pattern = re.search(r"usage_window \| string is match\('([^']+)'\)", preflight).group(1)
    assert bool(re.match(pattern, text)) == (rules.duration_seconds(text, units="mhdw", positive=True) is not None)


def test_the_bedrock_credential_keys_are_the_same_wherever_yaml_and_javascript_hold_them():
    auth_keys = yaml_of("roles/librechat_config/vars/main.yml")["_librechat_config_auth_keys"]
    assert {key for keys in auth_keys.values() for key in keys} == set(rules.BEDROCK_CREDENTIAL_KEYS)
    assert auth_keys["static"] == list(rules.BEDROCK_STATIC_KEYS)
    script = (ROOT / "roles" / "verify" / "files" / "librechat_process.js").read_text()
    secret = re.search(r"const SECRET = \[([^\]]*)\]", script).group(1)
    # the secret ones: every credential but the profile's name
    assert re.findall(r"'([A-Z_]+)'", secret) == [
        k for k in rules.BEDROCK_CREDENTIAL_KEYS if k != "BEDROCK_AWS_PROFILE"
    ]
