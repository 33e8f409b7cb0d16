"""The inference_profiles role against the LibreChat guide's quick-setup loop, on one emulator (`make benchmark`).

Both make one application inference profile for each of 20 models in an empty account. The loop is the guide's
shell loop of `aws bedrock create-inference-profile` calls (scripts/benchmark/seed-loop.sh, with the AWS CLI
installed in .cache/awscli); the role is `ansible-playbook` running librechat.bedrock.inference_profiles, which
also checks every model's access first. Then the role runs again on the converged account, and once more in
check mode. The emulator counts every call; wall times are compared only within this run.

Targets (docs/performance.md): the role's first converge in at most half the loop's wall time; the run that
changes nothing makes no write. Exits 1 when a target is missed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools import LOCAL_PLAYBOOK, ROOT, emulator, emulator_env, run

from emulator import Control
from emulator.catalogue import FOUNDATION_MODELS

AWSCLI = "awscli==1.46.3"
AWSCLI_VENV = ROOT / ".cache" / "awscli"
REGION = "us-east-1"
ACCOUNT = "123456789012"
MODELS = 20


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


def measure(control: Control, command: list, env: dict) -> dict:
    control.clear_calls()
    started = time.monotonic()
    subprocess.run([str(c) for c in command], env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    log = control.calls()
    return {"seconds": seconds, "calls": log["count"], "writes": log["writes"]}


def main() -> int:
    chosen = models(MODELS)
    aws = aws_cli()
    with emulator() as endpoint, tempfile.TemporaryDirectory(prefix="lcb-bench-") as tmp:
        env = emulator_env(endpoint)
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
        results["seed loop (aws CLI), first run"] = measure(
            control, [ROOT / "scripts" / "benchmark" / "seed-loop.sh", REGION, ACCOUNT, *chosen], loop_env
        )
        control.reset()
        results["inference_profiles role, first converge"] = measure(control, [*role, playbook], env)
        results["inference_profiles role, nothing to change"] = measure(control, [*role, playbook], env)
        results["inference_profiles role, check mode"] = measure(control, [*role, "--check", playbook], env)

    print(f"\n{len(chosen)} models, one application inference profile each, on an empty account\n")
    print("| run | wall s | calls | writes |\n| --- | --- | --- | --- |")
    for label, r in results.items():
        print(f"| {label} | {r['seconds']:.1f} | {r['calls']} | {r['writes']} |")
    loop = results["seed loop (aws CLI), first run"]
    first = results["inference_profiles role, first converge"]
    again = results["inference_profiles role, nothing to change"]
    ratio = first["seconds"] / loop["seconds"]
    targets = [
        (f"first converge / seed loop wall time = {ratio:.2f} (target <= 0.50)", ratio <= 0.5),
        (f"nothing to change: {again['writes']} writes (target 0)", again["writes"] == 0),
    ]
    print()
    for text, met in targets:
        print(f"{'met   ' if met else 'MISSED'} {text}")
    return 0 if all(met for _text, met in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
