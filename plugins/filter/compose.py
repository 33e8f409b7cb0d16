# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The compose_mounts filter: the container paths a compose service bind-mounts, from either volume syntax."""


def compose_mounts(compose, service):
    """Targets of `services.<service>.volumes` in a parsed compose file: `src:target[:mode]` strings and
    `{type, source, target}` mappings alike. Anything else (no such service, no volumes) gives []."""
    services = (compose or {}).get("services") if isinstance(compose, dict) else None
    volumes = ((services or {}).get(service) or {}).get("volumes") if isinstance(services, dict) else None
    targets = []
    for volume in volumes if isinstance(volumes, list) else []:
        if isinstance(volume, dict) and volume.get("target"):
            targets.append(str(volume["target"]))
        elif isinstance(volume, str) and ":" in volume:
            targets.append(volume.split(":")[1])
    return targets


class FilterModule:
    def filters(self):
        return {"compose_mounts": compose_mounts}
