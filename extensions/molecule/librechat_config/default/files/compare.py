"""Compare a merged librechat.yaml and .env with what they were before, for the scenario's verify step.

Usage: compare.py ORIGINAL_YAML MERGED_YAML ORIGINAL_ENV MERGED_ENV MANAGED_KEY...
Prints JSON: whether every line before and after endpoints.bedrock is the same, the merged section's text,
and the .env lines that assign none of the managed keys, before and after (they must be equal).
"""

import json
import re
import sys
from pathlib import Path

from ansible_collections.librechat.bedrock.plugins.plugin_utils import librechat_yaml

ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([\w.-]+)\s*=")
MARKER = "# librechat.bedrock manages:"


def outside(text):
    lines = text.splitlines(keepends=True)
    first, last = librechat_yaml.span(text)
    return lines[:first], lines[last + 1 :]


def unmanaged(text, managed):
    kept = []
    for line in text.splitlines(keepends=True):
        match = ASSIGNMENT.match(line)
        if (match and match.group(1) in managed) or line.startswith(MARKER):
            continue
        kept.append(line)
    return kept


def main(original_yaml, merged_yaml, original_env, merged_env, *managed):
    before_yaml, after_yaml = Path(original_yaml).read_text(), Path(merged_yaml).read_text()
    head_before, tail_before = outside(before_yaml)
    head_after, tail_after = outside(after_yaml)
    env_before = unmanaged(Path(original_env).read_text(), set(managed))
    env_after = unmanaged(Path(merged_env).read_text(), set(managed))
    print(
        json.dumps(
            {
                "head_same": head_before == head_after,
                "tail_same": tail_before == tail_after,
                "head_lines": len(head_after),
                "tail_lines": len(tail_after),
                "section": librechat_yaml.section_text(after_yaml),
                "env_unmanaged_same": env_before == env_after,
                "env_unmanaged_lines": len(env_after),
                "env_unmanaged_before": env_before,
                "env_unmanaged_after": env_after,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
