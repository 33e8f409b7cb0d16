# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Edit a LibreChat `.env` key by key, every other line kept byte for byte, and read it the way LibreChat does.

LibreChat reads `.env` with the npm `dotenv` package (16.x); `parse()` follows its rules (lib/main.js of dotenv
16.4.7): line breaks (CRLF, a lone CR) become LF first, also inside a quoted value; then the same line pattern
with JavaScript's classes (`\\s` includes a byte-order mark and no-break spaces, `\\w` is ASCII, so a key with
a non-ASCII letter is not read at all); `export ` allowed, an unquoted value ends at `#`, quotes are removed,
`\\n` is a newline only in double quotes, a later assignment of a key wins.

docker compose reads the same file through `env_file:` with a parser of its own (compose-go's dotenv): it
interpolates `$VAR` and `${VAR}` in unquoted and double-quoted values (`$$` is `$`), starts a comment at `#`
only after whitespace, keeps backticks, and refuses a value that opens a quote it does not close. Measured with
docker compose 2.40.3: `A=ab$cd/+#x` is `ab/+#x` to Compose and `ab$cd/+` to dotenv, `A=ab#c` is `ab#c` and `ab`.
Only single quotes, and plain unquoted text, read the same both ways, so the values this module writes are
plain or single-quoted, and a value neither can carry is refused.
"""

import re

# JavaScript's \s (ECMAScript WhiteSpace and LineTerminator): Python's lacks U+FEFF, and has U+001C-U+001F.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_S = f"[{JS_SPACE}]"
# The same characters for str.strip() (JavaScript's trim()).
JS_TRIM = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(map(chr, range(0x2000, 0x200B)))
# dotenv 16's LINE pattern (lib/main.js), applied to the whole text as it does; \w is ASCII there (no u flag).
LINE = re.compile(
    rf"(?:^|^){_S}*(?:export{_S}+)?([\w.-]+)(?:{_S}*={_S}*?|:{_S}+?)({_S}*'(?:\\'|[^'])*'|{_S}*\"(?:\\\"|[^\"])*\""
    rf"|{_S}*`(?:\\`|[^`])*`|[^#\r\n]+)?{_S}*(?:#.*)?(?:$|$)",
    re.M | re.ASCII,
)
BREAK = re.compile(r"\r\n?")
# The line breaks of the text, as dotenv counts them (Python's splitlines() also breaks at \v, \f, U+2028, ...).
LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# Read alike, unquoted, by dotenv and by Compose: nothing either parser gives a meaning to. A single quote is
# plain text to both except first (Compose then looks for the closing one).
PLAIN_VALUE = re.compile(r"^(?!')[A-Za-z0-9_./:@+,='-]*$")
MARKER = "# librechat.bedrock manages:"
# What precedes the key on an assignment line (a byte-order mark included); kept when the line is rewritten or
# masked.
PREFIX = re.compile(rf"^{_S}*(?:export{_S}+)?")


class EnvError(Exception):
    """A value that cannot be written so that LibreChat reads it back unchanged."""


def _lines(text):
    """The text's lines with their endings, split where dotenv splits (LF, CRLF, a lone CR)."""
    return LINES.findall(text or "")


def _value(raw):
    value = (raw or "").strip(JS_TRIM)
    quoted = re.match(r"^(['\"`])([\s\S]*)\1$", value)
    if quoted:
        value = quoted.group(2)
        if quoted.group(1) == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
    return value


def assignments(text):
    """Each assignment as (key, value, first line, last line), in order; lines are 0-based."""
    found = []
    # dotenv: lines = src.toString().replace(/\r\n?/mg, '\n'). A CRLF or lone CR stays one line break, so the
    # line numbers are those of _lines(text).
    text = BREAK.sub("\n", text)
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
    """`value` as written after `key=`, so that LibreChat's dotenv and docker compose's env_file both read it
    back unchanged: plain text as it is, anything else in single quotes. EnvError (naming the key, never the
    value) when neither form can carry it."""
    value = "" if value is None else str(value)
    if PLAIN_VALUE.match(value):
        return value
    if "'" not in value and "\n" not in value and "\r" not in value:
        return f"'{value}'"
    raise EnvError(
        f"The value of {key} holds a line break, or a single quote together with characters that need quoting "
        "(a $, #, space, quote or backslash): neither plain nor single-quoted text reads back the same to "
        "LibreChat's dotenv and to docker compose's env_file; use a value without them"
    )


def readings_differ(text, compose_environment, process_environment=(), extra_keys=()):
    """The Bedrock variables of `.env` (BEDROCK_*, ENDPOINTS and `extra_keys`, the profile variables) that
    Compose's env_file reading (`compose_environment`: the service's environment in `docker compose config`)
    and dotenv's reading of `text` disagree on, a variable Compose does not see at all included. Keys the
    process environment sets (`environment:`) are the shadowing check's, not this one's. Names only, sorted;
    [] when `compose_environment` is empty (.env does not reach LibreChat through env_file)."""
    if not compose_environment:
        return []
    values = parse(text or "")
    extra = set(extra_keys or ())
    process = process_environment or {}
    differ = []
    for key, value in values.items():
        if not (key.startswith("BEDROCK_") or key == "ENDPOINTS" or key in extra) or key in process:
            continue
        if key not in compose_environment or str(compose_environment[key] or "") != value:
            differ.append(key)
    return sorted(differ)


def managed_keys(text):
    """The keys the collection wrote last time (its marker comment), in order."""
    for line in _lines(text or ""):
        line = line.rstrip("\r\n")
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
    lines = _lines(text)
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
    lines = _lines(text or "")
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
