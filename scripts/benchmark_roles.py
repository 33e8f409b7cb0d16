"""The inference_profiles role against the LibreChat guide's quick-setup loop, on one emulator (`make benchmark`).

Both make one application inference profile for each of 20 models in an empty account. The loop is the guide's
shell loop of `aws bedrock create-inference-profile` calls (scripts/benchmark/seed-loop.sh, with the AWS CLI
installed in .cache/awscli); the role is `ansible-playbook` running librechat.bedrock.inference_profiles, which
also checks every model's access first. Then the role runs again on the converged account, and once more in
check mode. The emulator counts every call; wall times are compared only within this run.

Targets (docs/performance.md): the role's first converge in at most half the loop's wall time; the run that
changes nothing makes no write. Exits 1 when a target is missed. scripts/benchmark_site.py runs these rows too
(`measure`, `targets`) and judges them in its own table, beside the site targets, so one invocation judges them
all; run this script alone for the 20-model rows only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools import COLLECTIONS, LOCAL_PLAYBOOK, ROOT, emulator, emulator_env, run

from emulator import Control
from emulator.catalogue import FOUNDATION_MODELS

AWSCLI = "awscli==1.46.3"
AWSCLI_VENV = ROOT / ".cache" / "awscli"
REGION = "us-east-1"
ACCOUNT = "123456789012"
MODELS = 20
LOOP = "seed loop (aws CLI), first run"
FIRST = "inference_profiles role, first converge"
AGAIN = "inference_profiles role, nothing to change"


def models(count: int) -> list[str]:
    """`count` model IDs the emulator offers in REGION: US cross-region profiles first, then foundation models."""
    chosen = [f"us.{m.model_id}" for m in FOUNDATION_MODELS.values() if "us" in m.profiles]
    chosen += [m.model_id for m in FOUNDATION_MODELS.values() if m.on_demand]
    return chosen[:count]


def aws_cli() -> Path:
    """The AWS CLI in its own venv (its botocore pin must not touch the toolchain's)."""
    binary = AWSCLI_VENV / "bin" / "aws"
    if not binary.exists():
        run([sys.executable, "-m", "venv", AWSCLI_VENV])
        run([AWSCLI_VENV / "bin" / "python", "-m", "pip", "install", "-q", AWSCLI])
    return binary


def measure_command(control: Control, command: list, env: dict) -> dict:
    control.clear_calls()
    started = time.monotonic()
    result = subprocess.run([str(c) for c in command], env=env, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-20000:], result.stderr[-5000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"exit {result.returncode}: {' '.join(str(c) for c in command)}")
    seconds = time.monotonic() - started
    log = control.calls()
    return {"seconds": seconds, "calls": log["count"], "writes": log["writes"]}


def collection_env(root: Path, tmp: Path, env: dict[str, str], amazon: Path | None = None) -> dict[str, str]:
    """env with `root` as the collection librechat.bedrock (linked under tmp) and amazon.aws: the bootstrapped one,
    or the one under `amazon` (a collections directory: amazon/aws under its ansible_collections)."""
    collections = tmp / "collections" / "ansible_collections"
    (collections / "librechat").mkdir(parents=True)
    (collections / "librechat" / "bedrock").symlink_to(root)
    (collections / "amazon").symlink_to((amazon or COLLECTIONS) / "ansible_collections" / "amazon")
    return env | {
        "ANSIBLE_COLLECTIONS_PATH": str(tmp / "collections"),
        "PYTHONPATH": os.pathsep.join([str(tmp / "collections"), str(ROOT / "tests")]),
    }


def measure(root: Path = ROOT, amazon: Path | None = None) -> dict[str, dict]:
    """The loop and the role (the checkout `root`) on one emulator: each row's wall time, calls and writes."""
    chosen = models(MODELS)
    aws = aws_cli()
    with emulator() as endpoint, tempfile.TemporaryDirectory(prefix="lcb-bench-") as tmp:
        env = collection_env(root, Path(tmp), emulator_env(endpoint), amazon)
        control = Control(endpoint)
        playbook = Path(tmp) / "profiles.yml"
        playbook.write_text(
            json.dumps(
                [
                    {
                        "hosts": "localhost",
                        "gather_facts": False,
                        "vars": {
                            "librechat_bedrock_region": REGION,
                            "librechat_bedrock_models": [{"id": m} for m in chosen],
                        },
                        "roles": ["librechat.bedrock.inference_profiles"],
                    }
                ]
            )
        )
        role = LOCAL_PLAYBOOK
        loop_env = env | {"PATH": f"{aws.parent}{os.pathsep}{env['PATH']}"}
        results = {}
        control.reset()
        results[LOOP] = measure_command(
            control, [ROOT / "scripts" / "benchmark" / "seed-loop.sh", REGION, ACCOUNT, *chosen], loop_env
        )
        control.reset()
        results[FIRST] = measure_command(control, [*role, playbook], env)
        results[AGAIN] = measure_command(control, [*role, playbook], env)
        results["inference_profiles role, check mode"] = measure_command(control, [*role, "--check", playbook], env)
    return results


def table(results: dict[str, dict]) -> None:
    print(f"{MODELS} models, one application inference profile each, on an empty account\n")
    print("| run | wall s | calls | writes |\n| --- | --- | --- | --- |")
    for label, r in results.items():
        print(f"| {label} | {r['seconds']:.1f} | {r['calls']} | {r['writes']} |")


def targets(results: dict[str, dict]) -> list[tuple[str, bool]]:
    """The targets of docs/performance.md these rows are held to, each (text, met)."""
    loop, first, again = results[LOOP], results[FIRST], results[AGAIN]
    ratio = first["seconds"] / loop["seconds"]
    return [
        (
            f"first converge / seed loop wall time = {ratio:.2f} ({first['seconds']:.1f} / {loop['seconds']:.1f} s; "
            "target <= 0.50)",
            ratio <= 0.5,
        ),
        (f"nothing to change: {again['writes']} writes (target 0)", again["writes"] == 0),
    ]


def main() -> int:
    results = measure()
    print()
    table(results)
    print()
    judged = targets(results)
    for text, met in judged:
        print(f"{'met   ' if met else 'MISSED'} {text}")
    return 0 if all(met for _text, met in judged) else 1


if __name__ == "__main__":
    sys.exit(main())
