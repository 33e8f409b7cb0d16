"""What ansible-core's own steps add to one module run, for the modules a no-change site runs:

- the build: ansible-core making the module's AnsiballZ payload on the controller (its module_utils found and
  zipped: `module_common.modify_module`), with the run's payload cache (`ansiballz_cache` under the local tmp)
  emptied before each build, as the module's first run in an `ansible-playbook` run finds it;
- the AnsiballZ run: `python AnsiballZ_<module>.py`, as a host runs it: the wrapper decodes the payload into a zip
  and imports the module and its module_utils from it, compiling each one it imports (a zip holds no bytecode);
- the same payload unpacked (`explode`) and run from that directory (`execute`), its bytecode cached by a first
  run. The wrapper still decodes the payload there, so the difference of the two is what importing from the zip,
  compiling every source, costs against a directory import with bytecode.

Each module runs against the emulator with a read that changes nothing (`MODULES`; the log group the logs read
asks for is created first), kept as Ansible left it on the host (ANSIBLE_KEEP_REMOTE_FILES); the AnsiballZ and
unpacked runs alternate, `--repeat` times each, and every run must answer as the first did. Prints medians.

    PYTHONPATH=tests .venv/bin/python scripts/benchmark_module_run.py
    PYTHONPATH=tests .venv/bin/python scripts/benchmark_module_run.py --repeat 12 invocation_logging_info
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from devtools import LOCAL_PLAYBOOK, emulator, emulator_env

REGION = "us-east-1"
LOG_GROUP = "lcb-module-run"
# the modules a no-change site runs, each with arguments for a read that changes nothing on the emulator
MODULES = {
    "inference_profile": f"region={REGION} name=lcb-module-run state=absent",
    "invocation_logging_info": f"region={REGION}",
    "invocation_logs_info": f"region={REGION} log_group_name={LOG_GROUP}",
    "librechat_files_info": "paths=/etc/hostname",
}
PLUGIN_LOADER = {"ready": False}


def build_seconds(name: str, repeat: int) -> list[float]:
    """Wall time of each build of the module's payload, the run's payload cache emptied before each."""
    from ansible import constants as C
    from ansible.executor import module_common
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader, module_loader
    from ansible.template import Templar

    if not PLUGIN_LOADER["ready"]:
        init_plugin_loader([])
        PLUGIN_LOADER["ready"] = True
    path = module_loader.find_plugin_with_context(f"librechat.bedrock.{name}").plugin_resolved_path
    if not path:
        raise SystemExit(f"librechat.bedrock.{name} is not found on the collections path")
    templar = Templar(loader=DataLoader())
    # where ansible-core keeps the payloads of a run (module_common._find_module_utils); checked below, so a move in
    # a later release stops this script instead of timing cache hits as builds
    cache = Path(C.DEFAULT_LOCAL_TMP) / "ansiballz_cache"
    times = []
    for _build in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        module_common.modify_module(
            module_name=name,
            module_path=path,
            module_args=dict(item.split("=", 1) for item in MODULES[name].split()),
            templar=templar,
            task_vars={"ansible_python_interpreter": sys.executable},
            module_compression=C.config.get_config_value("DEFAULT_MODULE_COMPRESSION"),
        )
        times.append(time.perf_counter() - start)
        if not any(cache.glob(f"*{name}*")):
            raise SystemExit(f"no payload of {name} in {cache} after a build: ansible-core keeps them elsewhere now")
    return times


def kept_payload(name: str, env: dict[str, str], where: Path) -> Path:
    """The AnsiballZ file Ansible leaves on the host for the module's arguments."""
    remote_tmp = where / "remote"
    done = subprocess.run(
        ["ansible", *LOCAL_PLAYBOOK[1:], "localhost", "-m", f"librechat.bedrock.{name}", "-a", MODULES[name]],
        env=env | {"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(remote_tmp)},
        capture_output=True,
        text=True,
        check=False,
    )
    found = sorted(remote_tmp.glob(f"*/AnsiballZ_{name}.py"))
    if done.returncode != 0 or not found:
        raise SystemExit(f"the {name} run failed (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    payload = where / found[0].name
    shutil.copy(found[0], payload)
    return payload


def answer(done: subprocess.CompletedProcess) -> str:
    """What a module run answered, without what varies from run to run: failed or not, and its message."""
    try:
        result = json.loads(done.stdout)
    except ValueError:
        return f"no JSON (exit {done.returncode}): {done.stdout[-300:]}{done.stderr[-300:]}"
    return f"failed: {result.get('msg')}" if result.get("failed") else "ok"


def timed(argv: list[str], env: dict[str, str], cwd: Path, expected: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if answer(done) != expected:
        raise SystemExit(f"{' '.join(argv)} answered {answer(done)!r}, the first run {expected!r}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0].rstrip(":"))
    parser.add_argument("modules", nargs="*", default=list(MODULES), help=f"any of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--repeat", type=int, default=8, help="runs of each kind, alternating (median; at least 1)")
    args = parser.parse_args()
    unknown = sorted(set(args.modules) - set(MODULES))
    if unknown:
        parser.error(f"not a module this measures: {', '.join(unknown)} (choose from {', '.join(MODULES)})")
    if args.repeat < 1:
        parser.error(f"--repeat {args.repeat}: give 1 or more")
    with emulator() as endpoint, tempfile.TemporaryDirectory(prefix="lcb-module-run-") as tmp:
        env = emulator_env(endpoint)
        # bytecode is what the unpacked runs are compared with: a PYTHONDONTWRITEBYTECODE of the caller would keep
        # them compiling every source, as the AnsiballZ runs do
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # the builds run in this process: ansible-core reads its settings (collections, local tmp) at import
        os.environ.update(env)
        boto3.client("logs", region_name=REGION).create_log_group(logGroupName=LOG_GROUP)
        print("| module | build (controller) | AnsiballZ run | unpacked, bytecode cached | difference | answer |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name in args.modules:
            where = Path(tmp) / name
            where.mkdir()
            payload = kept_payload(name, env, where)
            zipped = [sys.executable, str(payload)]
            unpacked = [*zipped, "execute"]
            done = subprocess.run([*zipped, "explode"], env=env, cwd=where, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"{payload.name} explode failed: {done.stdout}{done.stderr}")
            # the first run of each kind: what every later run must answer, and the unpacked sources' bytecode
            expected = answer(subprocess.run(zipped, env=env, cwd=where, capture_output=True, text=True, check=False))
            timed(unpacked, env, where, expected)
            if not any((where / "debug_dir").rglob("__pycache__/*.pyc")):
                raise SystemExit(f"the unpacked {name} left no bytecode under {where / 'debug_dir'}")
            runs: dict[str, list[float]] = {"zip": [], "unpacked": []}
            for _run in range(args.repeat):
                runs["zip"].append(timed(zipped, env, where, expected))
                runs["unpacked"].append(timed(unpacked, env, where, expected))
            build = statistics.median(build_seconds(name, args.repeat))
            zip_s, unpacked_s = (statistics.median(runs[k]) for k in ("zip", "unpacked"))
            print(
                f"| {name} | {build:.3f} s | {zip_s:.3f} s | {unpacked_s:.3f} s | {zip_s - unpacked_s:.3f} s "
                f"| {expected} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
