"""What one LibreChat host's reads cost with compose, this checkout against another revision, in one sitting:
librechat_files_info's `gather()` (the deployment reading of the librechat_config role) and `observe()` (the
verify role's observation: the log, the file in the container, the start time, librechat_process.js; given the
running container that side's `gather()` found, as the verify role passes the reading's) called alternately,
`--repeat` times each, on one real LibreChat that the project's Docker engine runs (the image
scripts/librechat_image.py builds, started as make demo starts it, with the demo's files). Prints each one's
median and least wall time, and whether both revisions judged the deployment and the observation alike
(plugins/plugin_utils/deployment.py on this checkout's side).

    PYTHONPATH=tests .venv/bin/python scripts/benchmark_host_reads.py --before HEAD~1

Wall time here is the Docker CLI's and the engine's: the module's own start (its Python, AnsibleModule) is the
same in both and is left out. Only the module file comes from the other revision: both sides import this
checkout's module_utils and judge with its plugin_utils.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import demo
import docker_engine
import librechat_image
from devtools import COLLECTIONS, ROOT, base_env

MODULE = "plugins/modules/librechat_files_info.py"


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def settings(directory: Path, observe: bool, container: str = "") -> dict:
    from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import DEPLOYMENT_SPEC

    p = {key: spec.get("default") for key, spec in DEPLOYMENT_SPEC.items()}
    p.update(dir=str(directory), compose_dir=str(directory), env_path=str(directory / ".env"))
    p["yaml_path"] = str(directory / "librechat.yaml")
    if observe:
        p.update(
            compose_files=[str(directory / "deploy-compose.yml")],
            container_path="/app/librechat.yaml",
            process_script=(ROOT / "roles" / "verify" / "files" / "librechat_process.js").read_text(),
            process_variables=["BEDROCK_AWS_DEFAULT_REGION"],
            container=container,
        )
    return p


def judged(kind: str, raw: dict, directory: Path):
    from ansible_collections.librechat.bedrock.plugins.action.librechat_deployment_info import ARGUMENT_SPEC
    from ansible_collections.librechat.bedrock.plugins.plugin_utils import deployment

    if kind == "observe":
        return deployment.observation(raw)
    s = {key: spec.get("default") for key, spec in ARGUMENT_SPEC.items()}
    s.update(dir=str(directory), compose_dir=str(directory), env_path=str(directory / ".env"), region="us-east-1")
    s["yaml_path"] = str(directory / "librechat.yaml")
    return deployment.describe(raw, s, deployment.read(raw, s))[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--before", default="HEAD", help="the revision to compare with (default: HEAD)")
    parser.add_argument("--repeat", type=int, default=12)
    args = parser.parse_args()
    sys.path.insert(0, str(COLLECTIONS))
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lcb-reads-")))
        before = tmp / "before.py"
        before.write_text(
            subprocess.run(
                ["git", "show", f"{args.before}:{MODULE}"], cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout
        )
        sides = {args.before: load(before, "before_files_info"), "this checkout": load(ROOT / MODULE, "files_info")}
        stack.enter_context(docker_engine.engine(clean_found=False))
        # the tools' environment (ANSIBLE_HOME, HOME in the checkout): judging imports ansible-core, whose local tmp
        # would otherwise be made under the user's ~/.ansible
        env = docker_engine.client_env(base_env())
        librechat_image.build(env)
        directory = tmp / f"lcb-reads-{os.getpid()}"
        demo.prepare(directory, demo.free_port())
        stack.callback(demo.stop_librechat, env, directory)
        demo.start_librechat(env, directory)
        os.environ.update(env)  # the reads run the docker CLI against the project's engine
        times: dict[tuple[str, str], list[float]] = {}
        results: dict[tuple[str, str], object] = {}
        for _round in range(args.repeat):
            for side, module in sides.items():
                found = ""
                for kind in ("gather", "observe"):
                    start = time.monotonic()
                    raw = getattr(module, kind)(settings(directory, kind == "observe", found))
                    times.setdefault((kind, side), []).append(time.monotonic() - start)
                    results[(kind, side)] = judged(kind, raw, directory)
                    if kind == "gather":
                        found = results[(kind, side)]["container"]
        print(f"\n| read | {args.before}: median (least) | this checkout: median (least) | ratio | judged alike |")
        print("| --- | --- | --- | --- | --- |")
        for kind in ("gather", "observe"):
            old, new = times[(kind, args.before)], times[(kind, "this checkout")]
            alike = results[(kind, args.before)] == results[(kind, "this checkout")]
            print(
                f"| {kind} | {statistics.median(old):.3f} s ({min(old):.3f}) | {statistics.median(new):.3f} s "
                f"({min(new):.3f}) | {statistics.median(new) / statistics.median(old):.2f} | {alike} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
