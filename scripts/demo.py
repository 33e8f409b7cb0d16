"""`make demo`: the collection's main job against the local AWS emulator, with no AWS account.

1. Start the emulator on a free loopback port (AWS_ENDPOINT_URL points every AWS call at it).
2. Run `playbooks/site.yml` (librechat.bedrock.site) with `examples/demo/inventory.yml`: profiles, logging,
   and this machine as the LibreChat host, its LibreChat directory under `.work/demo/librechat/` (a starter
   librechat.yaml and .env are put there the first time).
3. Send a few requests through each profile LibreChat now maps, as LibreChat would (Converse, and ConverseStream
   as a streaming chat does), so the invocation logs and the CloudWatch metrics have something to show.
4. Run `site` again and check that it changed nothing and made no AWS write.
5. Run `playbooks/verify.yml`, which prints the checklist table, then `playbooks/usage.yml`, which prints the
   usage table per profile and the totals per tag value and writes them to `.work/demo/usage.json` and
   `usage.csv`; check that its calls and tokens are the ones step 3 sent.
6. Print where the files are; stop the emulator.

Each `make demo` starts a fresh emulator, so its AWS resources are created anew; the emulator hands out the
same profile ARNs for the same requests, so a second `make demo` leaves LibreChat's files as they are.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import boto3
from devtools import ROOT, CommandFailed, emulator, emulator_env, run

from emulator.control import Control

DEMO_DIR = ROOT / ".work" / "demo" / "librechat"
USAGE_JSON = ROOT / ".work" / "demo" / "usage.json"
USAGE_CSV = ROOT / ".work" / "demo" / "usage.csv"
# What step 3 sends through each profile: Converse requests, then ConverseStream ones
CONVERSE_PER_PROFILE = 2
STREAM_PER_PROFILE = 1
PROMPTS = ("Hello from the demo", "What can you do for our team today?", "Summarise our last chat in one line")
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


def profile_arns(directory: Path = DEMO_DIR) -> list[str]:
    """The application profile ARNs in .env: what LibreChat sends Bedrock."""
    return [v for v in read_env(directory / ".env").values() if ":application-inference-profile/" in v]


def send_requests(env: dict[str, str], directory: Path = DEMO_DIR) -> dict[str, dict[str, int]]:
    """A few requests through each profile ARN in .env, as LibreChat sends them: CONVERSE_PER_PROFILE Converse
    and STREAM_PER_PROFILE ConverseStream requests. What Bedrock answered, per ARN: {calls, input_tokens,
    output_tokens, answer}."""
    runtime = boto3.session.Session().client(
        "bedrock-runtime",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    sent = {}
    for arn in profile_arns(directory):
        tally = {"calls": 0, "input_tokens": 0, "output_tokens": 0, "answer": ""}
        for index in range(CONVERSE_PER_PROFILE + STREAM_PER_PROFILE):
            messages = [{"role": "user", "content": [{"text": PROMPTS[index % len(PROMPTS)]}]}]
            if index < CONVERSE_PER_PROFILE:
                response = runtime.converse(modelId=arn, messages=messages)
                usage = response["usage"]
                tally["answer"] = response["output"]["message"]["content"][0]["text"]
            else:
                events = list(runtime.converse_stream(modelId=arn, messages=messages)["stream"])
                usage = next(e["metadata"]["usage"] for e in events if "metadata" in e)
            tally["calls"] += 1
            tally["input_tokens"] += usage["inputTokens"]
            tally["output_tokens"] += usage["outputTokens"]
        sent[arn] = tally
    return sent


def invoke_profiles(env: dict[str, str], directory: Path = DEMO_DIR) -> list[tuple[str, str]]:
    """send_requests' (ARN, last Converse answer) pairs."""
    return [(arn, tally["answer"]) for arn, tally in send_requests(env, directory).items()]


def usage_mismatches(report: dict, sent: dict[str, dict[str, int]]) -> list[str]:
    """Where the usage report's calls and tokens differ from what was sent, one sentence each."""
    read = {p["arn"]: p["usage"] for p in report["profiles"]}
    problems = []
    for arn, tally in sent.items():
        found = read.get(arn)
        if found is None:
            problems.append(f"{arn}: not in the usage report")
            continue
        for key, sent_key in (
            ("invocations", "calls"),
            ("input_tokens", "input_tokens"),
            ("output_tokens", "output_tokens"),
        ):
            if found[key] != tally[sent_key]:
                problems.append(f"{arn}: {key} {found[key]}, sent {tally[sent_key]}")
    return problems


def usage_args(json_path: Path = USAGE_JSON, csv_path: Path = USAGE_CSV) -> list[str]:
    return ["-e", f"usage_report_json_path={json_path}", "-e", f"usage_report_csv_path={csv_path}"]


def main() -> int:
    prepare()
    with emulator() as endpoint:
        env = emulator_env(endpoint) | {"LIBRECHAT_DEMO_DIR": str(DEMO_DIR), "ANSIBLE_NOCOLOR": "1"}
        control = Control(endpoint)
        try:
            print("\n== site: profiles, logging, LibreChat's files, verify", flush=True)
            playbook("site", env)
            print("\n== a few requests through each profile, as LibreChat sends them", flush=True)
            sent = send_requests(env)
            for arn, tally in sent.items():
                print(
                    f"  {arn}: {tally['calls']} calls, {tally['input_tokens']} tokens in, "
                    f"{tally['output_tokens']} out: {tally['answer']}",
                    flush=True,
                )
            print("\n== site again: nothing to change", flush=True)
            control.clear_calls()
            output = playbook("site", env, capture=True)
            writes = control.calls()["writes"]
            changed = changed_counts(output)
            print(f"  second run: changed={changed}, AWS writes={writes}", flush=True)
            if writes or any(changed.values()):
                print("demo failed: the second run changed something", file=sys.stderr)
                return 1
            print("\n== verify: the guide's checklist, with the invocation logs", flush=True)
            playbook("verify", env)
            print("\n== usage: calls, tokens, throttles, errors and latency per profile, from CloudWatch", flush=True)
            playbook("usage", env, *usage_args())
            problems = usage_mismatches(json.loads(USAGE_JSON.read_text()), sent)
            if problems:
                print(
                    f"demo failed: the usage report differs from what was sent: {'; '.join(problems)}", file=sys.stderr
                )
                return 1
            print(f"  the usage report matches what was sent: {len(sent)} profiles", flush=True)
        except CommandFailed as error:
            print(f"demo failed: {error}", file=sys.stderr)
            return 1
    print(f"\nLibreChat's files: {DEMO_DIR / 'librechat.yaml'} and {DEMO_DIR / '.env'} (backups beside them)")
    print(f"The usage report: {USAGE_JSON} and {USAGE_CSV}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
