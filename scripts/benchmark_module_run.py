"""Where the time of one AWS module run goes, in ansible-core's own steps, module by module:

- the build: ansible-core making the module's AnsiballZ payload on the controller (its module_utils found and
  zipped: `module_common.modify_module`), with the run's payload cache (`ansiballz_cache` under the local tmp)
  emptied before each build, as every module's first run in an `ansible-playbook` run finds it;
- the AnsiballZ run: `python AnsiballZ_<module>.py`, as a host runs it (the wrapper decodes the payload and imports
  from it as a zip, compiling each bundled source it imports);
- the same payload unpacked (`explode`) and run from the directory (`execute`), its bytecode cached: the module
  alone, without the wrapper.

Each module runs against the emulator with a read that finds nothing (`MODULES`), kept as Ansible left it on the host
(ANSIBLE_KEEP_REMOTE_FILES); the AnsiballZ and unpacked runs alternate, `--repeat` times each. Prints medians.

    PYTHONPATH=tests .venv/bin/python scripts/benchmark_module_run.py
    PYTHONPATH=tests .venv/bin/python scripts/benchmark_module_run.py --repeat 12 invocation_logging_info
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools import LOCAL_PLAYBOOK, emulator, emulator_env

REGION = "us-east-1"
# the AWS modules a no-change site runs, one each, with arguments for a read on an empty account
MODULES = {
    "inference_profile": f"region={REGION} name=lcb-module-run state=absent",
    "invocation_logging_info": f"region={REGION}",
    "invocation_logs_info": f"region={REGION}",
}


@functools.cache
def plugin_loader_ready(init) -> None:
    init([])


def build_seconds(name: str, repeat: int) -> list[float]:
    """Wall time of each build of the module's payload, the run's payload cache emptied before each."""
    from ansible import constants as C
    from ansible.executor import module_common
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader, module_loader
    from ansible.template import Templar

    plugin_loader_ready(init_plugin_loader)
    path = module_loader.find_plugin_with_context(f"librechat.bedrock.{name}").plugin_resolved_path
    templar = Templar(loader=DataLoader())
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
            module_compression="ZIP_DEFLATED",
        )
        times.append(time.perf_counter() - start)
    return times


def kept_payload(name: str, env: dict[str, str], where: Path) -> Path:
    """The AnsiballZ file Ansible leaves on the host for the module's arguments (a failed read is kept as well)."""
    remote_tmp = where / "remote"
    subprocess.run(
        [
            "ansible",
            *LOCAL_PLAYBOOK[1:],
            "localhost",
            "-m",
            f"librechat.bedrock.{name}",
            "-a",
            MODULES[name],
        ],
        env=env | {"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(remote_tmp)},
        capture_output=True,
        check=False,
    )
    found = sorted(remote_tmp.glob(f"*/AnsiballZ_{name}.py"))
    if not found:
        raise SystemExit(f"Ansible left no AnsiballZ_{name}.py under {remote_tmp}")
    payload = where / found[0].name
    shutil.copy(found[0], payload)
    return payload


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES), help=f"any of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--repeat", type=int, default=8, help="runs of each kind, alternating (median)")
    args = parser.parse_args()
    unknown = sorted(set(args.modules) - set(MODULES))
    if unknown:
        parser.error(f"not a module this measures: {', '.join(unknown)} (choose from {', '.join(MODULES)})")
    with emulator() as endpoint, tempfile.TemporaryDirectory(prefix="lcb-module-run-") as tmp:
        env = emulator_env(endpoint)
        print("| module | build (controller) | AnsiballZ run | unpacked, bytecode cached | the wrapper's share |")
        print("| --- | --- | --- | --- | --- |")
        # the builds run in this process: ansible-core reads its settings (collections, local tmp) at import
        os.environ.update(env)
        for name in args.modules:
            where = Path(tmp) / name
            where.mkdir()
            payload = kept_payload(name, env, where)
            zipped = [sys.executable, str(payload)]
            unpacked = [*zipped, "execute"]
            subprocess.run([*zipped, "explode"], env=env, cwd=where, capture_output=True, check=True)
            timed(unpacked, env, where)  # caches the unpacked sources' bytecode
            runs: dict[str, list[float]] = {"zip": [], "unpacked": []}
            for _run in range(args.repeat):
                runs["zip"].append(timed(zipped, env, where))
                runs["unpacked"].append(timed(unpacked, env, where))
            build = statistics.median(build_seconds(name, args.repeat))
            zip_s, unpacked_s = (statistics.median(runs[k]) for k in ("zip", "unpacked"))
            print(f"| {name} | {build:.3f} s | {zip_s:.3f} s | {unpacked_s:.3f} s | {zip_s - unpacked_s:.3f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
