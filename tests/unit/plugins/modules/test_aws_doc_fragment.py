"""The collection's AWS doc fragment is amazon.aws's text, so the modules document exactly the options amazon.aws
documents (and its validate-modules counterpart checks against AnsibleAWSModule), without needing amazon.aws
installed to be read (Galaxy reads the documentation with no dependency installed)."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml
from ansible_collections.amazon.aws.plugins.doc_fragments import common, region, tags

from ansible_collections.librechat.bedrock.plugins.doc_fragments.aws import ModuleDocFragment

MODULES = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "modules"


def test_the_connection_options_are_amazon_aws_common_and_region_fragments():
    ours = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    theirs = yaml.safe_load(common.ModuleDocFragment.MODULES)
    theirs["options"].update(yaml.safe_load(region.ModuleDocFragment.MODULES)["options"])
    assert ours == theirs


def test_the_tag_options_are_amazon_aws_tags_fragment():
    assert yaml.safe_load(ModuleDocFragment.TAGS) == yaml.safe_load(tags.ModuleDocFragment.DOCUMENTATION)


def fragments_of(text: str) -> list[str]:
    """The fragments a module's DOCUMENTATION extends (the list under extends_documentation_fragment)."""
    found = re.search(r"^extends_documentation_fragment:\n((?:  - \S+\n)+)", text, re.M)
    return [line.strip()[2:] for line in found.group(1).splitlines()] if found else []


@pytest.mark.parametrize("path", sorted(MODULES.glob("*.py")), ids=lambda p: p.name)
def test_no_module_documentation_needs_another_collection(path):
    text = path.read_text()
    fragments = fragments_of(text)
    assert [f for f in fragments if not f.startswith("librechat.bedrock.")] == []
    if "AnsibleAWSModule" in text:
        assert "librechat.bedrock.aws" in fragments
