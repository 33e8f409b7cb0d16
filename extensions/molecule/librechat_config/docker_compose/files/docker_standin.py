# A stand-in for the `docker` CLI, put on PATH by this scenario's molecule.yml only. There is no Docker engine
# here: it records every command it is given (one JSON line each in $DOCKER_STANDIN_DIR/calls.log) and answers
# from fixture files, so the scenario proves the commands the roles run, not a container.
#
# Fixtures, per compose project (the directory a command runs in), in $DOCKER_STANDIN_DIR/<project basename>/:
#   config.json   what `docker compose config --format json` prints (@PROJECT@ stands for the project directory)
#   config.override.json   the same, when docker-compose.override.yml is one of the -f files
#   labels        the running api container's com.docker.compose.project.config_files label (relative names)
# `up` records a start time; `logs` prints LibreChat's own startup line for the file at its config path
# (packages/api/src/app/loader.ts); `exec -T api sha256sum <path>` hashes the host file mounted there.
import hashlib
import json
import os
import posixpath
import sys
import time

STATE = os.environ["DOCKER_STANDIN_DIR"]
CWD = os.getcwd()
FIXTURES = os.path.join(STATE, os.path.basename(CWD))
args = sys.argv[1:]
files = []
with open(os.path.join(STATE, "calls.log"), "a", encoding="utf-8") as log:
    log.write(json.dumps({"argv": ["docker", *args], "cwd": CWD}) + "\n")


def fixture(name):
    path = os.path.join(FIXTURES, name)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read().replace("@PROJECT@", CWD)


def config():
    with_override = any(posixpath.basename(name) == "docker-compose.override.yml" for name in files)
    return json.loads((with_override and fixture("config.override.json")) or fixture("config.json") or "{}")


def host_file(container_path):
    best, source = "", ""
    for volume in config()["services"]["api"].get("volumes", []):
        target = volume["target"]
        holds = container_path == target or container_path.startswith(target + "/")
        if volume["type"] == "bind" and holds and len(target) > len(best):
            best, source = target, volume["source"]
    if not best:
        return ""
    rest = posixpath.relpath(container_path, best)
    return source if rest == "." else posixpath.join(source, rest)


def config_path():
    env = config()["services"]["api"].get("environment", {})
    return env.get("CONFIG_PATH") or "/app/librechat.yaml"


if args[:1] == ["ps"]:
    # `docker ps --filter label=com.docker.compose.project.working_dir=<dir> ...`: that project's container
    filters = [a.split("=", 2)[2] for a in args if a.startswith("label=com.docker.compose.project.working_dir=")]
    if filters:
        CWD = filters[0]
        FIXTURES = os.path.join(STATE, os.path.basename(CWD))
    labels = fixture("labels")
    print(",".join(os.path.join(CWD, n) for n in labels.split()) if labels else "")
    sys.exit(0)
if args[:1] == ["inspect"]:
    started = fixture("started")
    print(started.strip() if started else "2026-01-01T00:00:00.000000000Z")
    sys.exit(0)
if args[:1] != ["compose"]:
    sys.exit(f"docker stand-in: {args} is not served")
rest = args[1:]
while rest[:1] == ["-f"]:
    files.append(rest[1])
    rest = rest[2:]
for name in files:
    if not os.path.exists(os.path.join(CWD, name)):
        sys.exit(f"open {name}: no such file or directory")
command = rest[:1]
if command == ["config"]:
    print(json.dumps(config(), indent=2))
elif command == ["up"]:
    with open(os.path.join(FIXTURES, "started"), "w", encoding="utf-8") as handle:
        handle.write(time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime()) + "\n")
    print(" Container LibreChat-API  Recreated", file=sys.stderr)
elif command == ["logs"]:
    path = host_file(config_path())
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    if path and os.path.isfile(path):
        print(f"{stamp} info: Custom config file loaded:")
        print(f'{stamp} info: {{"version": "fixture"}}')
    else:
        print(f"{stamp} info: Custom config file missing or YAML format invalid.")
    print(f"{stamp} info: Server listening on all interfaces at port 3080. Use http://localhost:3080 to access it")
elif command == ["exec"]:
    path = host_file(rest[-1])
    if not path or not os.path.isfile(path):
        sys.exit(f"sha256sum: {rest[-1]}: No such file or directory")
    with open(path, "rb") as handle:
        print(f"{hashlib.sha256(handle.read()).hexdigest()}  {rest[-1]}")
elif command == ["ps"]:
    print("4f2a9c1b7e3d")
else:
    sys.exit(f"docker stand-in: compose {rest} is not served")
