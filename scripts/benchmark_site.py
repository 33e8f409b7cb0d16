"""`librechat.bedrock.site` end to end on one emulator (`make benchmark`): the demo's inventory (four models,
three profiles, logging, this machine as the LibreChat host), run on an empty account, again on the converged
one, and in check mode on an empty account. The emulator counts every call; wall times are compared only
within this run.

Targets (docs/performance.md): a run that changes nothing makes no AWS write and changes no file; check mode
makes no write. Exits 1 when one is missed. Wall times are reported, not judged: Ansible's own start-up
dominates them.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import demo
from devtools import emulator, emulator_env

from emulator import Control


def measure(control: Control, env: dict[str, str], *extra: str) -> dict:
    control.clear_calls()
    start = time.monotonic()
    output = demo.playbook("site", env, *extra, capture=True, echo=False)
    seconds = time.monotonic() - start
    calls = control.calls()
    return {
        "seconds": seconds,
        "calls": calls["count"],
        "writes": calls["writes"],
        "changed": sum(demo.changed_counts(output).values()),
        "by_service": Counter(c["service"] for c in calls["calls"]),
        "listings": sum(1 for c in calls["calls"] if c["operation"] == "ListInferenceProfiles"),
    }


def main() -> int:
    with emulator() as endpoint, tempfile.TemporaryDirectory(prefix="lcb-site-") as tmp:
        control = Control(endpoint)
        directory = Path(tmp) / "librechat"
        demo.prepare(directory)
        env = emulator_env(endpoint) | {"LIBRECHAT_DEMO_DIR": str(directory), "ANSIBLE_NOCOLOR": "1"}
        control.reset()
        check = measure(control, env, "--check")
        control.reset()
        first = measure(control, env)
        again = measure(control, env)
    print("\n| run | wall s | AWS calls | writes | changed | ListInferenceProfiles | calls by service |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, result in (
        ("site, check mode, empty account", check),
        ("site, first run", first),
        ("site, nothing to change", again),
    ):
        services = ", ".join(f"{k} {v}" for k, v in sorted(result["by_service"].items()))
        numbers = (
            f"{result['seconds']:.1f} | {result['calls']} | {result['writes']} | {result['changed']} | "
            f"{result['listings']}"
        )
        print(f"| {name} | {numbers} | {services} |")
    missed = []
    if again["writes"] or again["changed"]:
        missed.append("the run that changes nothing wrote or changed something")
    if check["writes"]:
        missed.append("check mode wrote to AWS")
    for message in missed:
        print(f"target missed: {message}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
