"""The byte-preserving merge of librechat.yaml and .env, and the checks that run before anything is written."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.librechat.bedrock.plugins.plugin_utils import dotenv_file, librechat_checks, librechat_yaml

BEDROCK = {
    "models": ["us.anthropic.claude-3-7-sonnet-20250219-v1:0", "amazon.nova-lite-v1:0"],
    "inferenceProfiles": {"us.anthropic.claude-3-7-sonnet-20250219-v1:0": "${CLAUDE_ARN}"},
    "availableRegions": ["us-east-1"],
}
ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456"

COMMENTED = """# LibreChat configuration
version: 1.2.8   # unquoted on purpose: not ours to change
cache: true
interface: &ui
  privacyPolicy:
    externalUrl: 'https://example.com/privacy'
endpoints:
  # our custom endpoints
  custom:
    - name: "Mistral"
      apiKey: "${MISTRAL_API_KEY}"
      models: { default: ["mistral-tiny"] }
  bedrock:
    titleModel: "anthropic.claude-3-haiku-20240307-v1:0"   # kept
    models:
      - old-model

  # agents come last
  agents:
    disableBuilder: false
registration: *ui
"""


def outside(text):
    """The text with the endpoints.bedrock lines taken out."""
    first, last = librechat_yaml.span(text)
    lines = text.splitlines(keepends=True)
    return lines[:first] + lines[last + 1 :]


def test_merge_changes_only_the_bedrock_block():
    merged = librechat_yaml.merge(COMMENTED, dict(librechat_yaml.current_bedrock(COMMENTED), **BEDROCK))
    assert outside(merged) == outside(COMMENTED)
    data = yaml.safe_load(merged)
    assert data["endpoints"]["bedrock"] == {"titleModel": "anthropic.claude-3-haiku-20240307-v1:0", **BEDROCK}
    assert data["registration"] == data["interface"]
    assert librechat_yaml.merge(merged, data["endpoints"]["bedrock"]) == merged


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("version: '1.3.0'\n# note\ninterface:\n  a: 1\n", "version: '1.3.0'\n# note\ninterface:\n  a: 1\n"),
        ("version: '1.3.0'\nendpoints:\n  custom: []\n", "version: '1.3.0'\nendpoints:\n  custom: []\n"),
        ("version: '1.3.0'\nendpoints:\n", "version: '1.3.0'\n"),
        ("version: '1.3.0'\nendpoints: {}\n", "version: '1.3.0'\n"),
        (
            "version: '1.3.0'\r\nendpoints:\r\n    custom: []\r\n",
            "version: '1.3.0'\r\nendpoints:\r\n    custom: []\r\n",
        ),
        ("version: '1.3.0'", "version: '1.3.0'"),
    ],
)
def test_missing_sections_are_added_and_the_rest_kept(text, kept):
    merged = librechat_yaml.merge(text, BEDROCK)
    assert yaml.safe_load(merged)["endpoints"]["bedrock"] == BEDROCK
    assert merged.startswith(kept)
    assert librechat_yaml.merge(merged, BEDROCK) == merged


def test_the_indentation_of_the_file_is_followed():
    merged = librechat_yaml.merge("version: '1'\nendpoints:\n    custom: []\n", BEDROCK)
    assert "\n    bedrock:\n        # librechat.bedrock manages: models " in merged
    assert "\n        models:\n            - " in merged


def test_a_missing_file_gets_a_quoted_version():
    created = librechat_yaml.merge(None, BEDROCK, "1.3.17")
    assert created.startswith('version: "1.3.17"\n')
    assert yaml.safe_load(created)["version"] == "1.3.17"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: '1'\nendpoints: [bedrock]\n", "endpoints in librechat.yaml is list"),
        ("version: '1'\nendpoints:\n  bedrock: yes\n", "endpoints.bedrock in librechat.yaml is 'yes', not a mapping"),
        ("version: '1'\nendpoints: {custom: []}\n", "flow style"),
        ("version: '1'\nendpoints:\n  bedrock: &b\n    models: [a]\n", "defines a YAML anchor"),
        ("version: '1'\nendpoints:\n\tbedrock: {}\n", "is not valid YAML"),
        ("- a\n- b\n", "must be a mapping at the top level"),
        ("a: 1\n---\nb: 2\n", "several YAML documents"),
    ],
)
def test_files_that_cannot_be_merged_are_named(text, message):
    with pytest.raises(librechat_yaml.ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        librechat_yaml.merge(text, BEDROCK)


ENV = (
    "# LibreChat\n"
    "MONGO_URI=mongodb://mongodb:27017/LibreChat   \n"  # trailing spaces, kept
    """# BEDROCK_AWS_PROFILE=example-commented-out
export BEDROCK_AWS_DEFAULT_REGION=us-west-2
QUOTED="a value # with a hash"
BEDROCK_AWS_ACCESS_KEY_ID=AKIAOLD
BEDROCK_AWS_DEFAULT_REGION=eu-west-1
"""
)


def test_env_edit_keeps_every_other_line_and_reads_back():
    wanted = {"BEDROCK_AWS_DEFAULT_REGION": "us-east-1", "CLAUDE_ARN": ARN, "BEDROCK_AWS_BEARER_TOKEN": "t0k en$"}
    edited = dotenv_file.edit(ENV, wanted, remove=["BEDROCK_AWS_ACCESS_KEY_ID"])
    lines = edited.splitlines(keepends=True)
    assert lines[:3] == ENV.splitlines(keepends=True)[:3]
    assert lines[3] == "export BEDROCK_AWS_DEFAULT_REGION=us-east-1\n"
    assert lines[4] == 'QUOTED="a value # with a hash"\n'
    parsed = dotenv_file.parse(edited)
    assert {k: parsed[k] for k in wanted} == wanted
    assert "BEDROCK_AWS_ACCESS_KEY_ID" not in parsed
    assert parsed["QUOTED"] == "a value # with a hash"
    assert "BEDROCK_AWS_BEARER_TOKEN='t0k en$'" in edited
    assert dotenv_file.edit(edited, wanted, remove=["BEDROCK_AWS_ACCESS_KEY_ID"]) == edited


def test_keys_managed_before_and_no_longer_wanted_are_removed():
    first = dotenv_file.edit("A=1\n", {"X_ARN": ARN, "Y_ARN": ARN})
    second = dotenv_file.edit(first, {"X_ARN": ARN})
    assert dotenv_file.parse(second) == {"A": "1", "X_ARN": ARN}
    assert dotenv_file.managed_keys(second) == ["X_ARN"]


def test_unrecorded_keys_are_set_but_not_remembered():
    edited = dotenv_file.edit(
        "ENDPOINTS=openAI\n", {"ENDPOINTS": "openAI,bedrock", "R": "us-east-1"}, unrecorded=["ENDPOINTS"]
    )
    assert dotenv_file.managed_keys(edited) == ["R"]
    assert dotenv_file.parse(dotenv_file.edit(edited, {"R": "us-east-1"}))["ENDPOINTS"] == "openAI,bedrock"


def test_values_dotenv_cannot_read_back_are_refused():
    with pytest.raises(dotenv_file.EnvError, match="SECRET"):
        dotenv_file.quote("SECRET", "it's\nmultiline")


def test_masked_hides_values_but_shows_changes():
    text = "A=secret\nB=public\n"
    assert dotenv_file.masked(text, shown=["B"], changed=["A"]) == "A=******** (changed)\nB=public\n"


def test_dotenv_rules():
    parsed = dotenv_file.parse('A="x y"\nB=\'${C}\'\n# D=1\nE=a#b\nF="line1\\nline2"\nexport G = g \n')
    assert parsed == {"A": "x y", "B": "${C}", "E": "a", "F": "line1\nline2", "G": "g"}


def test_checks_name_the_problem():
    bedrock = {
        "models": ["us.Anthropic.x"],
        "inferenceProfiles": {
            "us.anthropic.x": "${MISSING}",
            "other": "arn:aws:bedrock:eu-west-1:1:foundation-model/x",
        },
        "availableRegions": ["us-east-1", "us-west-2"],
    }
    errors, warnings = librechat_checks.mapping_errors(bedrock, {"MISSING": ""}, "us-east-1")
    assert any("'us.anthropic.x' is not in endpoints.bedrock.models (models has 'us.Anthropic.x'" in e for e in errors)
    assert any("${MISSING} but .env does not give MISSING a value" in e for e in errors)
    assert any("is not an application inference profile ARN" in e for e in errors)
    assert warnings and "us-west-2" in warnings[0]
    errors, _warnings = librechat_checks.mapping_errors(
        {"models": ["m"], "inferenceProfiles": {"m": "${M}"}}, {"M": ARN.replace("us-east-1", "eu-west-1")}, "us-east-1"
    )
    assert "LibreChat would answer 'Profile not found'" in errors[0]


def test_schema_checks():
    from ansible_collections.librechat.bedrock.plugins.plugin_utils import config_schema

    assert "quote it" in config_schema.judge("version: 1.3\n").errors[0]
    errors = config_schema.judge(
        "version: '1'\nendpoints:\n  bedrock:\n    guardrailConfig: {guardrailIdentifier: g, trace: on}\n"
        "    streamRate: x\n"
    ).errors
    assert any("guardrailVersion is required" in e for e in errors)
    assert any("trace must be one of" in e for e in errors)
    assert any("streamRate expected number" in e for e in errors)


def test_compose_mounts_reads_both_volume_syntaxes():
    from ansible_collections.librechat.bedrock.plugins.plugin_utils.deployment import compose_mounts

    compose = {
        "services": {
            "api": {
                "volumes": [
                    "./.env:/app/.env",
                    {"type": "bind", "source": "./librechat.yaml", "target": "/app/librechat.yaml"},
                    "named-volume",
                ]
            }
        }
    }
    assert compose_mounts(compose, "api") == ["/app/.env", "/app/librechat.yaml"]
    assert compose_mounts(compose, "mongodb") == []
    assert compose_mounts(None, "api") == []
    assert compose_mounts({"services": {"api": None}}, "api") == []
