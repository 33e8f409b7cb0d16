"""The docs-only modules (librechat_config, librechat_config_info) document the options their action plugins
validate: a unit test keeps the two in step, since ansible-test's validate-modules reads only the documentation."""

from __future__ import annotations

import importlib

import pytest
import yaml

PAIRS = ["librechat_config", "librechat_config_info"]


def documented(name: str) -> dict:
    """The module's options with its own doc fragments merged in, as ansible-doc shows them."""
    module = importlib.import_module(f"ansible_collections.librechat.bedrock.plugins.modules.{name}")
    docs = yaml.safe_load(module.DOCUMENTATION)
    options = {}
    for fragment in docs.get("extends_documentation_fragment") or []:
        # namespace.collection.fragment[.variant]: a variant names another attribute of the fragment class
        namespace, collection, fragment_name, *variant = fragment.split(".")
        assert (namespace, collection) == ("librechat", "bedrock"), fragment
        plugin = importlib.import_module(
            f"ansible_collections.librechat.bedrock.plugins.doc_fragments.{fragment_name}"
        ).ModuleDocFragment
        text = getattr(plugin, variant[0].upper() if variant else "DOCUMENTATION")
        options.update(yaml.safe_load(text)["options"])
    options.update(docs["options"])
    return options


def validated(name: str) -> dict:
    return importlib.import_module(f"ansible_collections.librechat.bedrock.plugins.action.{name}").ARGUMENT_SPEC


def shape(spec: dict) -> dict:
    """What both sides must agree on, with Ansible's implicit defaults made explicit."""
    default = spec.get("default")
    if isinstance(default, int) and not isinstance(default, bool) and spec.get("type") == "raw":
        default = str(default)
    return {
        "type": spec.get("type", "str"),
        "required": bool(spec.get("required", False)),
        "default": default,
        "choices": spec.get("choices"),
        "elements": spec.get("elements"),
    }


@pytest.mark.parametrize("name", PAIRS)
def test_the_documentation_lists_exactly_the_validated_options(name):
    assert sorted(documented(name)) == sorted(validated(name))


@pytest.mark.parametrize("name", PAIRS)
def test_each_option_is_documented_as_it_is_validated(name):
    docs, spec = documented(name), validated(name)
    for option in spec:
        assert shape(docs[option]) == shape(spec[option]), option
