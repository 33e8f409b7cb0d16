"""`make demo`: the collection's main job against the local AWS emulator, with no AWS account.

1. Start the emulator on a free loopback port (AWS_ENDPOINT_URL points every AWS call at it).
2. Run `playbooks/site.yml` (librechat.bedrock.site) with `examples/demo/inventory.yml`: profiles, logging,
   and this machine as the LibreChat host, its LibreChat directory under `.work/demo/librechat/` (a starter
   librechat.yaml and .env are put there the first time).
3. Send one Converse request through each profile LibreChat now maps, as LibreChat would, so the invocation
   logs have something to show; then run `playbooks/verify.yml`, which prints the checklist table.
4. Run `site` again and check that it changed nothing and made no AWS write.
5. Print where the files are; stop the emulator.

Each `make demo` starts a fresh emulator, so its AWS resources are created anew; the emulator hands out the
same profile ARNs for the same requests, so a second `make demo` leaves LibreChat's files as they are.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import boto3
from devtools import ROOT, CommandFailed, emulator, emulator_env, run

from emulator.control import Control

DEMO_DIR = ROOT / ".work" / "demo" / "librechat"
INVENTORY = ROOT / "examples" / "demo" / "inventory.yml"
PLAYBOOKS = ROOT / "playbooks"
STARTER_YAML = """\
# LibreChat configuration (the demo's starter file: the collection adds endpoints.bedrock, nothing else).
version: "1.3.17"
cache: true

interface:
  privacyPolicy:
    externalUrl: "https://example.com/privacy"
    openNewTab: true

endpoints:
  agents:
    disableBuilder: false
"""
STARTER_ENV = """\
# LibreChat .env (the demo's starter file: the collection changes only the Bedrock keys)
HOST=localhost
PORT=3080
MONGO_URI=mongodb://127.0.0.1:27017/LibreChat

# BEDROCK_AWS_PROFILE=default
"""
RECAP = re.compile(r"^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)", re.MULTILINE)


def prepare(directory: Path = DEMO_DIR) -> None:
    """A LibreChat directory as a fresh LibreChat install has it, unless one is already there."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text, mode in (("librechat.yaml", STARTER_YAML, 0o644), (".env", STARTER_ENV, 0o600)):
        path = directory / name
        if not path.exists():
            path.write_text(text)
            path.chmod(mode)


def playbook(name: str, env: dict[str, str], *extra: str, capture: bool = False, echo: bool = True) -> str:
    """Run playbooks/<name>.yml with the demo inventory; return its output when captured (printed too, with
    `echo`; a failed run's output is always printed)."""
    cmd = ["ansible-playbook", "-i", str(INVENTORY), "-e", f"ansible_python_interpreter={sys.executable}"]
    cmd += [*extra, str(PLAYBOOKS / f"{name}.yml")]
    if not capture:
        run(cmd, env=env)
        return ""
    print(f"  $ {' '.join(cmd)}", flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    if echo or result.returncode != 0:
        print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        print(result.stderr, end="", file=sys.stderr)
        raise CommandFailed(f"exit {result.returncode}: {' '.join(cmd)}")
    return result.stdout


def changed_counts(output: str) -> dict[str, int]:
    """changed= per host, summed over the plays of a run, from the recap."""
    counts: dict[str, int] = {}
    for match in RECAP.finditer(output):
        counts[match.group("host")] = counts.get(match.group("host"), 0) + int(match.group("changed"))
    return counts


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^\s*(?:export\s+)?([\w.-]+)\s*=\s*'?\"?([^'\"#\s]*)", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def invoke_profiles(env: dict[str, str], directory: Path = DEMO_DIR) -> list[tuple[str, str]]:
    """One Converse request per profile ARN in .env, as LibreChat sends them; (ARN, answer) pairs."""
    runtime = boto3.session.Session().client(
        "bedrock-runtime",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    answers = []
    for value in read_env(directory / ".env").values():
        if ":application-inference-profile/" in value:
            response = runtime.converse(
                modelId=value, messages=[{"role": "user", "content": [{"text": "Hello from the demo"}]}]
            )
            answers.append((value, response["output"]["message"]["content"][0]["text"]))
    return answers


def main() -> int:
    prepare()
    with emulator() as endpoint:
        env = emulator_env(endpoint) | {"LIBRECHAT_DEMO_DIR": str(DEMO_DIR), "ANSIBLE_NOCOLOR": "1"}
        control = Control(endpoint)
        try:
            print("\n== site: profiles, logging, LibreChat's files, verify", flush=True)
            playbook("site", env)
            print("\n== one request through each profile, as LibreChat sends it", flush=True)
            for arn, answer in invoke_profiles(env):
                print(f"  {arn}: {answer}", flush=True)
            print("\n== verify: the guide's checklist, with the invocation logs", flush=True)
            playbook("verify", env)
            print("\n== site again: nothing to change", flush=True)
            control.clear_calls()
            output = playbook("site", env, capture=True)
            writes = control.calls()["writes"]
            changed = changed_counts(output)
            print(f"  second run: changed={changed}, AWS writes={writes}", flush=True)
            if writes or any(changed.values()):
                print("demo failed: the second run changed something", file=sys.stderr)
                return 1
        except CommandFailed as error:
            print(f"demo failed: {error}", file=sys.stderr)
            return 1
    print(f"\nLibreChat's files: {DEMO_DIR / 'librechat.yaml'} and {DEMO_DIR / '.env'} (backups beside them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
