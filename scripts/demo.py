"""`make demo`: run the collection's main job against the local AWS emulator, with no AWS account.

It starts the emulator on a free loopback port, points AWS_ENDPOINT_URL at it and runs, from the checkout,
the playbook `playbooks/site.yml` (librechat.bedrock.site) with the demo inventory in `scripts/demo/`. Until
that playbook exists it runs `scripts/demo/modules.yml`: the LibreChat guide's AWS steps with the collection's
modules.
"""

from __future__ import annotations

import sys

import boto3
from devtools import ROOT, CommandFailed, emulator, emulator_env, run

SEED_PROFILES = (
    "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-opus-4-5-20251101-v1:0",
    "us.amazon.nova-pro-v1:0",
)


def preview(env: dict[str, str]) -> None:
    bedrock = boto3.session.Session().client(
        "bedrock",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    for profile_id in SEED_PROFILES:
        profile = bedrock.get_inference_profile(inferenceProfileIdentifier=profile_id)
        regions = sorted({m["modelArn"].split(":")[3] for m in profile["models"]})
        print(f"  {profile_id:<50} {profile['type']:<15} routes to {', '.join(regions)}")


def main() -> int:
    site = ROOT / "playbooks" / "site.yml"
    demo = ROOT / "scripts" / "demo"
    with emulator() as endpoint:
        env = emulator_env(endpoint)
        try:
            print("the emulator's seed profiles:")
            preview(env)
            interpreter = ["-e", f"ansible_python_interpreter={sys.executable}"]
            if site.exists():
                run(["ansible-playbook", "-i", demo / "inventory.yml", *interpreter, site], env=env)
            else:
                local = ["-i", "localhost,", "-c", "local"]
                run(["ansible-playbook", *local, *interpreter, demo / "modules.yml"], env=env)
        except CommandFailed as error:
            print(f"demo failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
