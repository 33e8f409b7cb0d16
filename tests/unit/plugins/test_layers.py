"""The layers hold: every controller plugin (filters, action plugins, plugin_utils) imports with no amazon.aws, boto3
or botocore to be found, as Galaxy's importer loads them, and module_utils/rules.py imports nothing but the
standard library. Each is imported in a fresh Python whose import system refuses those names."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGE = "ansible_collections.librechat.bedrock"
CONTROLLER = sorted(
    path.relative_to(ROOT)
    for folder in ("plugins/filter", "plugins/action", "plugins/plugin_utils")
    for path in (ROOT / folder).glob("*.py")
    if path.name != "__init__.py"
)
RULES = pathlib.Path("plugins/module_utils/rules.py")

# Runs in the child: a meta path finder ahead of every other refuses what `mode` forbids, then each file is
# imported and the outcome printed as JSON.
CHILD = r"""
import importlib, importlib.abc, json, sys

mode, names = sys.argv[1], sys.argv[2:]
AWS = ("ansible_collections.amazon", "boto3", "botocore")
OWN = ("ansible_collections", "ansible_collections.librechat", "ansible_collections.librechat.bedrock",
       "ansible_collections.librechat.bedrock.plugins", "ansible_collections.librechat.bedrock.plugins.module_utils")


def refused(name):
    top = name.split(".")[0]
    if mode == "stdlib":
        return name not in OWN and not name.endswith(".rules") and top not in sys.stdlib_module_names
    return any(name == prefix or name.startswith(prefix + ".") for prefix in AWS)


class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if refused(name):
            raise ImportError(f"{name} is not importable here")
        return None


sys.meta_path.insert(0, Refuse())
before = set(sys.modules)
outcome = {}
for name in names:
    try:
        importlib.import_module(name)
        outcome[name] = None
    except Exception as error:
        outcome[name] = f"{type(error).__name__}: {error}"
leaked = sorted(name for name in set(sys.modules) - before if refused(name))
print(json.dumps({"outcome": outcome, "leaked": leaked}))
"""


def module_name(path: pathlib.Path) -> str:
    return ".".join((PACKAGE, *path.with_suffix("").parts))


def imported(mode: str, paths: list[pathlib.Path]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode, *(module_name(p) for p in paths)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def controller_imports():
    return imported("aws", CONTROLLER)


def test_the_controller_side_is_found():
    assert len(CONTROLLER) > 10
    assert pathlib.Path("plugins/filter/models.py") in CONTROLLER
    assert pathlib.Path("plugins/plugin_utils/models.py") in CONTROLLER


@pytest.mark.parametrize("path", CONTROLLER, ids=str)
def test_a_controller_plugin_imports_without_amazon_aws_or_botocore(controller_imports, path):
    assert controller_imports["outcome"][module_name(path)] is None


def test_no_controller_plugin_loads_amazon_aws_or_botocore(controller_imports):
    assert controller_imports["leaked"] == []


def test_the_blocker_refuses_what_it_should():
    """The check itself works: bedrock.py, the AWS plumbing, cannot be imported without amazon.aws."""
    outcome = imported("aws", [pathlib.Path("plugins/module_utils/bedrock.py")])["outcome"]
    assert "ansible_collections.amazon" in outcome[module_name(pathlib.Path("plugins/module_utils/bedrock.py"))]


def test_the_rules_import_nothing_but_the_standard_library():
    found = imported("stdlib", [RULES])
    assert found == {"outcome": {module_name(RULES): None}, "leaked": []}
