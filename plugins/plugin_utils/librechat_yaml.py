# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write `endpoints.bedrock` into a user's librechat.yaml without touching a byte outside it.

The file is parsed only to find where things are (the YAML node marks), as LibreChat's js-yaml reads it
(jsyaml.py: YAML 1.2, so `yes` stays a string and `1:30` is not 90). Inside the section, only the keys the
collection sets are rendered and spliced in as text; every other key of the section keeps its lines byte for
byte, and so do comments, quoting, anchors, key order and blank lines elsewhere. A comment line inside the
section (MARKER) records which keys, and which inferenceProfiles entries, the collection wrote, so a key it no
longer wants is removed and an entry the user wrote is kept. Pure functions over text; PyYAML is the only
dependency (ansible-core's own).
"""

import json
import re

import yaml

from ansible_collections.librechat.bedrock.plugins.plugin_utils import config_schema, jsyaml

PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MARKER = "# librechat.bedrock manages:"
# How an inferenceProfiles entry is named in the marker: the entries are recorded one by one, since the user may
# keep entries of their own for models the collection does not map.
ENTRY = "inferenceProfiles/"


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
        jsyaml.load(text)
    except jsyaml.ParseError as e:
        where = f" (line {e.line})" if e.line else ""
        raise ConfigError(
            f"librechat.yaml is not valid YAML for LibreChat{where}: {e}. LibreChat (js-yaml) starts without such "
            "a file today; fix it first"
        ) from None
    return jsyaml.compose(text)


def _mapping_get(node, name):
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name and key.tag != "tag:yaml.org,2002:merge":
            return key, value
    return None, None


def _is_alias(key, value):
    """An alias (`key: *name`) composes to the anchored node itself, which lies before its key."""
    return value.start_mark.index < key.end_mark.index


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
    """The value of a composed node as LibreChat's js-yaml builds it (the text is not parsed again)."""
    return jsyaml.construct(node)


def _is_null(node):
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG)


ALIAS_FIX = (
    "{where} in librechat.yaml is an alias (*name) of a block defined elsewhere: write the block out in place "
    "(replace the alias with the anchored block's lines), since the collection changes {where} and must not "
    "change the other place, or add a second key (LibreChat's js-yaml refuses a duplicated key)"
)


class Located:
    """Where `endpoints` and `endpoints.bedrock` are in a parsed file (keys and values as nodes, None when
    absent), after checking that each is a mapping written in place where it exists."""

    def __init__(self, text):
        self.root = _compose(text)
        self.endpoints_key = self.endpoints = self.bedrock_key = self.bedrock = None
        if self.root is None:
            return
        if not isinstance(self.root, yaml.MappingNode):
            raise ConfigError("librechat.yaml must be a mapping at the top level (keys such as version, endpoints)")
        self.endpoints_key, self.endpoints = _mapping_get(self.root, "endpoints")
        if self.endpoints_key is not None and _is_alias(self.endpoints_key, self.endpoints):
            raise ConfigError(ALIAS_FIX.format(where="endpoints"))
        if _is_null(self.endpoints):
            return
        if not isinstance(self.endpoints, yaml.MappingNode):
            value = _value(self.endpoints)
            raise ConfigError(
                f"endpoints in librechat.yaml is {type(value).__name__} {value!r}, not a mapping: make it a "
                "mapping of endpoint names (bedrock, custom, ...) to their settings"
            )
        self.bedrock_key, self.bedrock = _mapping_get(self.endpoints, "bedrock")
        if self.bedrock_key is not None and _is_alias(self.bedrock_key, self.bedrock):
            raise ConfigError(ALIAS_FIX.format(where="endpoints.bedrock"))
        if not _is_null(self.bedrock) and not isinstance(self.bedrock, yaml.MappingNode):
            raise ConfigError(
                f"endpoints.bedrock in librechat.yaml is {_value(self.bedrock)!r}, not a mapping: make it a mapping"
            )


def current_bedrock(text):
    """The `endpoints.bedrock` mapping the file holds now (empty when there is none)."""
    found = Located(text)
    return {} if _is_null(found.bedrock) else _value(found.bedrock)


def recorded(text):
    """What the collection wrote into the section last time (its marker comment): (keys, inferenceProfiles
    entries)."""
    lines = section_text(text).splitlines()
    for line in lines:
        if line.strip().startswith(MARKER):
            tokens = line.strip()[len(MARKER) :].split()
            keys = [t for t in tokens if not t.startswith(ENTRY)]
            return keys, [t[len(ENTRY) :] for t in tokens if t.startswith(ENTRY)]
    return [], []


def plan(text, bedrock):
    """The section the collection will write: `bedrock` (the keys it manages) over what the file holds, without
    the keys it recorded last time and no longer sets, keeping the inferenceProfiles entries it did not write.
    Returns (section, keys to record, entries to record, entries kept from the user)."""
    current = current_bedrock(text or "")
    keys_before, entries_before = recorded(text or "")
    section = {key: value for key, value in current.items() if key in bedrock or key not in keys_before}
    section.update(bedrock)
    ours = dict(bedrock.get("inferenceProfiles") or {})
    profiles = current.get("inferenceProfiles")
    profiles = profiles if isinstance(profiles, dict) else {}
    theirs = {model: arn for model, arn in profiles.items() if model not in ours and model not in entries_before}
    if "inferenceProfiles" in bedrock:
        section["inferenceProfiles"] = {**theirs, **ours}
    elif entries_before and profiles:
        # the collection mapped models here before and maps none now: only the user's entries stay
        if theirs:
            section["inferenceProfiles"] = theirs
        else:
            section.pop("inferenceProfiles", None)
    keys = [key for key in bedrock if key != "inferenceProfiles"]
    return section, keys, list(ours), theirs


def merge(text, bedrock, version=None):
    """`text` with the keys of `bedrock` set in `endpoints.bedrock` (see plan()); every other byte kept.

    A missing file (text None) or an empty one becomes a minimal file with `version` (empty: the bundled schema's,
    config_schema.config_version()); a missing `endpoints` or `bedrock` is added at the end of the document or of
    `endpoints`.
    """
    version = version or config_schema.config_version()
    text = text or ""
    section, keys, entries, _theirs = plan(text, bedrock)
    marker = " ".join([MARKER, *keys, *(ENTRY + entry for entry in entries)])
    found = Located(text)
    root, endpoints_key, endpoints = found.root, found.endpoints_key, found.endpoints
    if root is None:
        return _append(
            text, [f"version: {_scalar(version)}", "endpoints:", "  bedrock:", "    " + marker, *render(section, 4, 2)]
        )
    lines = text.splitlines(keepends=True)
    unit = _indent_unit(root)
    if endpoints_key is None:
        column = root.start_mark.column
        block = [_pad(column) + "endpoints:", _pad(column + unit) + "bedrock:", _pad(column + 2 * unit) + marker]
        block += render(section, column + 2 * unit, unit)
        return _append(text, block)

    if isinstance(endpoints, yaml.ScalarNode) or (endpoints.flow_style and not endpoints.value):
        # `endpoints:` with nothing, or `endpoints: {}`: the value becomes a block holding bedrock.
        column = endpoints_key.start_mark.column
        line = endpoints_key.start_mark.line
        head = lines[line][: endpoints_key.end_mark.column] + ":"
        newline = _newline(lines[line])
        block = [head, _pad(column + unit) + "bedrock:", _pad(column + 2 * unit) + marker]
        block += render(section, column + 2 * unit, unit)
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
        block = [_pad(column) + "bedrock:", _pad(column + unit) + marker, *render(section, column + unit, unit)]
        return _insert(lines, after + 1, after + 1, block)

    column = bedrock_key.start_mark.column
    start = bedrock_key.start_mark.line
    end = _last_line(bedrock_node)
    if _defines_anchor(text, bedrock_node.start_mark.index, bedrock_node.start_mark.index + 1):
        raise ConfigError(
            "endpoints.bedrock in librechat.yaml defines a YAML anchor (&name) that other parts may use: move the "
            "anchor out of the bedrock section, since the collection rewrites that section"
        )
    if _is_null(bedrock_node) or bedrock_node.flow_style or bedrock_key.start_mark.line == bedrock_node.start_mark.line:
        # `bedrock:` empty, or `bedrock: {...}` on one line: the section is written out as a block. The values of
        # the keys the collection does not set are the ones LibreChat reads (js-yaml), rendered unambiguously.
        if _defines_anchor(text, bedrock_node.start_mark.index, bedrock_node.end_mark.index):
            raise ConfigError(_ANCHOR_FIX.format(key="endpoints.bedrock"))
        block = [_pad(column) + "bedrock:", _pad(column + unit) + marker, *render(section, column + unit, unit)]
        return _insert(lines, start, end + 1, block)
    return _splice_entries(text, lines, start, bedrock_node, section, marker, unit, _value(bedrock_node))


_ANCHOR_FIX = (
    "{key} in librechat.yaml defines a YAML anchor (&name) that other parts may use: move the anchor out of "
    "the bedrock keys the collection writes, since it rewrites them"
)


def _splice_entries(text, lines, key_line, node, section, marker, unit, current):
    """Key by key inside a block-style section: a key whose value is unchanged, or that the collection does not
    set, keeps its lines; a changed key gets new lines; a key no longer in `section` loses its lines; new keys
    go after the last one. The marker line is rewritten in place, or added before the section's first key."""
    child = node.value[0][0].start_mark.column
    replace = {}
    drop = set()
    present = set()
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *base` is the user's; the keys written here override what it brings
        key = jsyaml.js_string(_value(key_node))
        present.add(key)
        if key in section and _same(_value(value_node), section[key]):
            continue
        first, last = key_node.start_mark.line, _last_line(value_node)
        if _defines_anchor(text, key_node.start_mark.index, value_node.end_mark.index):
            raise ConfigError(_ANCHOR_FIX.format(key=f"endpoints.bedrock.{key}"))
        if key in section:
            replace[first] = (render({key: section[key]}, child, unit), last)
        drop.update(range(first, last + 1))
    first_line = node.value[0][0].start_mark.line
    last_line = _last_line(node)
    marker_at = next(
        (n for n in range(key_line + 1, last_line + 1) if lines[n].strip().startswith(MARKER)),
        None,
    )
    newline = _newline(lines[0])
    out = []
    for number, line in enumerate(lines):
        if number == first_line and marker_at is None:
            out.append(_pad(child) + marker + newline)
        if number == marker_at:
            out.append(_pad(child) + marker + _ending(line, newline))
        elif number in replace:
            block, last = replace[number]
            out.append(newline.join(block) + _ending(lines[last], newline))
        elif number not in drop:
            out.append(line)
        if number == last_line:
            # A key a merge (<<: *base) brings with the value wanted needs no line of its own.
            added = {
                key: section[key]
                for key in section
                if key not in present and not (key in current and _same(current[key], section[key]))
            }
            if added:
                if out and not out[-1].endswith("\n"):
                    out[-1] += newline
                out.append(newline.join(render(added, child, unit)) + newline)
    return "".join(out)


def _ending(line, newline):
    if line.endswith("\r\n"):
        return "\r\n"
    return "\n" if line.endswith("\n") else newline


def _same(a, b):
    """Equal as LibreChat sees them (true is not 1, 1 is 1.0)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return a == b and (isinstance(a, str) == isinstance(b, str))


def _defines_anchor(text, start, stop):
    """Whether an anchor (&name) is defined between the two character positions."""
    loader = jsyaml.Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            anchor = getattr(event, "anchor", None)
            if anchor and not isinstance(event, yaml.AliasEvent) and start <= event.start_mark.index < stop:
                return True
    finally:
        loader.dispose()
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
