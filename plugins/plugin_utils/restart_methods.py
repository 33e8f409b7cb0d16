# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""How the roles restart LibreChat, written once. Role argument specs cannot import Python, so the `choices` of
librechat_config_restart (roles/librechat_config/meta/argument_specs.yml) and verify_restart
(roles/verify/meta/argument_specs.yml) are kept equal to RESTART_METHODS by
tests/unit/plugins/plugin_utils/test_restart_methods.py."""

# docker_compose: recreate the compose service (`restart` does not reread env_file); systemd: restart the unit;
# command: the user's own command; none: the role restarts nothing.
RESTART_METHODS = ("docker_compose", "systemd", "command", "none")

# The methods whose LibreChat the roles can watch: its start time (`docker inspect`, systemd's
# ActiveEnterTimestamp) and its log (`docker compose logs`, `journalctl -u`). With the others those checks skip.
OBSERVED_METHODS = ("docker_compose", "systemd")
