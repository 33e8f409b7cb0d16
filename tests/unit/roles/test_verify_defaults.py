"""The verify role reads the deployment through librechat_config's variables, and falls back to librechat_config's
defaults when a play runs verify alone. Those fallbacks are Jinja literals (a role's defaults cannot import
another's): this keeps each one equal to the librechat_config default it copies, the project's rule for copies
that cannot import their home (DEVELOPERS.md, "One home for each rule")."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
FALLBACK = re.compile(r"^\{\{ (librechat_config_\w+) \| default\((.+)\) \}\}$")


def _defaults(role):
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())


def _as_librechat_config_writes_it(expression):
    """verify's fallback expression in the form librechat_config's defaults use: `verify_librechat_dir` is the
    fallback of librechat_config_dir, so `verify_librechat_dir ~ '/x'` is `{{ librechat_config_dir }}/x`."""
    joined = re.fullmatch(r"verify_librechat_dir ~ '([^']*)'", expression)
    if joined:
        return "{{ librechat_config_dir }}" + joined.group(1)
    if expression == "verify_librechat_dir":
        return "{{ librechat_config_dir }}"
    return yaml.safe_load(expression)


FALLBACKS = sorted(
    (name, match.group(1), match.group(2))
    for name, value in _defaults("verify").items()
    if isinstance(value, str) and (match := FALLBACK.match(value))
)


def test_verify_falls_back_to_librechat_config_for_every_deployment_setting():
    copied = {variable for _name, variable, _literal in FALLBACKS}
    assert copied >= {
        "librechat_config_dir",
        "librechat_config_yaml_path",
        "librechat_config_env_path",
        "librechat_config_restart",
        "librechat_config_compose_dir",
        "librechat_config_compose_service",
        "librechat_config_systemd_unit",
        "librechat_config_compose_files",
    }


@pytest.mark.parametrize(("name", "variable", "literal"), FALLBACKS, ids=[f[0] for f in FALLBACKS])
def test_each_fallback_is_librechat_configs_default(name, variable, literal):
    assert _as_librechat_config_writes_it(literal) == _defaults("librechat_config")[variable], name
