# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The env_quote filter: a value as a .env line needs it for LibreChat's dotenv and docker compose."""

from ansible_collections.librechat.bedrock.plugins.plugin_utils.dotenv_file import quote


def env_quote(value, key="value"):
    return quote(key, value)


class FilterModule:
    def filters(self):
        return {"env_quote": env_quote}
