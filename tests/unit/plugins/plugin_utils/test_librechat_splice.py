"""The bedrock section is changed key by key: the keys the collection does not set keep their text, an alias
for the section is refused (never a second `bedrock:` key), and the marker comment lets a later run remove
what the collection wrote and keep what the user wrote. Results are judged by LibreChat's js-yaml and
configSchema (tests/librechat_schema) when Node.js is here."""

from __future__ import annotations

import pytest
from librechat_schema import node

from ansible_collections.librechat.bedrock.plugins.plugin_utils import config_schema, jsyaml, librechat_yaml

USER_SECTION = """version: 1.3.17
endpoints:
  custom: []
  bedrock:
    titleConvo: yes   # the user's, a string for LibreChat
    streamRate: 1:30
    titlePrompt: >-
      Folded
      text
    inferenceProfiles:
      their.model: "arn:aws:bedrock:us-east-1:1:application-inference-profile/theirs"
    models:
      - old
  agents: {}
"""
WANTED = {"models": ["a", "their.model"], "inferenceProfiles": {"a": "${A_ARN}"}}


def test_keys_the_collection_does_not_set_keep_their_text():
    merged = librechat_yaml.merge(USER_SECTION, WANTED)
    for line in ("    titleConvo: yes   # the user's, a string for LibreChat\n", "    streamRate: 1:30\n"):
        assert line in merged
    assert "    titlePrompt: >-\n      Folded\n      text\n" in merged
    section = jsyaml.load(merged)["endpoints"]["bedrock"]
    assert section["titleConvo"] == "yes" and section["streamRate"] == "1:30"
    assert section["models"] == ["a", "their.model"]
    # the user's entry for a model the collection does not map is kept, next to the collection's
    assert section["inferenceProfiles"] == {
        "their.model": "arn:aws:bedrock:us-east-1:1:application-inference-profile/theirs",
        "a": "${A_ARN}",
    }
    assert librechat_yaml.merge(merged, WANTED) == merged


def test_what_the_collection_wrote_before_and_no_longer_wants_is_removed():
    first = librechat_yaml.merge(USER_SECTION, {**WANTED, "titleMethod": "completion"})
    assert librechat_yaml.recorded(first) == (["models", "titleMethod"], ["a"])
    second = librechat_yaml.merge(first, {"models": ["b"], "inferenceProfiles": {"b": "${B_ARN}"}})
    section = jsyaml.load(second)["endpoints"]["bedrock"]
    assert "titleMethod" not in section
    assert set(section["inferenceProfiles"]) == {"their.model", "b"}
    third = librechat_yaml.merge(second, {"models": ["b"]})
    assert jsyaml.load(third)["endpoints"]["bedrock"]["inferenceProfiles"] == {
        "their.model": "arn:aws:bedrock:us-east-1:1:application-inference-profile/theirs"
    }
    assert "titleConvo: yes   # the user's" in third


def test_an_unchanged_managed_key_keeps_its_text():
    text = "version: '1'\nendpoints:\n  bedrock:\n    models: [a, b]   # flow, the user's layout\n"
    merged = librechat_yaml.merge(text, {"models": ["a", "b"]})
    assert "    models: [a, b]   # flow, the user's layout\n" in merged


def test_a_merge_key_in_the_section_is_kept_and_overridden():
    text = USER_SECTION.replace("    streamRate: 1:30\n", "    streamRate: 1:30\n    <<: *defaults\n").replace(
        "endpoints:\n", "defaults: &defaults\n  titleModel: base-model\nendpoints:\n", 1
    )
    merged = librechat_yaml.merge(text, {**WANTED, "titleModel": "mine"})
    assert "    <<: *defaults\n" in merged
    assert jsyaml.load(merged)["endpoints"]["bedrock"]["titleModel"] == "mine"
    kept = librechat_yaml.merge(text, WANTED)
    assert kept.count("titleModel") == 1  # the merged-in key is not copied into the section


def test_an_anchor_in_a_key_the_collection_does_not_set_is_fine():
    text = "version: '1'\nendpoints:\n  bedrock:\n    availableRegions: &r [us-east-1]\n  x: *r\n"
    merged = librechat_yaml.merge(text, {"models": ["a"]})
    assert "    availableRegions: &r [us-east-1]\n" in merged


ALIASES = [
    (
        "version: '1'\nshared: &b\n  models: [a]\nendpoints:\n  bedrock: *b\n",
        "endpoints.bedrock in librechat.yaml is an alias",
    ),
    (
        "version: '1'\neps: &e\n  bedrock: {}\nendpoints: *e\n",
        "endpoints in librechat.yaml is an alias",
    ),
    (
        "version: '1'\nendpoints:\n  bedrock:\n    models: &m [a]\n  other: *m\n",
        "endpoints.bedrock.models in librechat.yaml defines a YAML anchor",
    ),
]


@pytest.mark.parametrize(("text", "message"), ALIASES)
def test_aliases_and_anchors_the_splice_would_break_are_refused(text, message):
    with pytest.raises(librechat_yaml.ConfigError) as raised:
        librechat_yaml.merge(text, {"models": ["b"]})
    assert message in str(raised.value)
    assert "fix" in str(raised.value) or "move" in str(raised.value) or "write the block" in str(raised.value)


def test_a_duplicate_key_in_the_file_is_refused_before_merging():
    text = "version: '1'\nendpoints:\n  bedrock:\n    models: [a]\n  bedrock:\n    models: [b]\n"
    with pytest.raises(librechat_yaml.ConfigError, match=r"'bedrock' is given twice .*lines 3 and 5"):
        librechat_yaml.merge(text, {"models": ["c"]})


SHAPES = [
    None,
    "",
    "version: '1.3.17'\n",
    "version: '1.3.17'\nendpoints:\n",
    "version: '1.3.17'\nendpoints: {}\n",
    "version: '1.3.17'\nendpoints:\n  bedrock:\n",
    "version: '1.3.17'\nendpoints:\n  bedrock: {titleConvo: true, streamRate: 1}\n",
    USER_SECTION.replace("titleConvo: yes", "titleConvo: true").replace("1:30", "25"),
    "version: '1.3.17'\r\nendpoints:\r\n  bedrock:\r\n    titleModel: t\r\n",
]


def test_every_result_is_accepted_by_librechat():
    merged = [librechat_yaml.merge(text, WANTED) for text in SHAPES]
    for text in merged:
        assert config_schema.judge(text).ok, (text, config_schema.judge(text).errors)
    results = node.batch(merged)["yaml"]
    for text, found in zip(merged, results):
        assert found["valid"], (text, found["errors"])
        assert found["loaded"] == jsyaml.load(text), text
