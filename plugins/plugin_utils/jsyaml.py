# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read librechat.yaml as LibreChat does: `yaml.load()` of npm js-yaml 4 (packages/api/src/utils/yaml.ts).

PyYAML alone reads YAML 1.1 (`yes`/`on` are booleans, `1:30` is 90, `010` is octal 8) and lets a later duplicate
key win. js-yaml's default schema (lib/schema/default.js) is the YAML 1.2 core schema plus timestamps and `<<`
merge keys, and a duplicated mapping key is an error (lib/loader.js storeMappingPair), after which LibreChat runs
without its config. This module is a PyYAML loader with js-yaml's implicit types (lib/type/{null,bool,int,float,
timestamp,merge}.js of js-yaml 4.3.2) and its duplicate-key rule, so what the controller judges is what
LibreChat gets. Mapping keys become strings, as in the JavaScript object js-yaml builds (`String(key)`).
"""

import copy
import datetime
import math
import re

import yaml
from yaml.constructor import ConstructorError

NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INT = re.compile(r"^[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)$")
FLOAT = re.compile(
    r"^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
TIMESTAMP = re.compile(
    r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?"
    r"(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?$"
)
MERGE = re.compile(r"^<<$")
# js-yaml tries its implicit types in this order; the first that resolves wins (an integer before a float).
IMPLICIT = (
    ("tag:yaml.org,2002:null", NULL),
    ("tag:yaml.org,2002:bool", BOOL),
    ("tag:yaml.org,2002:int", INT),
    ("tag:yaml.org,2002:float", FLOAT),
    ("tag:yaml.org,2002:timestamp", DATE),
    ("tag:yaml.org,2002:timestamp", TIMESTAMP),
    ("tag:yaml.org,2002:merge", MERGE),
)


class Resolver(yaml.resolver.BaseResolver):
    """js-yaml's implicit resolution of plain scalars. A quoted scalar is always a string, as in js-yaml."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            for tag, pattern in IMPLICIT:
                if pattern.match(value):
                    if tag == "tag:yaml.org,2002:int" and not _int_finite(value):
                        continue
                    if tag == "tag:yaml.org,2002:float" and not _float_ok(value):
                        continue
                    return tag
        return super().resolve(kind, value, implicit)


def _int_finite(value):
    try:
        return math.isfinite(float(_int(value)))
    except OverflowError:
        return False


def _float_ok(value):
    # js-yaml: the pattern, then isFinite(parseFloat(data)) or the .inf/.nan spellings
    if re.match(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", value):
        return True
    try:
        return math.isfinite(float(value))
    except (OverflowError, ValueError):
        return False


def _int(value):
    sign = -1 if value.startswith("-") else 1
    digits = value.lstrip("+-")
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits, 10)


def js_string(value):
    """`String(value)` in JavaScript for what js-yaml can produce: how a mapping key becomes an object key."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


class Constructor(yaml.constructor.SafeConstructor):
    """Values as js-yaml builds them; a key given twice in one mapping is an error naming the key and line."""

    def construct_yaml_null(self, node):
        self.construct_scalar(node)
        return None

    def construct_yaml_bool(self, node):
        return self.construct_scalar(node) in ("true", "True", "TRUE")

    def construct_yaml_int(self, node):
        return _int(self.construct_scalar(node))

    def construct_yaml_float(self, node):
        value = self.construct_scalar(node).lower().lstrip("+")
        if value in (".inf", "-.inf"):
            return -math.inf if value.startswith("-") else math.inf
        if value == ".nan":
            return math.nan
        return float(value)

    def construct_yaml_timestamp(self, node):
        value = self.construct_scalar(node)
        try:
            return self._timestamp(value)
        except ValueError:
            # js-yaml's Date.UTC rolls a day 32 over into the next month; it is a date either way, and no
            # LibreChat key takes a date
            return datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

    @staticmethod
    def _timestamp(value):
        match = DATE.match(value)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime.datetime(year, month, day, tzinfo=datetime.timezone.utc)
        match = TIMESTAMP.match(value)
        year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
        fraction = int((match.group(7) or "")[:3].ljust(3, "0"))
        stamp = datetime.datetime(year, month, day, hour, minute, second, fraction * 1000, datetime.timezone.utc)
        if match.group(9):
            delta = datetime.timedelta(hours=int(match.group(10)), minutes=int(match.group(11) or 0))
            stamp = stamp - delta if match.group(9) == "+" else stamp + delta
        return stamp

    def construct_yaml_merge(self, node):
        # `<<` anywhere but as a key is the text itself (js-yaml's merge type has no constructor of its own)
        return self.construct_scalar(node)

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
        seen = {}
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = js_string(self.construct_object(key_node, deep=True))
            if key in seen:
                raise DuplicateKeyError(key, seen[key], key_node.start_mark)
            seen[key] = key_node.start_mark
        self.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            key = js_string(self.construct_object(key_node, deep=True))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_map(self, node):
        data = {}
        yield data
        data.update(self.construct_mapping(node))


for _tag, _method in (
    ("null", "construct_yaml_null"),
    ("bool", "construct_yaml_bool"),
    ("int", "construct_yaml_int"),
    ("float", "construct_yaml_float"),
    ("timestamp", "construct_yaml_timestamp"),
    ("map", "construct_yaml_map"),
    ("merge", "construct_yaml_merge"),
):
    Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", getattr(Constructor, _method))


class DuplicateKeyError(ConstructorError):
    def __init__(self, key, first, again):
        self.key = key
        self.line = again.line + 1
        self.first_line = first.line + 1
        super().__init__(
            None,
            None,
            f"the key {key!r} is given twice in one mapping (lines {first.line + 1} and {again.line + 1}); "
            "LibreChat's YAML parser (js-yaml) refuses a duplicated mapping key",
            again,
        )


class Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    Constructor,
    Resolver,
):
    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        Constructor.__init__(self)
        Resolver.__init__(self)


class ParseError(Exception):
    """js-yaml would not load the text: LibreChat runs without its config. `line` is 1-based when known."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


def load(text):
    """The value js-yaml's `load()` returns for the text (None for an empty document), or ParseError."""
    loader = Loader(text)
    try:
        if not loader.check_node():
            return None
        node = loader.get_node()
        if loader.check_node():
            raise ParseError("the file holds several YAML documents (---); js-yaml load() accepts one")
        return loader.construct_document(node)
    except DuplicateKeyError as e:
        raise ParseError(e.problem, e.line) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ParseError(str(e).replace("\n", " "), mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


def compose(text):
    """The node tree (for locating things), resolved as js-yaml resolves scalars."""
    loader = Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def construct(node):
    """The value of a composed node, as js-yaml would build it. The node is left as it was (PyYAML's merge-key
    handling rewrites a mapping node's pairs in place, and the callers still need their positions)."""
    loader = Loader("")
    try:
        return loader.construct_document(copy.deepcopy(node))
    finally:
        loader.dispose()
