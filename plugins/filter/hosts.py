# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The host_pattern filter: the LibreChat hosts a playbook of the collection targets."""

from ansible.errors import AnsibleFilterError


def host_pattern(value, default="librechat"):
    """`value` as an Ansible host pattern: a pattern string as it is, a list of patterns joined with `,` (their
    union), `default` when empty or unset."""
    if value is None or value == "" or value == []:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) and item for item in value):
        return ",".join(value)
    raise AnsibleFilterError(
        f"librechat_bedrock_hosts={value!r} must be a host pattern (e.g. librechat or 'web*:!web3') or a list of them"
    )


class FilterModule:
    def filters(self):
        return {"host_pattern": host_pattern}
