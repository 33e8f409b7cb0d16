# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Edit a LibreChat `.env` key by key, every other line kept byte for byte, and read it the way LibreChat does.

LibreChat reads `.env` with the npm `dotenv` package (16.x); `parse()` follows its rules: the same line pattern,
`export ` allowed, an unquoted value ends at `#`, quotes are removed, `\\n` is a newline only in double quotes,
a later assignment of a key wins. Values are written unquoted when that is unambiguous for dotenv and for
docker compose's env_file (which interpolates `$` outside single quotes), else in single quotes.
"""

import re

# dotenv 16's LINE pattern (lib/main.js), applied to the whole text as it does.
LINE = re.compile(
    r"(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*\"(?:\\\"|[^\"])*\"|\s*`(?:\\`|[^`])*`"
    r"|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)",
    re.M,
)
PLAIN_VALUE = re.compile(r"^[A-Za-z0-9_./:@+,=-]*$")
MARKER = "# librechat.bedrock manages:"
# What precedes the key on an assignment line; kept when the line is rewritten or masked.
PREFIX = re.compile(r"^\s*(?:export\s+)?")


class EnvError(Exception):
    """A value that cannot be written so that LibreChat reads it back unchanged."""


def _value(raw):
    value = (raw or "").strip()
    quoted = re.match(r"^(['\"`])([\s\S]*)\1$", value)
    if quoted:
        value = quoted.group(2)
        if quoted.group(1) == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
    return value


def assignments(text):
    """Each assignment as (key, value, first line, last line), in order; lines are 0-based."""
    found = []
    for match in LINE.finditer(text):
        key_at = match.start(1)
        end_at = match.end(2) if match.group(2) is not None else match.end(1)
        found.append(
            (
                match.group(1),
                _value(match.group(2)),
                text.count("\n", 0, key_at),
                text.count("\n", 0, max(end_at - 1, key_at)),
            )
        )
    return found


def parse(text):
    """The variables LibreChat gets from this text (a later assignment of a key wins, as in dotenv)."""
    return {key: value for key, value, _first, _last in assignments(text or "")}


def quote(key, value):
    value = "" if value is None else str(value)
    if PLAIN_VALUE.match(value):
        return value
    if "'" not in value and "\n" not in value and "\r" not in value:
        return f"'{value}'"
    raise EnvError(
        f"The value of {key} holds both a single quote or a line break and characters that need quoting: "
        "LibreChat's dotenv could not read it back unchanged; use a value without them"
    )


def managed_keys(text):
    """The keys the collection wrote last time (its marker comment), in order."""
    for line in (text or "").splitlines():
        if line.startswith(MARKER):
            return line[len(MARKER) :].split()
    return []


def edit(text, wanted, remove=(), unrecorded=()):
    """`text` with every key of `wanted` set (key → value), every key of `remove` and every key the collection
    managed before and no longer wants deleted, and the marker comment naming the keys now managed. A key
    assigned several times keeps its first line (rewritten) and loses the others, so LibreChat reads the
    intended value. Other lines are kept byte for byte. Keys in `unrecorded` are set but left out of the
    marker (a key the user owns, such as ENDPOINTS, that the collection only amends)."""
    text = text or ""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    stale = set(managed_keys(text)) - set(wanted) - set(unrecorded)
    dropping = set(remove) | stale
    replace = {}
    drop = set()
    seen = set()
    for key, _value_text, first, last in assignments(text):
        span = range(first, last + 1)
        if key in wanted and key not in seen:
            seen.add(key)
            prefix = PREFIX.match(lines[first]).group(0)
            replace[first] = f"{prefix}{key}={quote(key, wanted[key])}{_ending(lines[last], newline)}"
            drop.update(n for n in span if n != first)
        elif key in wanted or key in dropping:
            drop.update(span)
    marker = f"{MARKER} {' '.join(key for key in wanted if key not in unrecorded)}"
    had_marker = False
    out = []
    for number, line in enumerate(lines):
        if line.startswith(MARKER):
            if wanted and not had_marker:
                out.append(marker + _ending(line, newline))
            had_marker = True
            continue
        if number in replace:
            out.append(replace[number])
        elif number not in drop:
            out.append(line)
    missing = [key for key in wanted if key not in seen]
    result = "".join(out)
    if result and not result.endswith(("\n", "\r")):
        result += newline
    block = [marker] if wanted and not had_marker else []
    block += [f"{key}={quote(key, wanted[key])}" for key in missing]
    if block:
        result += newline.join(block) + newline
    return result


def _ending(line, newline):
    if line.endswith("\r\n"):
        return "\r\n"
    return "\n" if line.endswith("\n") else newline


def masked(text, shown=(), changed=()):
    """The text with every value replaced by a mask, except those of the `shown` keys: what --diff may print.
    The mask of a key in `changed` says so, so a changed secret still shows as a changed line."""
    lines = (text or "").splitlines(keepends=True)
    for key, _value_text, first, last in assignments(text or ""):
        if key in shown:
            continue
        ending = "\n" if lines[last].endswith("\n") else ""
        prefix = PREFIX.match(lines[first]).group(0)
        note = "changed" if key in changed else "hidden"
        lines[first] = f"{prefix}{key}=******** ({note}){ending}"
        for number in range(first + 1, last + 1):
            lines[number] = ""
    return "".join(lines)
