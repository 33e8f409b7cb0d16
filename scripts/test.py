"""Run every test of the collection, in order, stopping at the first failing stage.

Stages: lint, sanity, unit, integration, matrix, molecule, e2e, package, ee. Each prints one summary line
(`PASS stage  12.3s  detail`); the last line counts the stages that passed and failed.
Run through `make test` (which bootstraps .venv first) or `.venv/bin/python scripts/test.py [STAGE ...]`.

Integration tests and molecule scenarios talk to the local AWS emulator (tests/emulator), started here
on a free loopback port and reached through AWS_ENDPOINT_URL, exactly as real AWS would be.

`integration-aws` (`make integration-aws`, never part of `make test` or CI) runs the same integration targets
against a real AWS account with the ordinary credential chain; see DEVELOPERS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import docker_engine
import librechat_image
import yaml
from devtools import (
    EMULATOR_ENV,
    GALAXY_IMPORTER_VENV,
    MATRIX,
    NEWEST,
    NSPAWN_SCENARIO,
    REMOTE_TMP,
    ROOT,
    Cell,
    base_env,
    checkout_files,
    emulator,
    emulator_env,
    node_missing,
    nspawn_missing,
    on_ci,
    run,
)
from devtools import CommandFailed as StageFailed

STAGES = ("lint", "sanity", "unit", "integration", "matrix", "molecule", "e2e", "package", "ee")
# Stages that run LibreChat in containers: the project's Docker engine (scripts/docker_engine.py) is started once
# for all of them, with the LibreChat image built (or found current) on it, and stopped by PID at the end.
DOCKER_STAGES = ("molecule", "e2e", "ee")
# Stages only run when named: they need a real AWS account.
AWS_STAGES = ("integration-aws",)
# --only: integration targets and molecule scenarios (ROLE or ROLE/SCENARIO) to run instead of all of them.
ONLY: list[str] = []


def prerequisite_missing(missing: str | None) -> bool:
    """True when something a check needs is missing here: print the one line that says what and how to get it,
    and skip the check; on CI (devtools.on_ci) fail instead, since CI runs everything."""
    if missing is None:
        return False
    if on_ci():
        raise StageFailed(missing)
    print(f"  SKIP {missing}", flush=True)
    return True


def require_cell(cell: Cell) -> None:
    """A matrix cell's venv is made by the bootstrap; say in one line what is missing when it is not there."""
    if not cell.python_path.exists():
        raise StageFailed(
            f"no venv for the {cell.name} cell ({cell.label}): install Python {cell.python} "
            f"(e.g. 'pyenv install {cell.python}'), then run 'make setup'"
        )


@contextmanager
def collection_tree(cell: Cell = NEWEST):
    """A copy of the collection at <tmp>/ansible_collections/librechat/bedrock, next to the cell's amazon.aws,
    which is the layout ansible-test requires."""
    with tempfile.TemporaryDirectory(prefix="lcb-tree-") as tmp:
        root = Path(tmp) / "ansible_collections"
        tree = root / "librechat" / "bedrock"
        for name in checkout_files():
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
        shutil.copytree(cell.collections / "ansible_collections" / "amazon", root / "amazon", symlinks=True)
        yield tree


def stage_lint() -> str:
    run(["yamllint", "-s", "."])
    run(["ruff", "check", "."])
    run(["ruff", "format", "--check", "."])
    run(["antsibull-changelog", "lint"])
    run([sys.executable, "scripts/shared_specs.py", "--check"])  # the shared librechat_bedrock_* options current
    # The docs site builds with warnings as errors and its pages render in headless Chromium (scripts/docs_site.py).
    run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/docs"])
    # The controller judges librechat.yaml with a JSON Schema generated from the pinned librechat-data-provider:
    # it must be the one those packages give (needs Node.js and tests/librechat_schema/node_modules).
    schema_check = ""
    if not prerequisite_missing(node_missing()):
        run(["node", "tests/librechat_schema/gen_schema.js", "--check"])
        schema_check = ", LibreChat schema current"
    yaml_content = [p for p in ("roles", "playbooks") if any((ROOT / p).rglob("*.yml"))]
    if yaml_content:
        # --offline: resolve this collection through ANSIBLE_COLLECTIONS_PATH (the checkout's link) instead of
        # installing a copy of it into the cache, where it would shadow the checkout.
        run(["ansible-lint", "--offline", "--profile", "production", *yaml_content])
    return (
        "yamllint, ruff, antsibull-changelog, shared role options current, docs site builds and renders"
        + schema_check
        + (", ansible-lint" if yaml_content else "")
    )


def stage_sanity(cell: Cell = NEWEST) -> str:
    with collection_tree(cell) as tree:
        run(
            ["ansible-test", "sanity", "--python", cell.python, "--venv", "--color", "no"], cwd=tree, env=base_env(cell)
        )
    return f"ansible-test sanity (python {cell.python})"


def stage_unit(cell: Cell = NEWEST) -> str:
    # Another cell runs the collection's unit tests (tests/unit/plugins); the emulator's and the scripts' own tests
    # (tests/unit/aws_emulator, tests/unit/scripts) run on the toolchain those always run on.
    tests = "tests/unit" if cell is NEWEST else "tests/unit/plugins"
    run([cell.python_path, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests], env=base_env(cell))
    if cell is not NEWEST or prerequisite_missing(node_missing()):
        return f"pytest {tests}"
    # The LibreChat app's own tests (tests/librechat_app): its start-up as LibreChat's, with Node's test runner.
    run(["node", "--test", "test/"], cwd=ROOT / "tests" / "librechat_app")
    return f"pytest {tests}, node --test tests/librechat_app"


def integration_targets() -> list[str]:
    base = ROOT / "tests" / "integration" / "targets"
    if not base.exists():
        return []
    return sorted(
        p.name
        for p in base.iterdir()
        if (p / "aliases").exists() and "hidden" not in (p / "aliases").read_text().split()
    )


def resource_prefix() -> str:
    """A prefix for every resource one run creates, as ansible-test's cloud plugins give amazon.aws's targets:
    run-specific, so runs never collide and a real account shows what a run left; short and lower-case, so it
    fits IAM role names (64) and S3 bucket names."""
    return f"lcb-{secrets.token_hex(4)}"


def write_integration_config(tree: Path, values: dict) -> None:
    """tests/integration/integration_config.yml, the variables ansible-test hands every target. With them the
    remote_tmp base_env() sets, which ansible-test does not pass on to the playbooks it runs (it keeps only a few
    variables of its environment): as a variable, it reaches each target's play."""
    config = tree / "tests" / "integration" / "integration_config.yml"
    values = values | {"ansible_remote_tmp": REMOTE_TMP}
    config.write_text("---\n" + yaml.safe_dump(values, sort_keys=False))


def stage_integration(cell: Cell = NEWEST) -> str:
    targets = [t for t in integration_targets() if not ONLY or t in ONLY]
    if not targets:
        raise StageFailed("no integration targets under tests/integration/targets")
    with emulator() as endpoint, collection_tree(cell) as tree:
        write_integration_config(
            tree,
            {
                "aws_is_emulator": True,
                "aws_endpoint_url": endpoint,
                "aws_access_key": EMULATOR_ENV["AWS_ACCESS_KEY_ID"],
                "aws_secret_key": EMULATOR_ENV["AWS_SECRET_ACCESS_KEY"],
                "aws_region": EMULATOR_ENV["AWS_REGION"],
                "resource_prefix": resource_prefix(),
                "emulator_python": sys.executable,
            },
        )
        run(
            ["ansible-test", "integration", "--python", cell.python, "--color", "no", *targets],
            cwd=tree,
            env=base_env(cell),
        )
    return f"{len(targets)} targets: {', '.join(targets)}"


# The stages a cell of the version matrix runs.
CELL_STAGES = ("sanity", "unit", "integration")


def stage_matrix(cells: tuple[Cell, ...] = tuple(c for c in MATRIX if c is not NEWEST)) -> str:
    """sanity, unit and integration on the other cells of the version matrix (devtools.MATRIX): the newest cell is
    the main toolchain, which the sanity, unit and integration stages already ran."""
    done = []
    for cell in cells:
        require_cell(cell)
        for name in CELL_STAGES:
            print(f"--- {cell.name} {name} ({cell.label})", flush=True)
            t0 = time.monotonic()
            globals()[f"stage_{name}"](cell)
            done.append(f"{cell.name} {name} {time.monotonic() - t0:.0f}s")
    return f"{', '.join(done)} ({'; '.join(c.label for c in cells)})"


def aws_account_env() -> dict[str, str]:
    """The tools' environment with the ordinary AWS credential chain (AWS_PROFILE included) and no endpoint
    override, so every call goes to AWS itself."""
    env = base_env()
    if "AWS_PROFILE" in os.environ:
        env["AWS_PROFILE"] = os.environ["AWS_PROFILE"]
    for name in list(env):
        if name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_"):
            del env[name]
    return env


def stage_integration_aws() -> str:
    """The integration targets against a real AWS account: never run by `make test` or CI."""
    targets = [t for t in integration_targets() if not ONLY or t in ONLY]
    if not targets:
        raise StageFailed("no integration targets under tests/integration/targets")
    env = aws_account_env()
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if not region:
        raise StageFailed("integration-aws needs a region: set AWS_REGION (for example us-east-1)")
    # Resolve the credential chain here: ansible-test hands its targets only a few environment variables (no
    # AWS_*), so the keys go into integration_config.yml, as amazon.aws's ansible-test cloud plugin passes them.
    resolve = (
        "import boto3, json; s = boto3.session.Session(); c = s.get_credentials().get_frozen_credentials(); "
        "print(json.dumps({'arn': s.client('sts').get_caller_identity()['Arn'], 'key': c.access_key, "
        "'secret': c.secret_key, 'token': c.token}))"
    )
    # The credential chain reads ~/.aws (config, credentials, the SSO cache) under the user's own HOME.
    user_home = {"HOME": os.environ["HOME"]} if "HOME" in os.environ else {}
    identity = subprocess.run(
        [sys.executable, "-c", resolve], env=env | user_home, capture_output=True, text=True, check=False
    )
    if identity.returncode != 0:
        last = (identity.stderr.strip().splitlines() or ["no output"])[-1]
        raise StageFailed(
            f"integration-aws needs AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, "
            f"or an instance role) for a sandbox account: {last}"
        )
    found = json.loads(identity.stdout)
    prefix = resource_prefix()
    print(f"  AWS as {found['arn']} in {region}; resources named {prefix}-*", flush=True)
    with collection_tree() as tree:
        # No endpoint: every call goes to AWS. The config lives in the temporary tree only.
        config = {"aws_is_emulator": False, "aws_region": region, "resource_prefix": prefix}
        config |= {"aws_access_key": found["key"], "aws_secret_key": found["secret"]}
        if found["token"]:
            config["aws_session_token"] = found["token"]
        write_integration_config(tree, config)
        run(
            ["ansible-test", "integration", "--python", NEWEST.python, "--color", "no", *targets],
            cwd=tree,
            env=env,
        )
    return f"{len(targets)} targets against AWS in {region} (prefix {prefix}): {', '.join(targets)}"


def molecule_scenarios() -> list[str]:
    """Scenario names (role/scenario) under extensions/molecule, the collection layout molecule runs from the
    collection root."""
    base = ROOT / "extensions" / "molecule"
    names = sorted(str(p.parent.relative_to(base)) for p in base.glob("*/*/molecule.yml"))
    return [n for n in names if not ONLY or n in ONLY or n.split("/")[0] in ONLY]


def stage_molecule() -> str:
    scenarios = molecule_scenarios()
    if not scenarios:
        raise StageFailed("no molecule scenario under extensions/molecule")
    with emulator() as endpoint:
        env = emulator_env(endpoint) | {"NO_COLOR": "1", "ANSIBLE_NOCOLOR": "1"}
        ran = []
        for scenario in scenarios:
            if scenario == NSPAWN_SCENARIO and prerequisite_missing(nspawn_missing()):
                continue
            run(["molecule", "test", "-s", scenario], cwd=ROOT, env=env)
            ran.append(scenario)
    skipped = sorted(set(scenarios) - set(ran))
    return f"{len(ran)} scenarios: {', '.join(ran)}" + (f"; skipped {', '.join(skipped)}" if skipped else "")


def stage_e2e() -> str:
    """The demo's path (playbooks site and verify) end to end against the emulator (tests/e2e)."""
    with emulator() as endpoint:
        env = emulator_env(endpoint)
        run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/e2e"], env=env)
    return "pytest tests/e2e (site, verify, second run, site --check)"


# galaxy-importer's settings: Galaxy's own checks, all on (ansible-test needs a container runtime Galaxy provides).
GALAXY_IMPORTER_SETTINGS = {
    "run_ansible_doc": True,
    "run_ansible_lint": True,
    "offline_ansible_lint": True,
    "run_flake8": True,
    "check_required_tags": True,
    "check_changelog": True,
    "run_ansible_test": False,
}
# Warnings galaxy-importer prints that are not about this collection's code, each with why. Everything else it
# calls a WARNING or an ERROR fails the stage. Its flake8 run is `flake8 --isolated --select E,F,W` (constants.py),
# which turns back on the pycodestyle checks pycodestyle and flake8 leave off by default.
GALAXY_IMPORTER_NOT_OURS = (
    # It hands flake8 the file ansible-doc names for each filter: the YAML documentation ansible-core reads next to
    # a filter plugin file (plugins/filter/<name>.yml), which is not Python (galaxy-importer PR #286, still open).
    re.compile(r"^WARNING: plugins/(filter|test)/[^/:]+\.ya?ml:\d+:\d+: E999 "),
    # W503 (line break before a binary operator) is off by default in pycodestyle because PEP 8 recommends exactly
    # that break for new code; ruff format, the project's formatter, writes it.
    re.compile(r"^WARNING: plugins/\S+\.py:\d+:\d+: W503 line break before binary operator$"),
    # E203 (whitespace before ':') misreads slices with expressions: PEP 8 asks for the spaces there, treating the
    # colon as a binary operator; ruff format writes them (its docs list E203 as incompatible with formatting).
    re.compile(r"^WARNING: plugins/\S+\.py:\d+:\d+: E203 whitespace before ':'$"),
)


def galaxy_importer(tarball: Path, workdir: Path) -> list[str]:
    """Run galaxy-importer on the tarball as Galaxy does on upload, without the collection's dependencies (Galaxy
    installs none: it replaces ANSIBLE_COLLECTIONS_PATH with the unpacked collection's own path); return its ERROR
    and WARNING lines that are ours. base_env()'s PYTHONPATH would hand it amazon.aws (ansible-core and ansible-lint
    also look for collections on sys.path), so it is dropped."""
    python = GALAXY_IMPORTER_VENV / "bin" / "python"
    if not python.exists():
        raise StageFailed(f"no galaxy-importer venv at {GALAXY_IMPORTER_VENV.relative_to(ROOT)}: run 'make setup'")
    tmp = workdir / "galaxy-importer"
    tmp.mkdir()
    config = tmp / "galaxy-importer.cfg"
    settings = GALAXY_IMPORTER_SETTINGS | {"ansible_local_tmp": tmp / "ansible-tmp", "tmp_root_dir": tmp}
    config.write_text("[galaxy-importer]\n" + "".join(f"{key} = {value}\n" for key, value in settings.items()))
    env = base_env() | {
        "PATH": f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GALAXY_IMPORTER_CONFIG": str(config),
    }
    for name in ("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH"):
        env.pop(name, None)
    printable = f"{python} -m galaxy_importer.main {tarball}"
    print(f"  $ {printable}", flush=True)
    result = subprocess.run(
        [str(python), "-m", "galaxy_importer.main", str(tarball)],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    print("\n".join(f"    {line}" for line in output.splitlines()), flush=True)
    if result.returncode != 0 or "Importer processing completed successfully" not in output:
        raise StageFailed(f"galaxy-importer failed (exit {result.returncode}): {printable}")
    return [
        line
        for line in output.splitlines()
        if line.startswith(("ERROR", "WARNING")) and not any(known.match(line) for known in GALAXY_IMPORTER_NOT_OURS)
    ]


def stage_package() -> str:
    with tempfile.TemporaryDirectory(prefix="lcb-pkg-") as tmp:
        tmp_path = Path(tmp)
        with collection_tree() as tree:
            run(["ansible-galaxy", "collection", "build", "--output-path", tmp_path], cwd=tree)
        tarball = next(tmp_path.glob("librechat-bedrock-*.tar.gz"))
        install_root = tmp_path / "installed"
        shutil.copytree(
            NEWEST.collections / "ansible_collections" / "amazon",
            install_root / "ansible_collections" / "amazon",
            symlinks=True,
        )
        env = base_env() | {"ANSIBLE_COLLECTIONS_PATH": str(install_root)}
        run(["ansible-galaxy", "collection", "install", "--offline", "-p", install_root, tarball], env=env)
        listing = subprocess.run(
            ["ansible-doc", "-l", "librechat.bedrock"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
        missing = [m for m in modules if f"librechat.bedrock.{m}" not in listing.stdout]
        if listing.returncode != 0 or missing:
            raise StageFailed(f"ansible-doc -l librechat.bedrock is missing {missing}: {listing.stderr.strip()}")
        members = subprocess.run(["tar", "tzf", tarball], capture_output=True, text=True, check=True).stdout.split()
        leaked = [name for name in members if name.startswith(("tests/", "scripts/", ".ci/", "extensions/molecule/"))]
        if leaked:
            raise StageFailed(f"the built tarball carries development files: {leaked[:5]}")
        # meta/execution-environment.yml names its files relative to the collection root (how ansible-builder
        # reads it from an installed collection); build a context from an EE definition that uses it that way.
        meta = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text())
        deps = {kind: str(ROOT / name) for kind, name in meta["dependencies"].items()}
        missing_files = [name for name in deps.values() if not Path(name).is_file()]
        if missing_files:
            raise StageFailed(f"meta/execution-environment.yml names missing files: {missing_files}")
        definition = tmp_path / "execution-environment.yml"
        definition.write_text(
            yaml.safe_dump({"version": 3, "dependencies": deps | {"galaxy": str(ROOT / "requirements.yml")}})
        )
        context = tmp_path / "ee-context"
        run(["ansible-builder", "create", "-f", definition, "-c", context])
        if not any((context / name).exists() for name in ("Containerfile", "Dockerfile")):
            raise StageFailed("ansible-builder create wrote no Containerfile or Dockerfile")
        findings = galaxy_importer(tarball, tmp_path)
        if findings:
            raise StageFailed(f"galaxy-importer reported {len(findings)}: " + " | ".join(findings))
    return (
        f"{tarball.name} installs, ansible-doc lists {len(modules)} modules, ansible-builder context ok,"
        " galaxy-importer clean"
    )


# The execution environment (scripts/ee_image.py): built or reused, then `librechat.bedrock.site` run inside it
# with ansible-navigator as AWX runs a job: the collection from the image, AWS credentials from the environment,
# the LibreChat host over SSH with a machine credential (a key).
EE_HOST = "lcb-ee"
# What no image may carry: a private key (a PEM block with its base64 body: ssh and cryptography name the header
# alone, botocore's examples write a placeholder) or an AWS access key ID (AWS's documented ones end in EXAMPLE).
EE_SECRET_TEXT = re.compile(
    rb"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{64}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b(?<!EXAMPLE)"
)
EE_SECRET_NAMES = re.compile(
    r"(^|/)(\.env|\.aws/credentials|\.aws/config|id_(rsa|dsa|ecdsa|ed25519)|\.netrc|\.pgpass)$"
)
EE_SECRET_ENV = re.compile(r"^(AWS_|[A-Z_]*(SECRET|TOKEN|PASSWORD|PRIVATE)[A-Z_]*=)")


def ee_docker(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=False, **kwargs)


def ee_in_image(image: str, *command: str) -> str:
    """A command's output in a fresh container of the image, with no network."""
    result = ee_docker("run", "--rm", "--network=none", image, *command)
    if result.returncode != 0:
        raise StageFailed(f"{' '.join(command)} failed in {image}: {result.stderr.strip()[-1500:]}")
    return result.stdout


def ee_botocore_floor() -> str:
    """The highest botocore floor the collection names: requirements.txt, the modules' requirements and the one
    module_utils checks at run time (require_botocore_at_least)."""
    from packaging.version import Version

    floors = re.findall(r"^botocore\s*>=\s*([\d.]+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    floors += re.findall(r'^BOTOCORE_MIN = "([\d.]+)"', (ROOT / "plugins/module_utils/bedrock.py").read_text(), re.M)
    for module in (ROOT / "plugins" / "modules").glob("*.py"):
        floors += re.findall(r"^\s*-\s*botocore\s*>=\s*([\d.]+)", module.read_text(), re.MULTILINE)
    if not floors:
        raise StageFailed("no botocore floor found in requirements.txt or plugins/")
    return str(max(Version(floor) for floor in floors))


def ee_image_checks(image: str) -> dict[str, str]:
    """Inside the image: every module's documentation, the collection's version, the botocore floor; and no
    secret in its history, its environment or its files. Returns the versions it holds."""
    from packaging.version import Version

    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    docs = json.loads(ee_in_image(image, "ansible-doc", "--json", *(f"librechat.bedrock.{m}" for m in modules)))
    undocumented = [m for m in modules if not docs.get(f"librechat.bedrock.{m}", {}).get("doc")]
    if undocumented:
        raise StageFailed(f"ansible-doc in {image} has no documentation for {undocumented}")
    listed = json.loads(ee_in_image(image, "ansible-galaxy", "collection", "list", "--format", "json"))
    installed = {name: info["version"] for path in listed.values() for name, info in path.items()}
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    if installed.get("librechat.bedrock") != version:
        raise StageFailed(f"{image} holds librechat.bedrock {installed.get('librechat.bedrock')}, galaxy.yml {version}")
    probe = (
        "import json, sys, ansible, ansible_runner, boto3, botocore; from importlib.metadata import version; "
        "print(json.dumps({'python': sys.version.split()[0], 'ansible-core': ansible.__version__, "
        "'ansible-runner': version('ansible-runner'), 'boto3': boto3.__version__, 'botocore': botocore.__version__}))"
    )
    versions = json.loads(ee_in_image(image, "python3", "-c", probe))
    versions |= {name: installed[name] for name in sorted(installed)}
    floor = ee_botocore_floor()
    if Version(versions["botocore"]) < Version(floor):
        raise StageFailed(f"{image} has botocore {versions['botocore']}, the collection needs >= {floor}")
    ee_no_secrets(image)
    return versions


def ee_collection_only_checks(image: str) -> str:
    """The EE of this collection alone (amazon.aws not installed): meta/execution-environment.yml brought boto3,
    botocore at the floor and PyYAML, and ansible-doc reads a module."""
    from packaging.version import Version

    listed = json.loads(ee_in_image(image, "ansible-galaxy", "collection", "list", "--format", "json"))
    installed = sorted(name for path in listed.values() for name in path)
    if installed != ["librechat.bedrock"]:
        raise StageFailed(f"{image} should hold librechat.bedrock alone, it holds {installed}")
    probe = "import boto3, botocore, yaml; print(botocore.__version__)"
    botocore = ee_in_image(image, "python3", "-c", probe).strip()
    if Version(botocore) < Version(ee_botocore_floor()):
        raise StageFailed(f"{image} has botocore {botocore}, the collection needs >= {ee_botocore_floor()}")
    doc = json.loads(ee_in_image(image, "ansible-doc", "--json", "librechat.bedrock.inference_profile"))
    if not doc.get("librechat.bedrock.inference_profile", {}).get("doc"):
        raise StageFailed(f"ansible-doc in {image} has no documentation for librechat.bedrock.inference_profile")
    return f"{image}: botocore {botocore} from meta/execution-environment.yml, ansible-doc ok"


def ee_no_secrets(image: str) -> None:
    """No credential in the image's history (build arguments and commands), its environment, or its files."""
    history = ee_docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout
    found = [line[:120] for line in history.splitlines() if EE_SECRET_TEXT.search(line.encode())]
    found += [line[:120] for line in history.splitlines() if re.search(r"\b(AWS_[A-Z_]+|[A-Z_]*SECRET[A-Z_]*)=", line)]
    env = json.loads(ee_docker("image", "inspect", "--format", "{{json .Config.Env}}", image).stdout)
    found += [f"ENV {item.split('=')[0]}" for item in env if EE_SECRET_ENV.match(item)]
    container = ee_docker("create", image).stdout.strip()
    try:
        export = subprocess.Popen(["docker", "export", container], stdout=subprocess.PIPE)
        with tarfile.open(fileobj=export.stdout, mode="r|") as tar:
            for member in tar:
                if EE_SECRET_NAMES.search(member.name):
                    found.append(member.name)
                elif member.isfile() and member.size <= 1 << 20:
                    data = tar.extractfile(member).read()
                    if EE_SECRET_TEXT.search(data):
                        found.append(member.name)
        export.wait()
    finally:
        ee_docker("rm", "-f", container)
    if found:
        raise StageFailed(f"{image} carries what looks like a secret: {found[:10]}")


def ee_inventory(directory: Path, host: dict) -> Path:
    """The example inventory's group_vars, with the booted host in group librechat, reached over SSH with its key
    (a machine credential), LibreChat restarted by systemd."""
    inventory = directory / "inventory"
    shutil.copytree(ROOT / "examples" / "inventory" / "group_vars", inventory / "group_vars")
    key = directory / "machine-credential"
    shutil.copy2(host["key"], key)
    # the EE runs as uid 1000; ssh refuses a key others can read, so it is that user's, mode 0600
    os.chown(key, 1000, 0)
    key.chmod(0o600)
    hosts = {
        "all": {
            "children": {
                "librechat": {
                    "hosts": {
                        EE_HOST: {
                            "ansible_host": "127.0.0.1",
                            "ansible_port": host["port"],
                            "ansible_user": "root",
                            "ansible_ssh_private_key_file": str(key),
                            "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
                            "ansible_python_interpreter": "/usr/bin/python3",
                            "librechat_config_restart": "systemd",
                            "librechat_config_systemd_unit": "librechat",
                            "librechat_config_health_url": f"http://127.0.0.1:{host['librechat_port']}/health",
                        }
                    }
                }
            }
        }
    }
    (inventory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    return inventory


def ee_navigator(image: str, directory: Path, inventory: Path, playbook: str, env: dict[str, str]) -> str:
    """ansible-navigator run of a playbook of the collection inside the EE, as AWX runs a job; its output. The
    directory (inventory, key) is its working directory, which navigator mounts into the container."""
    command = [
        "ansible-navigator", "run", playbook, "-i", str(inventory), "--mode", "stdout",
        "--ee", "true", "--ce", "docker", "--eei", image, "--pp", "never", "--co=--network=host",
        "--pae", "false", "--dc", "false",
        "--lf", str(directory / "navigator.log"), "--ll", "warning",
        "--penv", "AWS_ACCESS_KEY_ID", "--penv", "AWS_SECRET_ACCESS_KEY",
        "--senv", f"AWS_ENDPOINT_URL={env['AWS_ENDPOINT_URL']}", "--senv", f"AWS_REGION={env['AWS_REGION']}",
        "--senv", "ANSIBLE_NOCOLOR=1",
    ]  # fmt: skip
    print(f"  $ {' '.join(command)}", flush=True)
    result = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True, check=False)
    # ansible-runner's event stream rides in the output as terminal escapes (each event's data, base64); a log
    # is easier to read without them
    output = re.sub(r"\x1b\[K(?:[A-Za-z0-9+/=]+\x1b\[\d+D)?", "", result.stdout)
    print("\n".join(f"    {line}" for line in output.splitlines() if line.strip()), flush=True)
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr, flush=True)
        raise StageFailed(f"ansible-navigator run {playbook} in {image} failed (exit {result.returncode})")
    return output


def stage_ee() -> str:
    """The execution environment built or reused (scripts/ee_image.py), checked inside, then `site` run in it twice
    with ansible-navigator against the emulator and a LibreChat host over SSH: the second run changes nothing."""
    import ee_image

    if prerequisite_missing(ee_image.base_missing(docker_engine.client_env())):
        return "skipped: no base image and none can be made here"
    t0 = time.monotonic()
    try:
        built = ee_image.build(docker_engine.client_env())
    except ee_image.ImageError as error:
        raise StageFailed(f"the execution environment did not build: {error}") from error
    image = built["image"]
    rebuilt = built["built"] or built["collection_only"]["built"]
    how = f"built in {built['seconds']}s" if rebuilt else f"reused in {built['seconds']}s"
    size = int(ee_docker("image", "inspect", "--format", "{{.Size}}", image).stdout.strip()) // 10**6
    versions = ee_image_checks(image)
    only = ee_collection_only_checks(built["collection_only"]["image"])
    checked = f"{image} ({size} MB, {how}; checks {time.monotonic() - t0:.0f}s): " + ", ".join(
        f"{name} {version}" for name, version in versions.items()
    )
    checked += f"; {only}"
    if prerequisite_missing(nspawn_missing()):
        return checked + "; site not run (no LibreChat host)"
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    from demo import changed_counts

    from emulator.control import Control

    with tempfile.TemporaryDirectory(prefix="lcb-ee-run-") as tmp, emulator() as endpoint:
        directory = Path(tmp)
        directory.chmod(0o755)
        state_file = directory / "nspawn.json"
        nspawn = [sys.executable, str(ROOT / "scripts" / "nspawn_host.py")]
        try:
            run([*nspawn, "create", "--name", EE_HOST, "--state", state_file])
            inventory = ee_inventory(directory, json.loads(state_file.read_text()))
            # the job's environment is the EE's own: none of the toolchain's Ansible settings (its collections
            # path would shadow the image's), only AWS's variables, passed as AWX's credential injects them
            env = {
                k: v for k, v in emulator_env(endpoint).items() if not k.startswith("ANSIBLE_") and k != "PYTHONPATH"
            }
            env |= docker_engine.client_env({})
            control = Control(endpoint)
            control.reset()
            ee_navigator(image, directory, inventory, "librechat.bedrock.site", env)
            profiles = len(control.state()["application_inference_profiles"])
            models = yaml.safe_load((inventory / "group_vars" / "all.yml").read_text())["librechat_bedrock_models"]
            if profiles != len([m for m in models if m.get("profile", True)]):
                raise StageFailed(f"site in the EE left {profiles} profiles for the inventory's {len(models)} models")
            control.clear_calls()
            output = ee_navigator(image, directory, inventory, "librechat.bedrock.site", env)
            calls = control.calls()
        finally:
            run([*nspawn, "destroy", "--name", EE_HOST, "--state", state_file])
    changed = {host: count for host, count in changed_counts(output).items() if count}
    if changed or not changed_counts(output):
        raise StageFailed(f"the second site run in the EE changed {changed or 'nothing it reported a recap for'}")
    if calls["writes"]:
        writes = [c["operation"] for c in calls["calls"] if c["write"]]
        raise StageFailed(f"the second site run in the EE made {calls['writes']} AWS writes: {writes}")
    return checked + (
        f"; site over SSH converged ({profiles} profiles), again changed=0 with 0 AWS writes of {calls['count']} calls"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "stages",
        nargs="*",
        metavar="STAGE",
        help=f"stages to run (default: all): {', '.join(STAGES)}; against a real account only: {', '.join(AWS_STAGES)}",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this integration target or molecule scenario (ROLE or ROLE/SCENARIO); repeatable",
    )
    parser.add_argument(
        "--cell",
        choices=[cell.name for cell in MATRIX],
        help=f"run {', '.join(CELL_STAGES)} on this cell of the version matrix (noxfile.py runs each)",
    )
    args = parser.parse_args()
    ONLY.extend(args.only)
    stages = args.stages or list(CELL_STAGES if args.cell else STAGES)
    unknown = [s for s in stages if s not in STAGES + AWS_STAGES]
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {', '.join(STAGES + AWS_STAGES)}")
    cell = next((c for c in MATRIX if c.name == args.cell), None)
    if cell and not set(stages) <= set(CELL_STAGES):
        parser.error(f"--cell runs only {', '.join(CELL_STAGES)}")
    if cell:
        require_cell(cell)
    # A CI timeout or a kill ends the run through SystemExit, so the engine's finally still stops it by PID.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = []
    started = time.monotonic()
    with docker_for(stages) as docker_note:
        run_stages(stages, cell, results)
    print("\n=== summary", flush=True)
    for status, name, seconds, detail in results:
        print(f"{status} {name:<12} {seconds:7.1f}s  {detail}")
    if docker_note:
        print(docker_note[0])
    passed = sum(1 for r in results if r[0] == "PASS")
    failed = sum(1 for r in results if r[0] == "FAIL")
    print(f"total {time.monotonic() - started:.0f}s")
    print(f"stages: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(stages) else 1


@contextmanager
def docker_for(stages: list[str]):
    """The project's Docker engine and the LibreChat image for the stages that need them, exported to every tool
    through DOCKER_HOST and DOCKER_CONFIG; stopped by PID at the end, whatever happened. Yields a list that holds,
    afterwards, one line on what the stages left on the engine (containers, networks: there should be none)."""
    note: list[str] = []
    if not set(stages) & set(DOCKER_STAGES) or prerequisite_missing(docker_engine.missing()):
        yield note
        return
    print("=== docker engine", flush=True)
    try:
        with docker_engine.engine() as client:
            os.environ.update({k: v for k, v in client.items() if k.startswith("DOCKER_")})
            t0 = time.monotonic()
            try:
                librechat_image.build()
            except librechat_image.ImageError as error:
                raise SystemExit(f"FAIL LibreChat image: {error}") from error
            print(f"  LibreChat image ready in {time.monotonic() - t0:.1f}s", flush=True)
            yield note
            if not os.environ.get(docker_engine.USER_HOST_VARIABLE):
                left = docker_engine.leftovers()
                found = ", ".join(f"{len(v)} {k} ({', '.join(v)})" for k, v in left.items() if v)
                note.append(f"docker: the stages left {found or 'no container and no network'}")
    except docker_engine.EngineError as error:
        raise SystemExit(f"FAIL docker engine: {error}") from error


def run_stages(stages: list[str], cell: Cell | None, results: list) -> None:
    for name in stages:
        print(f"=== {name}", flush=True)
        t0 = time.monotonic()
        try:
            stage = globals()[f"stage_{name.replace('-', '_')}"]
            detail = stage(cell) if cell else stage()
            results.append(("PASS", name, time.monotonic() - t0, detail))
        except StageFailed as exc:
            results.append(("FAIL", name, time.monotonic() - t0, str(exc)))
            break


if __name__ == "__main__":
    sys.exit(main())
