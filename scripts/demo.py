"""`make demo`: the collection's main job against the local AWS emulator, with no AWS account.

1. Start the emulator on a free loopback port (AWS_ENDPOINT_URL points every AWS call at it), and the project's
   Docker engine (scripts/docker_engine.py) with the LibreChat image built from LibreChat's published packages
   (scripts/librechat_image.py).
2. Start LibreChat as an operator runs it: `docker compose -f deploy-compose.yml up -d api` in its directory
   under `.work/demo/librechat/` (a starter librechat.yaml, .env and deploy-compose.yml are put there the first
   time).
3. Run `playbooks/site.yml` (librechat.bedrock.site) with `examples/demo/inventory.yml`: profiles, logging,
   and this machine as the LibreChat host: the role writes both files and recreates LibreChat's container.
4. Chat through LibreChat with every model it lists (LibreChat's own Bedrock client sends the requests: Converse,
   and ConverseStream as a streaming chat does), and check in the invocation logs that a model with a profile
   reached Bedrock as its profile ARN and one without as its model ID.
5. Run `site` again and check that it changed nothing and made no AWS write.
6. Run `playbooks/verify.yml`, which prints the checklist table, then `playbooks/usage.yml`, which prints the
   usage table per profile and the totals per tag value and writes them to `.work/demo/usage.json` and
   `usage.csv`; check that its calls and tokens are the ones LibreChat's answers counted in step 4.
7. Print where the files are; take LibreChat down, stop the engine and the emulator.

Each `make demo` starts a fresh emulator, so its AWS resources are created anew; the emulator hands out the
same profile ARNs for the same requests, so a second `make demo` leaves LibreChat's files as they are.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import docker_engine
import librechat_image
import yaml
from devtools import ROOT, CommandFailed, emulator, emulator_env, run

from emulator.control import Control

DEMO_DIR = ROOT / ".work" / "demo" / "librechat"
USAGE_JSON = ROOT / ".work" / "demo" / "usage.json"
USAGE_CSV = ROOT / ".work" / "demo" / "usage.csv"
# LibreChat's own port, the default of a directory prepared without one; make demo prepares its directory with a
# free port. The demo's LibreChat listens on this machine's loopback only.
DEMO_PORT = 3080
# What step 4 sends per model: Converse requests, then ConverseStream ones
CONVERSE_PER_PROFILE = 2
STREAM_PER_PROFILE = 1
PROMPTS = ("Hello from the demo", "What can you do for our team today?", "Summarise our last chat in one line")
INVENTORY = ROOT / "examples" / "demo" / "inventory.yml"
PLAYBOOKS = ROOT / "playbooks"
# The invocation log group of the example inventory (the invocation_logging role's default).
LOG_GROUP = "/aws/bedrock/model-invocations"
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
PORT={port}
MONGO_URI=mongodb://127.0.0.1:27017/LibreChat

# BEDROCK_AWS_PROFILE=default
"""
# LibreChat's deploy-compose.yml, its api service as a server runs it (env_file .env, librechat.yaml bind-mounted),
# with the demo's changes: host networking, so LibreChat listens on this machine's loopback only, and the AWS
# SDK's standard variables passed through from the environment that runs compose, as an instance role would give
# a server its credentials (here: the emulator's endpoint and dummy keys). The services LibreChat depends on are
# never started (`up --no-deps api`): the demo has no MongoDB, and LibreChat's Bedrock path does not need one.
STARTER_COMPOSE = """\
# LibreChat's deploy-compose.yml (api service), as the demo runs it: see scripts/demo.py.
services:
  api:
    image: registry.librechat.ai/librechat-ai/librechat-dev-api:latest
    network_mode: host
    depends_on:
      - mongodb
    restart: always
    env_file:
      - .env
    environment:
      - HOST=127.0.0.1
      - NODE_ENV=production
      - MONGO_URI=mongodb://mongodb:27017/LibreChat
      - AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-}
      - AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-}
      - AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-}
    volumes:
      - type: bind
        source: ./librechat.yaml
        target: /app/librechat.yaml
  mongodb:
    image: mongo:8.0.20
    restart: always
    command: mongod --noauth
"""
COMPOSE = ["docker", "compose", "-f", "deploy-compose.yml"]
RECAP = re.compile(r"^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)", re.MULTILINE)
# How long LibreChat may take to answer after a start before the demo calls it failed: a bound on a failure, not
# a measure of speed.
START_TIMEOUT = 120


def prepare(directory: Path = DEMO_DIR, port: int = DEMO_PORT) -> None:
    """A LibreChat directory as a fresh LibreChat server has it, unless one is already there."""
    directory.mkdir(parents=True, exist_ok=True)
    starters = (
        ("librechat.yaml", STARTER_YAML, 0o644),
        (".env", STARTER_ENV.format(port=port), 0o600),
        ("deploy-compose.yml", STARTER_COMPOSE, 0o644),
    )
    for name, text, mode in starters:
        path = directory / name
        if not path.exists():
            path.write_text(text)
            path.chmod(mode)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def librechat_port(directory: Path = DEMO_DIR) -> int:
    return int(read_env(directory / ".env").get("PORT") or DEMO_PORT)


def playbook_env(endpoint: str, directory: Path = DEMO_DIR) -> dict[str, str]:
    """The playbooks' environment: the emulator, the project's Docker engine and the demo's LibreChat."""
    return (
        emulator_env(endpoint)
        | docker_engine.client_env({})
        | {
            "LIBRECHAT_DEMO_DIR": str(directory),
            "LIBRECHAT_DEMO_PORT": str(librechat_port(directory)),
            "ANSIBLE_NOCOLOR": "1",
        }
    )


def start_librechat(env: dict[str, str], directory: Path = DEMO_DIR) -> None:
    """Start LibreChat as an operator does and wait until it answers."""
    subprocess.run([*COMPOSE, "up", "--detach", "--no-deps", "api"], cwd=directory, env=env, check=True)
    wait_for_librechat(directory)


def wait_for_librechat(directory: Path = DEMO_DIR) -> None:
    url = f"http://127.0.0.1:{librechat_port(directory)}/health"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise CommandFailed(f"LibreChat did not answer {url} within {START_TIMEOUT}s")
        time.sleep(0.5)


def stop_librechat(env: dict[str, str], directory: Path = DEMO_DIR) -> None:
    """Take the demo's LibreChat down (its container and network)."""
    subprocess.run([*COMPOSE, "down", "--timeout", "5"], cwd=directory, env=env, check=False, capture_output=True)


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


def listed_models(directory: Path = DEMO_DIR) -> dict[str, str | None]:
    """The models LibreChat lists (endpoints.bedrock.models) and the profile ARN each is mapped to, as the files
    say (${VAR} read from .env), or None."""
    bedrock = yaml.safe_load((directory / "librechat.yaml").read_text())["endpoints"]["bedrock"]
    env = read_env(directory / ".env")
    mapped = {}
    for model in bedrock.get("models") or []:
        value = (bedrock.get("inferenceProfiles") or {}).get(model)
        match = re.fullmatch(r"\$\{(\w+)\}", value or "")
        mapped[model] = (env.get(match.group(1)) if match else value) or None
    return mapped


def chat(model: str, text: str, stream: bool = False, directory: Path = DEMO_DIR) -> dict:
    """One chat through LibreChat (the LibreChat app's chat route: its own Bedrock client sends the request)."""
    body = json.dumps({"model": model, "text": text, "stream": stream}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{librechat_port(directory)}/api/_chat",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise CommandFailed(f"LibreChat's chat with {model} failed: {error.read().decode(errors='replace')}") from error


def librechat_state(directory: Path = DEMO_DIR) -> dict:
    """What LibreChat's process holds (the LibreChat app's /api/_state route: no secret values)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{librechat_port(directory)}/api/_state", timeout=30) as response:
        return json.loads(response.read())


def send_requests(env: dict[str, str], directory: Path = DEMO_DIR) -> dict[str, dict]:
    """Chat through LibreChat with every model it lists: CONVERSE_PER_PROFILE chats and STREAM_PER_PROFILE
    streaming ones each. What LibreChat's answers counted, per what it sent Bedrock (the profile ARN of a mapped
    model, else the model ID): {model, arn, calls, input_tokens, output_tokens, answer}."""
    sent = {}
    for model, arn in listed_models(directory).items():
        tally = {"model": model, "arn": arn, "calls": 0, "input_tokens": 0, "output_tokens": 0, "answer": ""}
        for index in range(CONVERSE_PER_PROFILE + STREAM_PER_PROFILE):
            answer = chat(model, PROMPTS[index % len(PROMPTS)], index >= CONVERSE_PER_PROFILE, directory)
            if (answer.get("applicationInferenceProfile") or None) != arn:
                raise CommandFailed(f"LibreChat sent {model} as {answer.get('applicationInferenceProfile')}, not {arn}")
            tally["calls"] += 1
            tally["input_tokens"] += answer["usage"]["input_tokens"]
            tally["output_tokens"] += answer["usage"]["output_tokens"]
            tally["answer"] = answer["text"]
        sent[arn or model] = tally
    return sent


def invocation_records(env: dict[str, str], log_group: str = LOG_GROUP) -> list[dict]:
    """Every model invocation log record in the log group, as CloudWatch Logs returns them."""
    logs = boto3.session.Session().client(
        "logs",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    records = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=log_group):
        records += [json.loads(event["message"]) for event in page["events"]]
    return records


def log_mismatches(sent: dict[str, dict], records: list[dict]) -> list[str]:
    """Where the invocation logs differ from what LibreChat sent: each model's requests must be logged under its
    profile ARN (with the region that served it) when it has one, else under its model ID."""
    problems = []
    for key, tally in sent.items():
        logged = [r for r in records if r.get("modelId") == key]
        if len(logged) != tally["calls"]:
            problems.append(f"{tally['model']}: {len(logged)} records under {key}, sent {tally['calls']}")
        if tally["arn"] and any(r.get("modelId") == tally["model"] for r in records):
            problems.append(f"{tally['model']}: requests logged under the model ID, not its profile")
        if any(not r.get("inferenceRegion") for r in logged):
            problems.append(f"{tally['model']}: a record without inferenceRegion")
    return problems


def usage_mismatches(report: dict, sent: dict[str, dict[str, int]]) -> list[str]:
    """Where the usage report's calls and tokens differ from what was sent, one sentence each."""
    read = {p["arn"]: p["usage"] for p in report["profiles"]}
    problems = []
    for arn, tally in sent.items():
        if not tally.get("arn", arn):
            continue
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
    # a kill ends the demo through SystemExit, so LibreChat is taken down and the engine stopped by PID
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # a free port for a new demo directory: a LibreChat already on 3080 would otherwise answer the demo's requests
    prepare(port=free_port())
    try:
        # an engine found running is the user's to keep as it is: the demo takes down only its own LibreChat
        with docker_engine.engine(clean_found=False), emulator() as endpoint:
            env = playbook_env(endpoint)
            try:
                librechat_image.build(env)
                return demo(endpoint, env)
            except (CommandFailed, librechat_image.ImageError, subprocess.CalledProcessError) as error:
                print(f"demo failed: {error}", file=sys.stderr)
                return 1
            finally:
                stop_librechat(env)
    except docker_engine.EngineError as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1


def demo(endpoint: str, env: dict[str, str]) -> int:
    control = Control(endpoint)
    print("\n== LibreChat, running as a server runs it (docker compose -f deploy-compose.yml up -d api)", flush=True)
    start_librechat(env)
    print("\n== site: profiles, logging, LibreChat's files (and one restart), verify", flush=True)
    playbook("site", env)
    print("\n== chats through LibreChat with every model it lists (its own Bedrock client)", flush=True)
    sent = send_requests(env)
    for key, tally in sent.items():
        print(
            f"  {tally['model']} -> {key}: {tally['calls']} calls, {tally['input_tokens']} tokens in, "
            f"{tally['output_tokens']} out: {tally['answer']}",
            flush=True,
        )
    problems = log_mismatches(sent, invocation_records(env))
    if problems:
        print(
            f"demo failed: the invocation logs differ from what LibreChat sent: {'; '.join(problems)}", file=sys.stderr
        )
        return 1
    print("  the invocation logs show each profile's ARN, and the model ID for the model without one", flush=True)
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
        print(f"demo failed: the usage report differs from what was sent: {'; '.join(problems)}", file=sys.stderr)
        return 1
    print(f"  the usage report matches what LibreChat sent: {sum(1 for t in sent.values() if t['arn'])} profiles")
    print(f"\nLibreChat's files: {DEMO_DIR / 'librechat.yaml'} and {DEMO_DIR / '.env'} (backups beside them)")
    print(f"The usage report: {USAGE_JSON} and {USAGE_CSV}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
