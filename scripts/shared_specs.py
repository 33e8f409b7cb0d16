"""Write the shared `librechat_bedrock_*` options into every role's argument specs, so their text is written once.

Role argument specs cannot include each other, and ansible-doc, ansible-lint and the roles' own validation read
only roles/<role>/meta/argument_specs.yml. So the one source is meta/shared_argument_specs.yml, and each role's
file holds a generated copy of the variables it takes, between two comments under `options:`:

      # BEGIN shared options: librechat_bedrock_region librechat_bedrock_tags
      # written by scripts/shared_specs.py from meta/shared_argument_specs.yml: edit that file, then run the script
      ...
      # END shared options

    python scripts/shared_specs.py            rewrite the copies
    python scripts/shared_specs.py --check    exit 1, naming each stale copy or stray definition
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "meta" / "shared_argument_specs.yml"
PREFIX = "librechat_bedrock_"
ORIGIN = "# written by scripts/shared_specs.py from meta/shared_argument_specs.yml: edit that file, then run the script"
BEGIN = re.compile(
    r"^(?P<indent> *)# BEGIN shared options: (?P<names>[a-z0-9_ ]+)\n(?P=indent)" + re.escape(ORIGIN) + r"\n", re.M
)
END = "# END shared options"
WIDTH = 116  # the argument specs' own wrapping
# PyYAML breaks a line at the first space after its width, so the width it is given leaves room for one word.
LONGEST_WORD = 20


class _Dumper(yaml.SafeDumper):
    """Block sequences indented under their key, as the roles' specs (and yamllint) write them."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def render(name: str, entry: dict, role: str, indent: int) -> str:
    spec = copy.deepcopy(entry["spec"])
    note = (entry.get("roles") or {}).get(role)
    if note:
        spec["description"] = [*spec["description"], note]
    text = yaml.dump(
        {name: spec},
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=WIDTH - indent - LONGEST_WORD,
    )
    return "".join(" " * indent + line + "\n" for line in text.splitlines())


def begin_line(names: list[str], indent: int) -> str:
    return f"{' ' * indent}# BEGIN shared options: {' '.join(names)}\n{' ' * indent}{ORIGIN}\n"


def rewrite(text: str, source: dict, role: str) -> tuple[str, list[str]]:
    """The role's argument specs with its shared block written from `source`, and the problems found."""
    problems = []
    found = BEGIN.search(text)
    if found is None:
        names, start, stop, indent = [], None, None, 0
    else:
        names, indent = found.group("names").split(), len(found.group("indent"))
        start = found.start()
        end_at = text.find(" " * indent + END + "\n", start)
        if end_at < 0:
            return text, [f"{role}: '{END}' is missing after the BEGIN comment"]
        stop = end_at + indent + len(END) + 1
    unknown = [name for name in names if name not in source]
    problems += [f"{role}: {name} is not in {SOURCE.relative_to(ROOT)}" for name in unknown]
    for name, entry in source.items():
        if role in (entry.get("roles") or {}) and name not in names:
            problems.append(f"{role}: {SOURCE.relative_to(ROOT)} has a note for {name}, which the role does not take")
    if found is not None:
        block = begin_line(names, indent)
        block += "".join(render(name, source[name], role, indent) for name in names if name in source)
        block += " " * indent + END + "\n"
        text = text[:start] + block + text[stop:]
    options = ((yaml.safe_load(text) or {}).get("argument_specs") or {}).get("main", {}).get("options") or {}
    outside = sorted(name for name in options if name.startswith(PREFIX) and name not in names)
    for name in outside:
        problems.append(
            f"{role}: {name} is documented outside the shared block: name it on the BEGIN shared options line instead"
            if name in source
            else f"{role}: {name} is not in {SOURCE.relative_to(ROOT)}: document it there and name it on the role's "
            "BEGIN shared options line"
        )
    return text, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a copy is not current")
    args = parser.parse_args(argv)
    source = yaml.safe_load(SOURCE.read_text())
    failed = False
    for spec_file in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        role = spec_file.parent.parent.name
        before = spec_file.read_text()
        after, problems = rewrite(before, source, role)
        for problem in problems:
            print(problem, file=sys.stderr)
        failed = failed or bool(problems)
        if after != before:
            if args.check:
                print(
                    f"{spec_file.relative_to(ROOT)}: the shared options are not current (run scripts/shared_specs.py)"
                )
                failed = True
            else:
                spec_file.write_text(after)
                print(f"wrote {spec_file.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
