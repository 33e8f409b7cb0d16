"""The restart methods are written once (plugin_utils/restart_methods.py): the role argument specs, which cannot
import Python, offer exactly those choices, and the checklist watches exactly the observed ones."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.librechat.bedrock.plugins.plugin_utils import checklist
from ansible_collections.librechat.bedrock.plugins.plugin_utils.restart_methods import OBSERVED_METHODS, RESTART_METHODS

ROLES = pathlib.Path(__file__).resolve().parents[4] / "roles"


@pytest.mark.parametrize(
    "role, option", [("librechat_config", "librechat_config_restart"), ("verify", "verify_restart")]
)
def test_argument_specs_offer_the_restart_methods(role, option):
    spec = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())
    assert spec["argument_specs"]["main"]["options"][option]["choices"] == list(RESTART_METHODS)


def test_observed_methods_are_restart_methods():
    assert set(OBSERVED_METHODS) < set(RESTART_METHODS)


@pytest.mark.parametrize("method", RESTART_METHODS)
def test_the_checklist_judges_the_start_time_only_where_it_is_observed(method):
    info = {"config_mtime": 100.0, "env_mtime": 50.0}
    restart = {"method": method, "started": "1970-01-01T00:03:20Z"}
    row = checklist.restart_row("lc", info, restart)
    assert row["status"] == (checklist.PASS if method in OBSERVED_METHODS else checklist.SKIP), row
