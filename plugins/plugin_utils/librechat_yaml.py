# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write `endpoints.bedrock` into a user's librechat.yaml without touching a byte outside it.

The file is parsed only to find where things are (the YAML node marks); the new section is rendered and
spliced in as text, so comments, quoting, anchors, key order and blank lines elsewhere stay as they were.
Pure functions over text; PyYAML is the only dependency (ansible-core's own).
"""

import json
import re

import yaml

PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ConfigError(Exception):
    """The file cannot be merged as it is; the message names the key, the value and the fix."""


# ------------------------------------------------------------------------------------------------ rendering


def _scalar(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    # JSON strings are YAML double-quoted scalars: every string comes out quoted and unambiguous.
    return json.dumps(str(value), ensure_ascii=False)


def _key(key):
    return key if PLAIN_KEY.match(str(key)) else json.dumps(str(key), ensure_ascii=False)


def render(value, indent, unit):
    """Block-style YAML lines for a mapping's or sequence's items at column `indent`."""
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{_key(key)}:")
                lines.extend(render(item, indent + unit, unit))
            else:
                lines.append(f"{pad}{_key(key)}: {_flow_empty(item)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                nested = render(item, indent + 2, unit)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines.extend(nested[1:])
            elif isinstance(item, list) and item:
                lines.append(f"{pad}-")
                lines.extend(render(item, indent + unit, unit))
            else:
                lines.append(f"{pad}- {_flow_empty(item)}")
    return lines


def _flow_empty(value):
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


# ------------------------------------------------------------------------------------------------ locating


def _compose(text):
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise ConfigError(
            f"librechat.yaml is not valid YAML ({e}): fix the file, LibreChat would not start with it"
        ) from None
    if len(nodes) > 1:
        raise ConfigError("librechat.yaml holds several YAML documents (---): LibreChat reads one; keep one")
    return nodes[0] if nodes else None


def _mapping_get(node, name):
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None, None


def _last_line(node):
    """The last line (0-based) that holds the node's own text, ignoring the comments and blank lines PyYAML
    counts into a block collection's end mark."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        return end.line if end.column > 0 or end.line == node.start_mark.line else end.line - 1
    children = []
    for item in node.value:
        children.extend(item if isinstance(item, tuple) else (item,))
    if not children:
        return node.start_mark.line
    return max(_last_line(child) for child in children)


def _indent_unit(node, default=2):
    """The file's indentation step, read from a block mapping's first nested block mapping."""
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        if isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
            step = value.value[0][0].start_mark.column - key.start_mark.column
            if step > 0:
                return step
    return default


# ------------------------------------------------------------------------------------------------ merging


NULL_TAG = "tag:yaml.org,2002:null"


def _value(node):
    """The Python value of a composed node (the text is not parsed again)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _is_null(node):
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG)


class Located:
    """Where `endpoints` and `endpoints.bedrock` are in a parsed file (keys and values as nodes, None when
    absent), after checking that each is a mapping where it exists."""

    def __init__(self, text):
        self.root = _compose(text)
        self.endpoints_key = self.endpoints = self.bedrock_key = self.bedrock = None
        if self.root is None:
            return
        if not isinstance(self.root, yaml.MappingNode):
            raise ConfigError("librechat.yaml must be a mapping at the top level (keys such as version, endpoints)")
        self.endpoints_key, self.endpoints = _mapping_get(self.root, "endpoints")
        if _is_null(self.endpoints):
            return
        if not isinstance(self.endpoints, yaml.MappingNode):
            value = _value(self.endpoints)
            raise ConfigError(
                f"endpoints in librechat.yaml is {type(value).__name__} {value!r}, not a mapping: make it a "
                "mapping of endpoint names (bedrock, custom, ...) to their settings"
            )
        self.bedrock_key, self.bedrock = _mapping_get(self.endpoints, "bedrock")
        if not _is_null(self.bedrock) and not isinstance(self.bedrock, yaml.MappingNode):
            raise ConfigError(
                f"endpoints.bedrock in librechat.yaml is {_value(self.bedrock)!r}, not a mapping: make it a mapping"
            )


def current_bedrock(text):
    """The `endpoints.bedrock` mapping the file holds now (empty when there is none)."""
    found = Located(text)
    return {} if _is_null(found.bedrock) else _value(found.bedrock)


def merge(text, bedrock, version="1.3.17"):
    """`text` with `endpoints.bedrock` set to the `bedrock` mapping; every other byte kept.

    A missing file (text None) or an empty one becomes a minimal file with `version`; a missing `endpoints` or
    `bedrock` is added at the end of the document or of `endpoints`.
    """
    text = text or ""
    found = Located(text)
    root, endpoints_key, endpoints = found.root, found.endpoints_key, found.endpoints
    if root is None:
        return _append(text, [f"version: {_scalar(version)}", "endpoints:", "  bedrock:", *render(bedrock, 4, 2)])
    lines = text.splitlines(keepends=True)
    unit = _indent_unit(root)
    if endpoints_key is None:
        block = [_pad(root.start_mark.column) + "endpoints:", _pad(root.start_mark.column + unit) + "bedrock:"]
        block += render(bedrock, root.start_mark.column + 2 * unit, unit)
        return _append(text, block)

    if isinstance(endpoints, yaml.ScalarNode) or (endpoints.flow_style and not endpoints.value):
        # `endpoints:` with nothing, or `endpoints: {}`: the value becomes a block holding bedrock.
        column = endpoints_key.start_mark.column
        line = endpoints_key.start_mark.line
        head = lines[line][: endpoints_key.end_mark.column] + ":"
        newline = _newline(lines[line])
        block = [head, _pad(column + unit) + "bedrock:", *render(bedrock, column + 2 * unit, unit)]
        return "".join(lines[:line]) + newline.join(block) + newline + "".join(lines[_last_line(endpoints) + 1 :])
    if endpoints.flow_style:
        raise ConfigError(
            "endpoints in librechat.yaml is written in flow style ({...}): rewrite it as a block mapping (one "
            "endpoint per line) so the bedrock section can be changed without rewriting the others"
        )

    bedrock_key, bedrock_node = found.bedrock_key, found.bedrock
    if bedrock_key is None:
        column = endpoints.value[0][0].start_mark.column
        after = _last_line(endpoints)
        block = [_pad(column) + "bedrock:", *render(bedrock, column + unit, unit)]
        return _insert(lines, after + 1, after + 1, block)

    column = bedrock_key.start_mark.column
    start = bedrock_key.start_mark.line
    end = _last_line(bedrock_node)
    if "&" in "".join(lines[start : end + 1]) and _defines_anchor(text, bedrock_node):
        raise ConfigError(
            "endpoints.bedrock in librechat.yaml defines a YAML anchor (&name) that other parts may use: move the "
            "anchor out of the bedrock section, since the collection rewrites that section"
        )
    block = [_pad(column) + "bedrock:", *render(bedrock, column + unit, unit)]
    return _insert(lines, start, end + 1, block)


def _defines_anchor(text, node):
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        anchor = getattr(event, "anchor", None)
        defined = anchor and not isinstance(event, yaml.AliasEvent)
        if defined and node.start_mark.index <= event.start_mark.index <= node.end_mark.index:
            return True
    return False


def _pad(column):
    return " " * column


def _newline(line):
    return "\r\n" if line.endswith("\r\n") else "\n"


def _insert(lines, start, stop, block):
    """Lines [start, stop) replaced by `block`, in the file's own line endings."""
    newline = _newline(lines[0]) if lines else "\n"
    before = "".join(lines[:start])
    if before and not before.endswith("\n"):
        before += newline
    return before + newline.join(block) + newline + "".join(lines[stop:])


def _append(text, block):
    newline = "\r\n" if "\r\n" in text else "\n"
    if text and not text.endswith("\n"):
        text += newline
    return text + newline.join(block) + newline


def span(text):
    """The (first, last) 0-based line numbers of `endpoints.bedrock` in the text, or None: what a merge may
    change. Tests use it to check that every other line is unchanged."""
    found = Located(text)
    if found.bedrock_key is None:
        return None
    return found.bedrock_key.start_mark.line, _last_line(found.bedrock)


def section_text(text):
    """The lines of `endpoints.bedrock` (empty when there is none, or the text cannot be parsed)."""
    try:
        found = span(text or "")
    except ConfigError:
        return ""
    if found is None:
        return ""
    return "".join((text or "").splitlines(keepends=True)[found[0] : found[1] + 1])
