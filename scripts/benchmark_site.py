"""`librechat.bedrock.site` end to end on one emulator (`make benchmark`), every row of docs/performance.md's
site table in one invocation, for one checkout (`--root`, default this one):

- the first run on an empty account and the run that changes nothing (the demo's inventory: four models, three
  profiles, logging, one LibreChat host on a local connection with its own directory);
- each play alone on the converged account (profiles, logging, librechat, verify);
- the floor: a one-task playbook, which is what `ansible-playbook` costs before any work;
- the run that changes nothing with 1, 10 and 50 LibreChat hosts (`--hosts`), each a local connection with its
  own LibreChat directory holding the converged files, run with `-f 10` (`--forks`);
- `site --check` on an empty account.

Each timed row is the median of `--repeat` runs (`--repeat-hosts` for the many-host rows); the emulator counts
every AWS call and write of each run, and the tasks are the task banners Ansible prints. Wall times are compared
only within one invocation, as ratios to its own floor and first run: the machine is shared and noisy.

Targets (docs/performance.md) it judges, and exits 1 when one is missed: a run that changes nothing makes no AWS
write and changes nothing on any host; check mode makes no write; the AWS calls of a run that changes nothing do
not grow with the number of hosts. The wall-time targets are printed as ratios, not judged.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import demo
from devtools import COLLECTIONS, ROOT, emulator, emulator_env

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


class Bench:
    def __init__(self, root: Path, tmp: Path, control: Control, env: dict[str, str]):
        self.root = root
        self.tmp = tmp
        self.control = control
        # ansible.cfg of the checkout applies (its cwd); its own collection is the one librechat.bedrock names
        collections = tmp / "collections" / "ansible_collections"
        (collections / "librechat").mkdir(parents=True)
        (collections / "librechat" / "bedrock").symlink_to(root)
        (collections / "amazon").symlink_to(COLLECTIONS / "ansible_collections" / "amazon")
        self.env = env | {
            "ANSIBLE_COLLECTIONS_PATH": str(tmp / "collections"),
            "PYTHONPATH": os.pathsep.join([str(tmp / "collections"), str(ROOT / "tests")]),
            "ANSIBLE_NOCOLOR": "1",
        }
        (tmp / "floor.yml").write_text(FLOOR)

    def inventory(self, hosts: int) -> Path:
        """The demo's inventory with `hosts` LibreChat hosts, each a local connection with its own directory."""
        directory = self.tmp / f"inventory-{hosts}"
        if directory.exists():
            return directory / "inventory.yml"
        directory.mkdir()
        (directory / "group_vars").symlink_to((self.root / "examples" / "demo" / "group_vars").resolve())
        entries = {
            host_name(i): {
                "ansible_connection": "local",
                "librechat_config_dir": str(self.host_dir(i)),
                "librechat_config_restart": "none",
                "librechat_config_compose_override": False,
            }
            for i in range(1, hosts + 1)
        }
        inventory = {"all": {"children": {"librechat": {"hosts": entries}}}}
        (directory / "inventory.yml").write_text(json.dumps(inventory, indent=1))
        for i in range(1, hosts + 1):
            if not self.host_dir(i).exists():
                demo.prepare(self.host_dir(i))
        return directory / "inventory.yml"

    def host_dir(self, i: int) -> Path:
        return self.tmp / "hosts" / host_name(i)

    def run(self, playbook: str | Path, hosts: int = 1, *extra: str) -> dict:
        path = Path(playbook) if str(playbook).endswith(".yml") else self.root / "playbooks" / f"{playbook}.yml"
        cmd = [
            "ansible-playbook",
            "-i",
            str(self.inventory(hosts)),
            "-e",
            f"ansible_python_interpreter={sys.executable}",
        ]
        cmd += [*extra, str(path)]
        self.control.clear_calls()
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        result = subprocess.run(cmd, cwd=self.root, env=self.env, check=False, capture_output=True, text=True)
        seconds = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            print(result.stdout[-20000:], result.stderr[-5000:], sep="\n", file=sys.stderr)
            raise SystemExit(f"exit {result.returncode}: {' '.join(cmd)}")
        calls = self.control.calls()
        return {
            "seconds": seconds,
            # CPU seconds of ansible-playbook and everything it ran (less noisy than wall time on a busy machine)
            "cpu": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
            "tasks": len(TASK.findall(result.stdout)),
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
        return best

    def spread(self, hosts: int) -> None:
        """Every host's directory holds the files host 1 converged to (the same inventory gives them the same)."""
        self.inventory(hosts)
        for i in range(2, hosts + 1):
            for name in ("librechat.yaml", ".env"):
                shutil.copy2(self.host_dir(1) / name, self.host_dir(i) / name)


def host_name(i: int) -> str:
    return f"librechat-{i:03d}"


def measure(root: Path, repeat: int, repeat_hosts: int, host_counts: list[int], forks: int) -> dict:
    rows: dict[str, dict] = {}
    with emulator() as endpoint, tempfile.TemporaryDirectory(prefix="lcb-site-") as tmp:
        control = Control(endpoint)
        bench = Bench(root, Path(tmp), control, emulator_env(endpoint))
        control.reset()
        rows["check mode, empty account"] = bench.run("site", 1, "--check")
        control.reset()
        rows["first run"] = bench.run("site", 1)
        rows["nothing to change"] = bench.median(repeat, "site", 1)
        for play in ("profiles", "logging", "librechat", "verify"):
            # alone, verify would wait for invocation records of every mapped profile (nobody sent a request
            # here); in site it waits only for those of its own requests (none by default): the same here
            extra = ("-e", "verify_invocation_logs_wait_for=invoked") if play == "verify" else ()
            rows[f"{play} alone, nothing to change"] = bench.median(repeat, play, 1, *extra)
        rows["floor (one task)"] = bench.median(repeat, Path(tmp) / "floor.yml", 1)
        for hosts in host_counts:
            bench.spread(hosts)
            rows[f"{hosts} hosts, nothing to change (-f {forks})"] = bench.median(
                repeat_hosts, "site", hosts, "-f", str(forks)
            )
    return rows


def report(root: Path, rows: dict[str, dict], host_counts: list[int], forks: int) -> list[str]:
    print(f"\nsite benchmark of {root}")
    print("\n| run | wall s (median) | runs | CPU s | tasks | AWS calls | writes | changed | calls by service |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        services = ", ".join(f"{k} {v}" for k, v in sorted(r["by_service"].items()))
        runs = " ".join(str(s) for s in r.get("runs", [round(r["seconds"], 2)]))
        print(
            f"| {name} | {r['seconds']:.1f} | {runs} | {r['cpu']:.1f} | {r['tasks']} | {r['calls']} | {r['writes']} | "
            f"{r['changed']} | {services} |"
        )
    first, again, floor = rows["first run"], rows["nothing to change"], rows["floor (one task)"]
    print(f"\nnothing to change / first run = {again['seconds'] / first['seconds']:.2f}")
    print(f"nothing to change / floor = {again['seconds'] / floor['seconds']:.1f}")
    many = {h: rows[f"{h} hosts, nothing to change (-f {forks})"] for h in host_counts}
    low = min(host_counts)
    for hosts in host_counts:
        if hosts != low:
            growth = (many[hosts]["seconds"] - many[low]["seconds"]) / (hosts - low)
            cpu = (many[hosts]["cpu"] - many[low]["cpu"]) / (hosts - low)
            print(
                f"growth per host, {low} to {hosts} hosts = {growth:.2f} s wall ({growth / floor['seconds']:.2f} "
                f"floors), {cpu:.2f} s CPU"
            )
    missed = []
    for name, r in rows.items():
        if "nothing to change" in name and (r["writes"] or r["changed"]):
            missed.append(f"{name}: {r['writes']} AWS writes, changed={r['changed']}")
    if rows["check mode, empty account"]["writes"]:
        missed.append("check mode wrote to AWS")
    if len({many[h]["calls"] for h in host_counts}) > 1:
        missed.append(f"AWS calls grow with the hosts: {[many[h]['calls'] for h in host_counts]}")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed row (median)")
    parser.add_argument("--repeat-hosts", type=int, default=1, help="runs per many-host row (median)")
    parser.add_argument("--hosts", type=int, nargs="+", default=[1, 10, 50], help="LibreChat host counts")
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the rows there")
    args = parser.parse_args()
    root = args.root.resolve()
    rows = measure(root, args.repeat, args.repeat_hosts, args.hosts, args.forks)
    missed = report(root, rows, args.hosts, args.forks)
    if args.json:
        args.json.write_text(json.dumps({"root": str(root), "rows": rows}, indent=1))
    for message in missed:
        print(f"target missed: {message}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
    sys.exit(main())
