"""librechat_deployment_info is a docs-only module whose action plugin validates the options: its documentation
lists exactly those, each as validated (the check tests/unit/plugins/modules/test_docs_match_action_specs.py makes
for the other LibreChat action plugins)."""

from ansible_collections.librechat.bedrock.tests.unit.plugins.modules.test_docs_match_action_specs import (
    documented,
    shape,
    validated,
)

NAME = "librechat_deployment_info"


def test_the_documentation_lists_exactly_the_validated_options():
    assert sorted(documented(NAME)) == sorted(validated(NAME))


def test_each_option_is_documented_as_it_is_validated():
    docs, spec = documented(NAME), validated(NAME)
    for option in spec:
        assert shape(docs[option]) == shape(spec[option]), option
