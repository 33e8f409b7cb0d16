"""The gate before writing is LibreChat's own: js-yaml's reading (YAML 1.2 core schema, duplicate keys refused)
and configSchema.strict() from the pinned librechat-data-provider, through the generated JSON Schema. Each
case is cross-checked against the real npm packages (tests/librechat_schema/check.js) when Node.js is here."""

from __future__ import annotations

import datetime
import math
import subprocess
from pathlib import Path

import pytest
from librechat_schema import node

from ansible_collections.librechat.bedrock.plugins.plugin_utils import config_schema, jsyaml

ROOT = Path(__file__).resolve().parents[4]

# Scalars whose meaning differs between YAML 1.1 (PyYAML's default) and js-yaml 4 (LibreChat's).
SCALARS = {
    "yes": "yes",
    "no": "no",
    "on": "on",
    "off": "off",
    "y": "y",
    "True": True,
    "FALSE": False,
    "1:30": "1:30",
    "0o17": 15,
    "017": 17,
    "0x1F": 31,
    "0b101": 5,
    "-0b1": -1,
    "1_000": "1_000",
    "1e3": 1000.0,
    "1.": 1.0,
    ".5": 0.5,
    "+12": 12,
    "~": None,
    "Null": None,
    "null": None,
    "": None,
    ".inf": math.inf,
    "-.Inf": -math.inf,
    "+.inf": math.inf,
    "1.3.17": "1.3.17",
    "1.3": 1.3,
    "'1.3'": "1.3",
    '"yes"': "yes",
    "2024-01-02": datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc),
    "2024-1-2 3:04:05.5 +01:00": datetime.datetime(2024, 1, 2, 2, 4, 5, 500000, tzinfo=datetime.timezone.utc),
    "<<": "<<",
}


def _js(value):
    """A Python value as check.js reports it (a date as {"$date": ISO})."""
    if isinstance(value, datetime.datetime):
        return {"$date": value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"}
    return value


@pytest.mark.parametrize(("text", "expected"), list(SCALARS.items()))
def test_scalars_read_as_js_yaml_does(text, expected):
    value = jsyaml.load(f"k: {text}\n" if text != "<<" else "k: <<\n")["k"]
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(value)
    else:
        assert value == expected and type(value) is type(expected)


def test_scalars_cross_checked_with_js_yaml():
    texts = [f"k: {text}\n" for text in SCALARS]
    result = node.batch(texts)
    for text, found in zip(SCALARS, result["yaml"]):
        assert found["parse_error"] is None, text
        assert found["loaded"] == {"k": _js(jsyaml.load(f"k: {text}\n")["k"])}, text


DUPLICATES = [
    ("version: '1'\nversion: '2'\n", "version", 2),
    ("version: '1'\nendpoints:\n  bedrock: {}\n  bedrock: {}\n", "bedrock", 4),
    ("a:\n  b: 1\n  'b': 2\n", "b", 3),
    ("1: a\n'1': b\n", "1", 2),
    ("true: a\n'true': b\n", "true", 2),
]


@pytest.mark.parametrize(("text", "key", "line"), DUPLICATES)
def test_a_duplicate_key_is_an_error_naming_key_and_line(text, key, line):
    with pytest.raises(jsyaml.ParseError) as raised:
        jsyaml.load(text)
    assert f"the key {key!r} is given twice" in str(raised.value)
    assert raised.value.line == line


MERGES = [
    "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\n",
    "base: &b {x: 1}\nm:\n  x: 3\n  <<: *b\n",
    "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm:\n  <<: [*a, *b]\n",
    "base: &b {x: 1}\nm:\n  <<: *b\n  <<: {z: 1}\n",
]


@pytest.mark.parametrize("text", MERGES)
def test_merge_keys_override_without_a_duplicate_error(text):
    assert isinstance(jsyaml.load(text)["m"], dict)


def test_duplicates_and_merges_cross_checked_with_js_yaml():
    texts = [t for t, _k, _l in DUPLICATES] + MERGES + ["a: 1\n---\nb: 2\n", "a: [\n"]
    result = node.batch(texts)["yaml"]
    for text, found in zip(texts, result):
        try:
            mine = jsyaml.load(text)
        except jsyaml.ParseError:
            assert found["parse_error"], text
        else:
            assert found["parse_error"] is None, text
            assert found["loaded"] == mine, text


VALID = "version: 1.3.17\ncache: true\nendpoints:\n  bedrock:\n    models: [a]\n    inferenceProfiles: {a: '${A}'}\n"
FILES = {
    "valid": VALID,
    "version missing": "cache: true\n",
    "version a number": "version: 1.3\n",
    "version a date": "version: 2024-01-01\n",
    "unknown top-level key": "version: '1.3.17'\nbedrock: {}\n",
    "unknown endpoint": "version: '1.3.17'\nendpoints:\n  bedrok: {}\n",
    "bad guardrail enum": (
        "version: '1'\nendpoints:\n  bedrock:\n    guardrailConfig:\n      guardrailIdentifier: g\n"
        "      guardrailVersion: '1'\n      trace: on\n"
    ),
    "guardrail without version": (
        "version: '1'\nendpoints:\n  bedrock:\n    guardrailConfig: {guardrailIdentifier: g}\n"
    ),
    "titleConvo yes": "version: '1'\nendpoints:\n  bedrock:\n    titleConvo: yes\n",
    "streamRate 1:30": "version: '1'\nendpoints:\n  bedrock:\n    streamRate: 1:30\n",
    "streamRate negative": "version: '1'\nendpoints:\n  bedrock:\n    streamRate: -1\n",
    "unknown bedrock key is stripped": "version: '1'\nendpoints:\n  bedrock:\n    somethingNew: 1\n",
    "models not a list": "version: '1'\nendpoints:\n  bedrock:\n    models: a\n",
    "profile not a string": "version: '1'\nendpoints:\n  bedrock:\n    inferenceProfiles: {a: 1}\n",
    "interface ok": "version: '1'\ninterface:\n  privacyPolicy:\n    externalUrl: 'https://example.com/p'\n",
    "custom endpoint": (
        "version: '1'\nendpoints:\n  custom:\n    - name: Mistral\n      apiKey: '${MISTRAL_API_KEY}'\n"
        "      baseURL: https://api.mistral.ai/v1\n      models: {default: [mistral-tiny]}\n"
    ),
    "custom endpoint without models": "version: '1'\nendpoints:\n  custom:\n    - name: M\n      apiKey: k\n",
    "duplicate key": "version: '1'\nversion: '2'\n",
    "empty file": "",
    "comment only": "# nothing\n",
    "a list": "- a\n",
    "a string": "hello\n",
    "unicode name": (
        "version: '1'\nendpoints:\n  custom:\n    - name: Ünïcode ñame\n      apiKey: k\n      baseURL: x\n"
    ),
}


VALID_NAMES = (
    "valid",
    "unknown bedrock key is stripped",
    "interface ok",
    "custom endpoint",
    "custom endpoint without models",
    "unicode name",
)


@pytest.mark.parametrize("name", list(FILES))
def test_whole_files_judged_as_librechat_does(name):
    verdict = config_schema.judge(FILES[name])
    expected_ok = name in VALID_NAMES
    assert verdict.ok is expected_ok, verdict.errors
    if not expected_ok:
        assert verdict.errors


def test_whole_files_cross_checked_with_config_schema():
    names = list(FILES)
    result = node.batch([FILES[n] for n in names])["yaml"]
    for name, found in zip(names, result):
        verdict = config_schema.judge(FILES[name])
        librechat_ok = found["valid"] and bool(found["loaded"])
        assert verdict.ok is librechat_ok, (name, verdict.errors, found["errors"])


def test_the_evaluator_knows_every_keyword_of_the_schema():
    # validate() raises on an unknown keyword; walking the whole schema with a value of each type proves none.
    def walk(node):
        if isinstance(node, dict):
            assert not set(node) - config_schema.KEYWORDS - config_schema.ANNOTATIONS, set(node)
            for key, item in node.items():
                if key == "properties":
                    for sub in item.values():
                        walk(sub)
                elif key in ("items", "additionalProperties", "not") and isinstance(item, dict):
                    walk(item)
                elif key in ("anyOf", "allOf") or (key == "items" and isinstance(item, list)):
                    for sub in item:
                        walk(sub)

    walk(config_schema.schema())


def test_the_schema_is_the_pinned_data_provider():
    document = config_schema.document()
    assert document["librechat_data_provider"] == "0.8.524"
    assert document["config_version"] == "1.3.17"


def test_the_schema_file_is_current():
    node.require()
    subprocess.run(["node", str(ROOT / "tests" / "librechat_schema" / "gen_schema.js"), "--check"], check=True)


# A pattern of the schema (a name), with JavaScript's \p{...} classes.
NAME_PATTERN = "^[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M}'\u2019 -]*$"


@pytest.mark.parametrize(
    ("pattern", "text", "ok"),
    [
        (NAME_PATTERN, "Ünï cöde", True),
        (NAME_PATTERN, "-x", False),
        (r"^\S+$", "a b", False),
        (r"^[a-f\d]{24}$", "0123456789abcdef01234567", True),
    ],
)
def test_ecmascript_patterns(pattern, text, ok):
    assert bool(config_schema._regex(pattern).search(text)) is ok


def test_string_lengths_count_utf16_units():
    assert config_schema.validate("😀", {"type": "string", "maxLength": 1})
    assert not config_schema.validate("😀", {"type": "string", "maxLength": 2})


def test_integers_follow_javascript():
    assert not config_schema.validate(1.0, {"type": "integer"})
    assert config_schema.validate(1.5, {"type": "integer"})
    assert config_schema.validate(True, {"type": "number"})
    assert config_schema.validate(math.nan, {"type": "number"})
