"""Every filter the collection registers has its YAML documentation (plugins/filter/<name>.yml), and every such
file documents a filter that exists: ansible-doc -t filter, the docs site and galaxy-importer read them."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
import yaml

FILTERS = Path(__file__).resolve().parents[4] / "plugins" / "filter"
GALAXY = yaml.safe_load((FILTERS.parents[1] / "galaxy.yml").read_text())


def registered() -> dict:
    names = {}
    for path in sorted(FILTERS.glob("*.py")):
        module = importlib.import_module(f"ansible_collections.librechat.bedrock.plugins.filter.{path.stem}")
        names.update(module.FilterModule().filters())
    return names


def test_each_registered_filter_has_documentation_and_each_documentation_a_filter():
    documented = {path.stem for path in FILTERS.glob("*.yml")}
    assert sorted(set(registered()) - documented) == []
    assert sorted(documented - set(registered())) == []


@pytest.mark.parametrize("name", sorted(registered()))
def test_the_documentation_names_its_filter_and_its_input(name):
    docs = yaml.safe_load((FILTERS / f"{name}.yml").read_text())
    doc = docs["DOCUMENTATION"]
    assert doc["name"] == name
    # the first release, or the one being made (galaxy.yml): a filter added now is new in it
    assert doc["version_added"] in ("0.1.0", GALAXY["version"])
    assert "_input" in doc["options"]
    assert docs["RETURN"]["_value"]["type"]
    assert f"librechat.bedrock.{name}" in docs["EXAMPLES"]
    # The options are the function's arguments after the input, and the positional ones come in its order.
    arguments = list(inspect.signature(registered()[name]).parameters)[1:]
    assert sorted(set(doc["options"]) - {"_input"}) == sorted(arguments)
    positional = [a.strip() for a in str(doc.get("positional") or "").split(",") if a.strip()]
    assert positional == arguments[: len(positional)]
