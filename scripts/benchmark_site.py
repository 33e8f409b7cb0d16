"""`librechat.bedrock.site` end to end on one emulator (`make benchmark`), every row of docs/performance.md's
site table in one invocation, for one checkout (`--root`, default this one), with each LibreChat restart method
`--restart` names (default both):

- `none`: each LibreChat host a local connection with its own LibreChat directory, `librechat_config_restart:
  none` (no LibreChat runs);
- `docker_compose` (the role's default): each host also runs a real LibreChat, the image scripts/librechat_image.py
  builds, on the project's Docker engine, started as make demo starts it (scripts/demo.py: `docker compose -f
  deploy-compose.yml up -d api` in the host's directory) with host networking on a port of its own; the host's
  directory, and so its compose project, is named `lcb-bench-<pid>-<n>`. Every container is taken down at the end.

The rows, for each method: the first run on an empty account and the run that changes nothing (the demo's
inventory: four models, three profiles, logging, one LibreChat host); each play alone on the converged account
(profiles, logging, librechat, verify); the floor: a one-task playbook, which is what `ansible-playbook` costs
before any work; the run that changes nothing with several LibreChat hosts (`--hosts`, default 1, 10 and 50 with
`none`; `--compose-hosts`, default 1 and 5 with `docker_compose`: five LibreChat processes of 60-100 MB each are
what a 2-core machine holds beside the runs without the containers' own work skewing the times), each with its
own directory holding the converged files, run with `-f 10` (`--forks`); `site --check` on an empty account.
With `none`, for scale and not a target, the same host counts run a playbook of Ansible alone: as many tasks per
host as a converged LibreChat host runs in site (11 debug tasks and one ping), whose slope is what Ansible's own
task machinery costs per extra host.
Then, once, the 20-model row of scripts/benchmark_roles.py (the inference_profiles role against the guide's shell
loop). `--quick` keeps only the rows the targets need (check mode, first run, nothing to change, floor, the host
rows, the 20-model row).

The run that changes nothing, each play alone and the floor are each the median of `--repeat` runs, the many-host
rows of `--repeat-hosts`; check mode and the first run are one run each (they need an empty account).
What is counted:

- AWS calls and writes: the emulator's log of each run.
- tasks per host: the tasks that ran on a LibreChat host (a result for it: ok, changed, failed, skipped or
  unreachable; includes and handlers count, Ansible's implicit flush_handlers does not), in the plays that run on
  LibreChat hosts (librechat and verify), counted by the callback scripts/benchmark/callback/host_counts.py.
- module runs per host: Python starts on the host. Each host's `ansible_python_interpreter` is a small script that
  notes the start and execs this Python, so every module Ansible runs there is one start, including the several
  an action plugin may run in one task, and nothing that runs no module (`set_fact`, `assert`, `debug`, `meta`, a
  skipped task) is one. The controller's (localhost: the AWS modules, and what is delegated to it) are counted
  apart. The script notes each module's name too: `--json` lists which ran on the first host and the controller.
- tasks: the task banners Ansible prints, for the whole run.

Wall times are compared only within one invocation, as ratios to its own floor: the machine is shared and noisy.

Targets (docs/performance.md), judged for each restart method; the script prints each as met or MISSED with its
numbers and exits 1 when one is missed:

| target | judged on |
| --- | --- |
| a converged LibreChat host: at most 2 module runs per host | every no-change `site` row, the most of any host |
| a converged LibreChat host: at most 15 tasks per host | every no-change `site` row, the most of any host |
| no-change `site`, 1 host: at most 8x the floor | wall time, median |
| each extra LibreChat host: at most 0.5x the floor | least-squares slope of wall time over the host rows |
| a run that changes nothing: 0 AWS writes, nothing changed | every no-change row |
| check mode: 0 AWS writes | `site --check`, empty account |
| the AWS side runs once per run | the same AWS calls in every host row |
| 20 models, first run: at most 0.5x the guide's shell loop | scripts/benchmark_roles.py's rows, judged there |
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import benchmark_roles
import demo
import docker_engine
import librechat_image
from devtools import COLLECTIONS, ROOT, emulator, emulator_env, installed_amazon_aws

from emulator import Control

TASK = re.compile(r"^(?:TASK|RUNNING HANDLER) \[", re.MULTILINE)
FLOOR = """\
- name: The floor, one task
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: hello
"""
# For scale, with restart none: what Ansible alone costs per host for as many tasks as a converged LibreChat host
# runs in site (12), each doing nothing but one module run (ping, as the reading is one) and 11 debug tasks.
BARE_TASKS = 12
BARE = (
    "- name: Ansible alone, 12 tasks per host\n  hosts: librechat\n  gather_facts: false\n  tasks:\n"
    + "".join(
        f"    - name: Task {i}\n      ansible.builtin.debug:\n        msg: hello {{{{ inventory_hostname }}}}\n"
        for i in range(1, BARE_TASKS)
    )
    + "    - name: One module run\n      ansible.builtin.ping:\n"
)
CALLBACKS = ROOT / "scripts" / "benchmark" / "callback"
CONTROLLER = "localhost"
RESTARTS = ("none", "docker_compose")
# The targets, as docs/performance.md states them
MAX_MODULE_RUNS = 2
MAX_TASKS = 15
MAX_FLOORS_ONE_HOST = 8.0
MAX_FLOORS_PER_HOST = 0.5
NO_CHANGE = "nothing to change"


class Bench:
    def __init__(
        self, root: Path, tmp: Path, control: Control, env: dict[str, str], restart: str, amazon: Path | None = None
    ):
        self.root = root
        self.tmp = tmp
        self.control = control
        self.restart = restart
        self.started: list[Path] = []
        self.counts = tmp / "counts.json"
        self.starts = tmp / "starts"
        # ansible.cfg of the checkout applies (its cwd); its own collection is the one librechat.bedrock names
        self.env = benchmark_roles.collection_env(root, tmp, env, amazon) | {
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "host_counts",
            "LIBRECHAT_BENCH_COUNTS": str(self.counts),
        }
        (tmp / "floor.yml").write_text(FLOOR)
        (tmp / "bare.yml").write_text(BARE)

    def interpreter(self, host: str) -> str:
        """The host's Python: a script that notes each start (a line appended to starts/<host>: the module's
        AnsiballZ file name, empty when the module comes on stdin) and execs this Python."""
        path = self.tmp / "python" / host
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            note = shlex.quote(str(self.starts / host))
            path.write_text(
                f'#!/bin/sh\nprintf \'%s\\n\' "${{1##*/}}" >> {note}\nexec {shlex.quote(sys.executable)} "$@"\n'
            )
            path.chmod(0o755)
        return str(path)

    def inventory(self, hosts: int) -> Path:
        """The demo's inventory with `hosts` LibreChat hosts, each a local connection with its own directory, and
        the controller (localhost, where the AWS plays run) named so that its Python starts are counted too."""
        directory = self.tmp / f"inventory-{hosts}"
        if directory.exists():
            return directory / "inventory.yml"
        directory.mkdir()
        (directory / "group_vars").symlink_to((self.root / "examples" / "demo" / "group_vars").resolve())
        for i in range(1, hosts + 1):
            if not self.host_dir(i).exists():
                demo.prepare(self.host_dir(i), demo.free_port())
        entries = {host_name(i): self.host_vars(i) for i in range(1, hosts + 1)}
        controller = {"ansible_connection": "local", "ansible_python_interpreter": self.interpreter(CONTROLLER)}
        inventory = {"all": {"hosts": {CONTROLLER: controller}, "children": {"librechat": {"hosts": entries}}}}
        (directory / "inventory.yml").write_text(json.dumps(inventory, indent=1))
        return directory / "inventory.yml"

    def host_vars(self, i: int) -> dict:
        entry = {
            "ansible_connection": "local",
            "ansible_python_interpreter": self.interpreter(host_name(i)),
            "librechat_config_dir": str(self.host_dir(i)),
            "librechat_config_restart": self.restart,
            "librechat_config_compose_override": False,
        }
        if self.restart == "docker_compose":
            entry["librechat_config_health_url"] = f"http://127.0.0.1:{demo.librechat_port(self.host_dir(i))}/health"
        return entry

    def host_dir(self, i: int) -> Path:
        # the directory's name is its compose project's: lcb-bench-<pid>-<n> collides with no other project
        return self.tmp / "hosts" / f"lcb-bench-{os.getpid()}-{i:03d}"

    def start(self, hosts: int) -> None:
        """With docker_compose, LibreChat running on each of the first `hosts` hosts (started as make demo does)."""
        if self.restart != "docker_compose":
            return
        self.inventory(hosts)
        for i in range(1, hosts + 1):
            if self.host_dir(i) not in self.started:
                self.started.append(self.host_dir(i))
                demo.start_librechat(self.env, self.host_dir(i))

    def stop(self) -> None:
        for directory in self.started:
            demo.stop_librechat(self.env, directory)

    def run(self, playbook: str | Path, hosts: int = 1, *extra: str) -> dict:
        path = Path(playbook) if str(playbook).endswith(".yml") else self.root / "playbooks" / f"{playbook}.yml"
        cmd = ["ansible-playbook", "-i", str(self.inventory(hosts)), *extra, str(path)]
        self.control.clear_calls()
        shutil.rmtree(self.starts, ignore_errors=True)
        self.starts.mkdir()
        self.counts.unlink(missing_ok=True)
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        result = subprocess.run(cmd, cwd=self.root, env=self.env, check=False, capture_output=True, text=True)
        seconds = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            print(result.stdout[-20000:], result.stderr[-5000:], sep="\n", file=sys.stderr)
            raise SystemExit(f"exit {result.returncode}: {' '.join(cmd)}")
        calls = self.control.calls()
        modules = {p.name: Counter(p.read_text().splitlines()) for p in self.starts.iterdir()}
        starts = {host: modules[host].total() for host in modules}
        tasks = Counter()
        task_names: dict[str, list[str]] = {}
        counted = json.loads(self.counts.read_text())
        for play in counted["plays"]:
            for host, counts in play["hosts"].items():
                tasks[host] += counts["tasks"]
                task_names.setdefault(host, []).extend(counts["names"])
        names = [host_name(i) for i in range(1, hosts + 1)] if "floor" not in path.name else []
        return {
            "seconds": seconds,
            # CPU seconds of ansible-playbook and everything it ran (less noisy than wall time on a busy machine)
            "cpu": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
            "tasks": len(TASK.findall(result.stdout)),
            "host_tasks": [tasks[h] for h in names],
            "host_module_runs": [starts.get(h, 0) for h in names],
            "controller_module_runs": starts.get(CONTROLLER, 0),
            # which modules ran where (--json): the first LibreChat host's and the controller's
            "modules": {h: dict(modules.get(h, {})) for h in (*names[:1], CONTROLLER)},
            # and the tasks that ran on the first LibreChat host, in order (--json)
            "first_host_tasks": task_names.get(names[0], []) if names else [],
            # the wall time of each task (and play start), banner to banner
            "task_seconds": counted.get("seconds", []),
            "calls": calls["count"],
            "writes": calls["writes"],
            "changed": sum(demo.changed_counts(result.stdout).values()),
            "by_service": dict(Counter(c["service"] for c in calls["calls"])),
        }

    def median(self, repeat: int, *args) -> dict:
        runs = [self.run(*args) for _run in range(repeat)]
        best = dict(runs[0])
        best["seconds"] = statistics.median(r["seconds"] for r in runs)
        best["cpu"] = statistics.median(r["cpu"] for r in runs)
        best["runs"] = [round(r["seconds"], 2) for r in runs]
        best["changed"] = max(r["changed"] for r in runs)
        best["writes"] = max(r["writes"] for r in runs)
        for key in ("host_tasks", "host_module_runs"):
            best[key] = [max(column) for column in zip(*(r[key] for r in runs), strict=True)]
        return best

    def spread(self, hosts: int) -> None:
        """Every host's directory holds the files host 1 converged to (the same inventory gives them the same),
        and, with docker_compose, a LibreChat started from them."""
        self.inventory(hosts)
        for i in range(2, hosts + 1):
            for name in ("librechat.yaml", ".env"):
                target = self.host_dir(i) / name
                # each LibreChat keeps its own port
                text = (self.host_dir(1) / name).read_text()
                if name == ".env":
                    text = re.sub(r"(?m)^PORT=\d+$", f"PORT={demo.librechat_port(self.host_dir(i))}", text)
                target.write_text(text)
                shutil.copymode(self.host_dir(1) / name, target)
        self.start(hosts)


def host_name(i: int) -> str:
    return f"librechat-{i:03d}"


def hosts_row(hosts: int, forks: int) -> str:
    return f"{hosts} hosts, {NO_CHANGE} (-f {forks})"


def bare_row(hosts: int, forks: int) -> str:
    return f"Ansible alone, {BARE_TASKS} tasks per host, {hosts} hosts (-f {forks})"


def measure_restart(
    root: Path,
    restart: str,
    repeat: int,
    repeat_hosts: int,
    host_counts: list[int],
    forks: int,
    quick: bool,
    amazon: Path | None = None,
) -> dict[str, dict]:
    rows: dict[str, dict] = {}
    with ExitStack() as stack:
        endpoint = stack.enter_context(emulator())
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lcb-site-")))
        env = emulator_env(endpoint)
        if restart == "docker_compose":
            # an engine found running is left as it is: only the benchmark's own containers are taken down
            stack.enter_context(docker_engine.engine(clean_found=False))
            env = docker_engine.client_env(env)
            librechat_image.build(env)
        control = Control(endpoint)
        bench = Bench(root, tmp, control, env, restart, amazon)
        stack.callback(bench.stop)
        bench.start(1)
        control.reset()
        # a target (no AWS write), so --quick keeps it
        rows["check mode, empty account"] = bench.run("site", 1, "--check")
        control.reset()
        rows["first run"] = bench.run("site", 1)
        rows[NO_CHANGE] = bench.median(repeat, "site", 1)
        if not quick:
            for play in ("profiles", "logging", "librechat", "verify"):
                # alone, verify would wait for invocation records of every mapped profile (nobody sent a request
                # here); in site it waits only for those of its own requests (none by default): the same here
                extra = ("-e", "verify_invocation_logs_wait_for=invoked") if play == "verify" else ()
                rows[f"{play} alone, {NO_CHANGE}"] = bench.median(repeat, play, 1, *extra)
        rows["floor (one task)"] = bench.median(repeat, tmp / "floor.yml", 1)
        for hosts in host_counts:
            bench.spread(hosts)
            rows[hosts_row(hosts, forks)] = bench.median(repeat_hosts, "site", hosts, "-f", str(forks))
        if restart == "none":
            for hosts in host_counts:
                rows[bare_row(hosts, forks)] = bench.median(repeat_hosts, tmp / "bare.yml", hosts, "-f", str(forks))
    return rows


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of seconds over hosts."""
    mean_x = statistics.mean(x for x, _y in points)
    mean_y = statistics.mean(y for _x, y in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _y in points)


def spread_text(values: list[int]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    return str(high) if low == high else f"{low}-{high}"


def report(restart: str, rows: dict[str, dict], host_counts: list[int], forks: int) -> list[tuple[str, bool]]:
    """Print the table of one restart method; return its targets, each (text, met)."""
    print(f"\n### librechat_config_restart: {restart}\n")
    print(
        "| run | wall s (median) | runs | CPU s | tasks | tasks per host | module runs per host | controller module "
        "runs | AWS calls | writes | changed | calls by service |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        services = ", ".join(f"{k} {v}" for k, v in sorted(r["by_service"].items()))
        runs = " ".join(str(s) for s in r.get("runs", [round(r["seconds"], 2)]))
        print(
            f"| {name} | {r['seconds']:.1f} | {runs} | {r['cpu']:.1f} | {r['tasks']} | {spread_text(r['host_tasks'])} "
            f"| {spread_text(r['host_module_runs'])} | {r['controller_module_runs']} | {r['calls']} | {r['writes']} | "
            f"{r['changed']} | {services} |"
        )
    floor = rows["floor (one task)"]["seconds"]
    floor_cpu = rows["floor (one task)"]["cpu"]
    one = rows[NO_CHANGE]
    many = {h: rows[hosts_row(h, forks)] for h in host_counts}
    site_rows = [one, *many.values()]
    module_runs = max(max(r["host_module_runs"]) for r in site_rows)
    tasks = max(max(r["host_tasks"]) for r in site_rows)
    targets = [
        (
            f"a converged LibreChat host, no-change site: {module_runs} module runs per host at most "
            f"(target <= {MAX_MODULE_RUNS})",
            module_runs <= MAX_MODULE_RUNS,
        ),
        (
            f"a converged LibreChat host, no-change site: {tasks} tasks per host at most (target <= {MAX_TASKS})",
            tasks <= MAX_TASKS,
        ),
        (
            f"no-change site, 1 host: {one['seconds'] / floor:.1f}x the floor ({one['seconds']:.2f} / {floor:.2f} s; "
            f"in CPU {one['cpu'] / floor_cpu:.1f}x; target <= {MAX_FLOORS_ONE_HOST:g}x)",
            one["seconds"] / floor <= MAX_FLOORS_ONE_HOST,
        ),
    ]
    if len(host_counts) > 1:
        per_host = slope([(h, many[h]["seconds"]) for h in host_counts])
        cpu = slope([(h, many[h]["cpu"]) for h in host_counts])
        walls = " / ".join(f"{many[h]['seconds']:.1f}" for h in host_counts)
        targets.append(
            (
                f"each extra LibreChat host: {per_host / floor:.2f}x the floor ({per_host:.2f} s wall, {cpu:.2f} s CPU "
                f"= {cpu / floor_cpu:.2f}x the floor's CPU, per host, fitted to {'/'.join(map(str, host_counts))} "
                f"hosts: {walls} s; target <= {MAX_FLOORS_PER_HOST:g}x)",
                per_host / floor <= MAX_FLOORS_PER_HOST,
            )
        )
    bare = {h: rows[bare_row(h, forks)] for h in host_counts if bare_row(h, forks) in rows}
    if len(bare) > 1:
        # not a target: how much of the per-host target Ansible's own task machinery takes in this sitting
        per_host = slope([(h, r["seconds"]) for h, r in bare.items()])
        cpu = slope([(h, r["cpu"]) for h, r in bare.items()])
        print(
            f"\nfor scale, Ansible alone ({BARE_TASKS} tasks per host: {BARE_TASKS - 1} debug, 1 ping): "
            f"{per_host:.2f} s wall, {cpu:.2f} s CPU per extra host = {per_host / floor:.2f}x the floor"
        )
    unchanged = {name: r for name, r in rows.items() if NO_CHANGE in name}
    writes = {name: r["writes"] for name, r in unchanged.items() if r["writes"]}
    changed = {name: r["changed"] for name, r in unchanged.items() if r["changed"]}
    targets.append(
        (
            f"a run that changes nothing: {sum(writes.values())} AWS writes, changed={sum(changed.values())} over "
            f"{len(unchanged)} rows {writes or ''}{changed or ''}(target 0 and 0)",
            not writes and not changed,
        )
    )
    if "check mode, empty account" in rows:
        written = rows["check mode, empty account"]["writes"]
        targets.append((f"check mode on an empty account: {written} AWS writes (target 0)", written == 0))
    calls = [many[h]["calls"] for h in host_counts]
    targets.append(
        (
            f"the AWS side once per run: {' / '.join(map(str, calls))} AWS calls with "
            f"{' / '.join(map(str, host_counts))} hosts (target: the same)",
            len(set(calls)) == 1,
        )
    )
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument(
        "--restart", choices=(*RESTARTS, "both"), default="both", help="librechat_config_restart of the hosts"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed row (median)")
    parser.add_argument("--repeat-hosts", type=int, default=1, help="runs per many-host row (median)")
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 10, 50], help="host counts with restart none")
    parser.add_argument(
        "--compose-hosts", type=int, nargs="+", default=[1, 5], help="host counts with restart docker_compose"
    )
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument(
        "--amazon-aws",
        type=Path,
        help="a collections directory holding ansible_collections/amazon/aws, to measure with that amazon.aws "
        "(default: the bootstrapped one)",
    )
    parser.add_argument("--quick", action="store_true", help="only the rows the targets need")
    parser.add_argument("--json", type=Path, help="also write the rows there")
    args = parser.parse_args()
    root = args.root.resolve()
    # linked from a temporary directory: a relative path would not resolve there
    args.amazon_aws = args.amazon_aws.resolve() if args.amazon_aws else None
    restarts = RESTARTS if args.restart == "both" else (args.restart,)
    started = time.monotonic()
    results: dict[str, dict] = {}
    targets = []
    amazon = installed_amazon_aws(args.amazon_aws or COLLECTIONS)
    print(f"\nsite benchmark of {root}, with amazon.aws {amazon}")
    # each method's table as soon as it is measured (and in --json), so a later failure loses none of it
    for restart in restarts:
        host_counts = args.compose_hosts if restart == "docker_compose" else args.hosts
        rows = measure_restart(
            root, restart, args.repeat, args.repeat_hosts, host_counts, args.forks, args.quick, args.amazon_aws
        )
        results[restart] = rows
        targets += [(f"[{restart}] {text}", met) for text, met in report(restart, rows, host_counts, args.forks)]
        if args.json:
            args.json.write_text(json.dumps({"root": str(root), "amazon.aws": amazon, "restarts": results}, indent=1))
    roles = benchmark_roles.measure(root, args.amazon_aws)
    print()
    benchmark_roles.table(roles)
    targets += [(f"[20 models] {text}", met) for text, met in benchmark_roles.targets(roles)]
    print(f"\ntargets (measured in {time.monotonic() - started:.0f} s):")
    for text, met in targets:
        print(f"{'met   ' if met else 'MISSED'} {text}")
    if args.json:
        args.json.write_text(
            json.dumps({"root": str(root), "amazon.aws": amazon, "restarts": results, "roles": roles}, indent=1)
        )
    return 0 if all(met for _text, met in targets) else 1


if __name__ == "__main__":
    os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
    sys.exit(main())
