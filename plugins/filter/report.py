# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The text_table filter: the roles' reports as aligned lines."""

from ansible_collections.librechat.bedrock.plugins.plugin_utils.report import text_table


class FilterModule:
    def filters(self):
        return {"text_table": text_table}
