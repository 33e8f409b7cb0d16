"""The hosts the collection's playbooks target (librechat_bedrock_hosts)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.librechat.bedrock.plugins.filter.hosts import host_pattern


def test_a_pattern_stays_as_it_is():
    assert host_pattern("web*:!web3") == "web*:!web3"


def test_a_list_is_the_union_of_its_patterns():
    assert host_pattern(["web1", "web2"]) == "web1,web2"


@pytest.mark.parametrize("empty", [None, "", []])
def test_nothing_given_is_the_default(empty):
    assert host_pattern(empty) == "librechat"
    assert host_pattern(empty, "localhost") == "localhost"


@pytest.mark.parametrize("bad", [3, {"a": 1}, ["web1", ""], ["web1", 2]])
def test_anything_else_is_refused_with_the_option_named(bad):
    with pytest.raises(AnsibleFilterError, match=r"librechat_bedrock_hosts=.*host pattern"):
        host_pattern(bad)
