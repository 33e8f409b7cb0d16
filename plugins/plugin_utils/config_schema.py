# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Judge a whole librechat.yaml as the pinned LibreChat does (packages/api/src/app/loader.ts): js-yaml's `load()`
(see jsyaml.py), then `configSchema.strict().safeParse()`.

The schema is librechat_config_schema.json next to this file: librechat-data-provider's `configSchema` turned into
JSON Schema by tests/librechat_schema/gen_schema.js (lint checks that it is current). This is a small evaluator of
exactly the keywords that file uses, with JavaScript's rules where they differ from Python's (a number is an
integer when it has no fraction, string lengths count UTF-16 units, regular expressions are ECMAScript's); an
unknown keyword is an error, so a schema update that needs more cannot pass unnoticed.
"""

import datetime
import difflib
import functools
import json
import math
import os
import re
import sys
import unicodedata

from ansible_collections.librechat.bedrock.plugins.plugin_utils import jsyaml

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "librechat_config_schema.json")
# Keywords that only annotate; they never make a value invalid.
ANNOTATIONS = {"default", "description", "title", "$schema", "examples"}
KEYWORDS = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "allOf",
    "not",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "format",
}
PARSE, SCHEMA = "parse", "schema"


@functools.lru_cache(maxsize=1)
def document():
    """The generated file: the schema and the versions it was made from."""
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def config_version():
    """The `version` of a librechat.yaml for the LibreChat release the schema comes from (its configSchema's
    current version): what a file this collection creates says."""
    return document()["config_version"]


def schema():
    return document()["schema"]


# -------------------------------------------------------------------------------------------- JavaScript rules


def js_type(value):
    """The JSON Schema type of a value js-yaml built (None for what JSON has no type for, such as a date)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return None


def _is_type(value, name):
    kind = js_type(value)
    if name == "integer":
        # zod's .int() is Number.isInteger: 1.0 is an integer in JavaScript, NaN and Infinity are not.
        return kind == "number" and math.isfinite(value) and float(value).is_integer()
    if name == "number":
        # zod's z.number() rejects NaN
        return kind == "number" and not (isinstance(value, float) and math.isnan(value))
    return kind == name


def _utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


@functools.cache
def _category_class(prefix):
    """A character class body for \\p{L}, \\p{N} or \\p{M} (Python's re has no \\p): the ranges of every code
    point whose Unicode category starts with `prefix`. Built once, only for the patterns that use it."""
    ranges = []
    start = None
    for code in range(sys.maxunicode + 1):
        inside = unicodedata.category(chr(code)).startswith(prefix)
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append((start, code - 1))
            start = None
    if start is not None:
        ranges.append((start, sys.maxunicode))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@functools.cache
def _regex(pattern):
    """An ECMAScript pattern as a Python one: ASCII \\d \\w \\s classes as in JavaScript, \\p{X} expanded."""
    # Inside a character class the expansion goes in bare; outside it needs brackets of its own.
    text = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            match = re.match(r"\\p\{([LNM])\}", pattern[index:])
            if match:
                body = _category_class(match.group(1))
                text.append(body if in_class else f"[{body}]")
                index += len(match.group(0))
                continue
            text.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        text.append(char)
        index += 1
    return re.compile("".join(text), re.ASCII)


URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")


def _format_ok(value, name):
    if name == "uri":
        # zod's .url() is `new URL(value)` succeeding: a scheme and no blank
        return bool(URI.match(value))
    return True


# -------------------------------------------------------------------------------------------- evaluation


def _where(path):
    return ".".join(str(part) for part in path) or "(top level)"


def _describe(value):
    if isinstance(value, datetime.datetime):
        return "a date (js-yaml reads an unquoted YYYY-MM-DD as a timestamp)"
    kind = js_type(value)
    if kind in ("object", "array"):
        return f"an {kind}"
    return f"{kind} {json.dumps(value, ensure_ascii=False)}"


def _types_text(types):
    return " or ".join(types)


def validate(value, node, path=()):
    """The errors of `value` against schema `node`: a list of (path tuple, message)."""
    unknown = set(node) - KEYWORDS - ANNOTATIONS
    if unknown:
        raise ValueError(f"the LibreChat schema uses keywords this evaluator does not know: {sorted(unknown)}")
    errors = []
    types = node.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(_is_type(value, name) for name in types):
            return [(path, f"expected {_types_text(types)}, got {_describe(value)}")]
    if "const" in node and not _equal(value, node["const"]):
        return [(path, f"must be {json.dumps(node['const'])}, got {_describe(value)}")]
    if "enum" in node and not any(_equal(value, item) for item in node["enum"]):
        choices = ", ".join(json.dumps(item) for item in node["enum"])
        return [(path, f"must be one of {choices}, got {_describe(value)}")]
    if "anyOf" in node:
        errors.extend(_any_of(value, node["anyOf"], path))
    for sub in node.get("allOf", ()):
        errors.extend(validate(value, sub, path))
    if "not" in node and not validate(value, node["not"], path):
        errors.append((path, f"is not allowed here ({_describe(value)})"))
    if _is_type(value, "number"):
        errors.extend(_number(value, node, path))
    if isinstance(value, str):
        errors.extend(_string(value, node, path))
    if isinstance(value, list):
        errors.extend(_array(value, node, path))
    if isinstance(value, dict):
        errors.extend(_object(value, node, path))
    return errors


def _equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b and js_type(a) == js_type(b)


def _any_of(value, options, path):
    results = [validate(value, option, path) for option in options]
    if any(not result for result in results):
        return []
    # The branch of the right type explains best; among those, the one with the fewest problems.
    typed = [r for r in results if not (len(r) == 1 and r[0][1].startswith("expected "))]
    if typed:
        return min(typed, key=len)
    expected = []
    for option in options:
        kind = option.get("type")
        for name in kind if isinstance(kind, list) else [kind] if kind else []:
            if name not in expected:
                expected.append(name)
    return [(path, f"expected {_types_text(expected) or 'another shape'}, got {_describe(value)}")]


def _number(value, node, path):
    checks = (
        ("minimum", lambda limit: value >= limit, "at least"),
        ("maximum", lambda limit: value <= limit, "at most"),
        ("exclusiveMinimum", lambda limit: value > limit, "above"),
        ("exclusiveMaximum", lambda limit: value < limit, "below"),
    )
    return [
        (path, f"must be {words} {node[key]}, got {_describe(value)}")
        for key, test, words in checks
        if key in node and not test(node[key])
    ]


def _string(value, node, path):
    errors = []
    length = _utf16_length(value)
    if "minLength" in node and length < node["minLength"]:
        errors.append((path, f"must be at least {node['minLength']} characters long, got {_describe(value)}"))
    if "maxLength" in node and length > node["maxLength"]:
        errors.append((path, f"must be at most {node['maxLength']} characters long"))
    if "pattern" in node and not _regex(node["pattern"]).search(value):
        errors.append((path, f"must match {node['pattern']}, got {_describe(value)}"))
    if "format" in node and not _format_ok(value, node["format"]):
        errors.append((path, f"must be a {node['format']}, got {_describe(value)}"))
    return errors


def _array(value, node, path):
    errors = []
    if "minItems" in node and len(value) < node["minItems"]:
        errors.append((path, f"must hold at least {node['minItems']} items, got {len(value)}"))
    if "maxItems" in node and len(value) > node["maxItems"]:
        errors.append((path, f"must hold at most {node['maxItems']} items, got {len(value)}"))
    items = node.get("items")
    if isinstance(items, list):
        for index, (item, sub) in enumerate(zip(value, items)):
            errors.extend(validate(item, sub, (*path, index)))
    elif isinstance(items, dict):
        for index, item in enumerate(value):
            errors.extend(validate(item, items, (*path, index)))
    return errors


def _object(value, node, path):
    errors = []
    properties = node.get("properties") or {}
    for key in node.get("required") or ():
        if key not in value:
            errors.append(((*path, key), "is required and missing"))
    extra = node.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            errors.extend(validate(item, properties[key], (*path, key)))
        elif extra is False:
            near = difflib.get_close_matches(key, list(properties), n=1)
            if near:
                known = f"did you mean {near[0]}?"
            else:
                known = "known: " + (", ".join(sorted(properties)) if len(properties) <= 60 else "see LibreChat's docs")
            errors.append(((*path, key), f"is not a key LibreChat knows here ({known})"))
        elif isinstance(extra, dict):
            errors.extend(validate(item, extra, (*path, key)))
    return errors


# -------------------------------------------------------------------------------------------- the whole file


class Verdict:
    """What LibreChat does with a librechat.yaml: `data` (what js-yaml built, or None), `kind` (None when
    LibreChat accepts the file, PARSE when it starts without it, SCHEMA when it exits) and `errors` (text)."""

    def __init__(self, data, kind, errors, problems=()):
        self.data = data
        self.kind = kind
        self.errors = errors
        self.problems = list(problems)  # (path, message) behind each schema error, in the same order

    @property
    def ok(self):
        return self.kind is None


def _hint(data, path, message):
    """The fix for the mistake everyone makes: an unquoted version such as 1.3 is a number."""
    if path == ("version",) and js_type(data.get("version")) == "number":
        return path, f'{message}; quote it, version: "{data["version"]}"'
    return path, message


def judge(text, name="librechat.yaml"):
    try:
        data = jsyaml.load(text or "")
    except jsyaml.ParseError as e:
        where = f" at line {e.line}" if e.line else ""
        return Verdict(
            None,
            PARSE,
            [
                f"{name} is not valid YAML for LibreChat{where}: {e}. LibreChat then starts WITHOUT this file "
                "(every setting in it is ignored); fix the file"
            ],
        )
    if not data:
        # loader.ts: a missing or empty file is "Custom config file missing": LibreChat runs on its defaults.
        return Verdict(data, PARSE, [f"{name} is empty: LibreChat starts without a config; it needs at least version"])
    problems = validate(data, schema())
    if not problems:
        return Verdict(data, None, [])
    version = document().get("librechat_version")
    problems = [_hint(data, path, message) for path, message in problems]
    return Verdict(
        data,
        SCHEMA,
        [
            f"{name}: {_where(path)} {message}: LibreChat {version} refuses the file and exits at start (its "
            "configSchema.strict()); fix that key"
            for path, message in problems
        ],
        problems,
    )
