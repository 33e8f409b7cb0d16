# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who reads LibreChat's `.env`, and the owner, group and mode that keep it readable to that user (and to nobody
else who need not read it).

Who reads the file depends on how it reaches LibreChat:
- docker compose with `.env` in the service's `env_file:`: the compose CLI reads it, as the user running
  `docker compose` (the role's user), and puts the values in the container's environment; LibreChat's dotenv
  never overrides them, so who the container runs as does not matter then.
- docker compose with `.env` only bind-mounted at `/app/.env`: LibreChat's dotenv reads it inside the container,
  as the container's user (LibreChat's local `docker-compose.yml` runs it as `${UID}:${GID}`). dotenv skips a
  file it cannot read without a word, and LibreChat then starts without every secret in it.
- systemd: the unit's `User=`, `Group=` and `SupplementaryGroups=` (root without `User=`).

The reads are done on the host by one shell script (`script()`), whose output `resolve()` turns into the reader;
`access()` is the rule the librechat_config module applies before writing and `readable()` the one the verify
role reports. Nothing here runs anything."""

import re
import shlex

from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import SPEC, run_argv
from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import (
    compose_readable as _compose_readable,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import flag as _flag
from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import is_number as _is_number
from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import numeric_pair as _numeric_pair
from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import reader_script as script
from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import truthy as _truthy
from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import words as _words

ROOT = 0
# The sources, as messages name them.
FROM_ENV_FILE = "compose env_file (docker compose, as the user running it)"
FROM_PROCESS = "the running container's process"
FROM_UNIT = "the systemd unit's User="
FROM_OVERRIDE = "librechat_config_env_reader"
# `id` of coreutils or busybox with LC_ALL=C: uid=1000(node) gid=1000(node) groups=1000(node),27(sudo)
ID_OUTPUT = re.compile(r"uid=(\d+)(?:\(([^)]*)\))?\s+gid=(\d+)(?:\([^)]*\))?(?:\s+groups=(\S*))?")
USER_BITS, GROUP_BITS, WORLD_BITS = 0o400, 0o040, 0o007


# -------------------------------------------------------------------------------------------- who reads .env


def spec_error(value):
    """Why `value` is not a librechat_config_env_reader ('' when it is one, or empty)."""
    text = str(value or "").strip()
    if not text or SPEC.match(text):
        return ""
    return (
        f"librechat_config_env_reader={value!r} is neither a user name nor uid[:gid]: give the user LibreChat "
        "reads .env as, such as node or 1000:1000 (the uid:gid form for a user only the container knows)"
    )


def sections(output):
    """{tag: [lines]} of the script's output."""
    found, tag = {}, None
    for line in str(output or "").splitlines():
        if line.startswith("::"):
            tag = line[2:]
            found[tag] = []
        elif tag is not None and line.strip():
            found[tag].append(line.strip())
    return found


def _from_id_lines(lines):
    """`id -u`, `id -g`, `id -G`, `id -un` lines → {uid, gid, groups, name}, or None."""
    if len(lines) < 3 or not _is_number(lines[0]) or not _is_number(lines[1]):
        return None
    groups = [int(g) for g in lines[2].split() if _is_number(g)]
    return {"uid": int(lines[0]), "gid": int(lines[1]), "groups": groups, "name": lines[3] if len(lines) > 3 else ""}


def parse_id(text):
    """`id` output (uid=1000(node) gid=1000(node) groups=1000(node),27(sudo)) → {uid, gid, groups, name}, or None."""
    match = ID_OUTPUT.search(str(text or ""))
    if not match:
        return None
    groups = [int(g) for g in re.findall(r"(\d+)(?:\([^)]*\))?", match.group(4) or "")]
    return {"uid": int(match.group(1)), "gid": int(match.group(3)), "groups": groups, "name": match.group(2) or ""}


def parse_proc_status(lines):
    """The Uid:, Gid: and Groups: lines of /proc/<pid>/status → {uid, gid, groups}, or None. The kernel checks
    file access with the filesystem IDs, the fourth field."""
    fields = {}
    for line in lines or []:
        key, _sep, rest = line.partition(":")
        fields[key.strip()] = rest.split()
    try:
        uid, gid = int(fields["Uid"][3]), int(fields["Gid"][3])
    except (KeyError, IndexError, ValueError):
        return None
    return {"uid": uid, "gid": gid, "groups": [int(g) for g in fields.get("Groups", []) if _is_number(g)], "name": ""}


def _gid_of(found, name):
    """The gid of a group name from a `getent group` section, or None."""
    for line in found.get(f"group:{name}", []):
        parts = line.split(":")
        if len(parts) >= 3 and _is_number(parts[2]):
            return int(parts[2])
    return None


def _reader(ids, source, writes=False):
    groups = []
    for gid in [ids["gid"], *ids.get("groups", [])]:
        if gid not in groups:
            groups.append(gid)
    return {
        "uid": ids["uid"],
        "gid": ids["gid"],
        "groups": groups,
        "name": ids.get("name") or f"{ids['uid']}:{ids['gid']}",
        "source": source,
        "writes": writes,
    }


def resolve(inputs, read="", run=""):
    """Who reads `.env`, from the deployment (`inputs`) and what script() read on the host (`read`) and, when
    that asked for it, `run` (the output of the `run` argv). Returns {reader, script, run, owner, group, note}:
    reader {uid, gid, groups, name, source, writes} or None (unknown: the module then keeps its plain rule);
    script the reads to make (script()); run the `docker run` argv that resolves a container user name as
    Docker does, when it is needed ([] otherwise; `run` is its output, stderr included, once it ran); owner
    and group the IDs of librechat_config_owner and librechat_config_group (None when unset or unknown); note
    why the reader is unknown, when it is not simply that the restart method hides it.

    `inputs`: method (the restart method), override (librechat_config_env_reader), env_file (.env is in the
    service's env_file), compose_ok, service_exists, compose_files, service, service_user (user: of the compose
    service), image, unit_user, unit_group, unit_supplementary_groups, unit_dynamic_user, owner, group."""
    i = inputs or {}
    found = sections(read)
    result = {
        "reader": None,
        "script": script(i),
        "run": [],
        "owner": _owner_id(i, found),
        "group": _group_id(i, found),
        "note": "",
    }
    override = str(i.get("override") or "").strip()
    if override:
        result.update(_from_override(override, found))
        return result
    method = i.get("method")
    if method == "docker_compose":
        if not _compose_readable(i):
            return result
        if _flag(i.get("env_file")):
            ids = _from_id_lines(found.get("self", []))
            if ids:
                result["reader"] = _reader(ids, FROM_ENV_FILE, writes=True)
            else:
                result["note"] = "could not read the user running docker compose (id -u)"
            return result
        result.update(_container_reader(i, found, run))
    elif method == "systemd":
        result.update(_unit_reader(i, found))
    return result


def _from_override(override, found):
    error = spec_error(override)
    if error:
        return {"note": error}
    pair = _numeric_pair(override)
    if pair:
        return {"reader": _reader({"uid": pair[0], "gid": pair[1], "groups": [], "name": override}, FROM_OVERRIDE)}
    ids = _from_id_lines(found.get(f"user:{override}", []))
    if ids is None:
        return {
            "note": f"librechat_config_env_reader={override}: the host has no such user, so its uid and group are "
            "unknown; give them as uid:gid (for example 1000:1000)"
        }
    if ids["name"] != override and not _is_number(override):
        ids["name"] = override
    return {"reader": _reader(ids, FROM_OVERRIDE)}


def _container_reader(i, found, run):
    """The user LibreChat's dotenv reads .env as inside the container: the running process (the kernel's own
    answer), else user: of the compose service, else the image's Config.User (a name resolved by Docker itself,
    in a throwaway container)."""
    ids = parse_proc_status(found.get("proc", []))
    if ids:
        return {"reader": _reader(ids, FROM_PROCESS)}
    service = str(i.get("service") or "api")
    user = str(i.get("service_user") or "").strip()
    image = str(i.get("image") or "")
    if user:
        source = f"the {service} container's user {user} (user: in the compose files)"
    else:
        image_user = [line[len("user=") :] for line in found.get("image", []) if line.startswith("user=")]
        if not image_user:
            return {"note": f"the {service} container is not running and its image {image} is not on the host"}
        user = image_user[0].strip()
        if not user:
            # an image without a USER runs as root
            source = f"the image's user root (no USER in {image})"
            return {"reader": _reader({"uid": ROOT, "gid": ROOT, "groups": [], "name": "root"}, source)}
        source = f"the image's user {user} (Config.User of {image})"
    pair = _numeric_pair(user)
    if pair:
        return {"reader": _reader({"uid": pair[0], "gid": pair[1], "groups": [], "name": user}, source)}
    if not run:
        return {"run": run_argv(image, user)}
    ids = parse_id(run)
    if ids is None:
        return {
            "run": run_argv(image, user),
            "note": f"Docker could not tell who user {user} of {image} is ({run.strip()[:200]})",
        }
    ids["name"] = ids["name"] or user
    return {"run": run_argv(image, user), "reader": _reader(ids, source)}


def _unit_reader(i, found):
    if _truthy(i.get("unit_dynamic_user")):
        return {"note": "the unit has DynamicUser=yes, so its uid is picked at each start"}
    name = str(i.get("unit_user") or "").strip()
    if not name:
        ids = {"uid": ROOT, "gid": ROOT, "groups": [], "name": "root"}
    else:
        ids = _from_id_lines(found.get(f"user:{name}", []))
        if ids is None:
            return {"note": f"the unit's User={name} is not a user of the host"}
        ids["name"] = name if not _is_number(name) else ids["name"] or name
    group = str(i.get("unit_group") or "").strip()
    if group:
        gid = int(group) if _is_number(group) else _gid_of(found, group)
        if gid is None:
            return {"note": f"the unit's Group={group} is not a group of the host"}
        ids["gid"] = gid
    for extra in _words(i.get("unit_supplementary_groups")):
        gid = int(extra) if _is_number(extra) else _gid_of(found, extra)
        if gid is not None:
            ids["groups"] = [*ids.get("groups", []), gid]
    return {"reader": _reader(ids, FROM_UNIT)}


def _owner_id(i, found):
    name = str(i.get("owner") or "").strip()
    if not name:
        return None
    if _is_number(name):
        return int(name)
    ids = _from_id_lines(found.get(f"user:{name}", []))
    return ids["uid"] if ids else None


def _group_id(i, found):
    name = str(i.get("group") or "").strip()
    if not name:
        return None
    return int(name) if _is_number(name) else _gid_of(found, name)


# -------------------------------------------------------------------------------------------- the rule


def describe(reader):
    """`node (1000:1000)`, or `1000:1000` when the reader has no other name."""
    ids = f"{reader['uid']}:{reader.get('gid')}"
    name = reader.get("name") or ""
    return ids if not name or name == ids else f"{name} ({ids})"


def _mode_bits(mode):
    """An octal mode (0640, "0640", "640") as an int; None for a symbolic or unreadable one."""
    if isinstance(mode, int) and not isinstance(mode, bool):
        return mode
    text = str(mode or "").strip()
    if re.fullmatch(r"0?[0-7]{3,4}", text):
        return int(text, 8)
    return None


def readable(reader, uid, gid, mode):
    """How `reader` reads a file of that owner, group and mode: 'root', 'owner', 'group', 'world', or '' (it
    cannot). The kernel's order: the owner's bits for the owner, the group's bits for a member, else the world's."""
    bits = _mode_bits(mode)
    if reader["uid"] == ROOT:
        return "root"
    if bits is None:
        return ""
    if reader["uid"] == uid:
        return "owner" if bits & USER_BITS else ""
    if gid in [reader.get("gid"), *reader.get("groups", [])]:
        return "group" if bits & GROUP_BITS else ""
    return "world" if bits & 0o004 else ""


def _id(value, stat, number_key, name_key):
    """A user or group given by number or name as a number: numbers as they are, a name only when it is the
    file's own (its stat names it); None otherwise."""
    text = str(value or "").strip()
    if _is_number(text):
        return int(text)
    if stat.get("exists") and text and text == stat.get(name_key):
        return stat.get(number_key)
    return None


def access(path, reader, stat, mode=None, owner=None, group=None):
    """The mode and group `.env` is written with, so that it never stays world-readable and its reader (as
    resolve() found it, or None) keeps reading it. `stat` is librechat_files_info's entry of the file; `mode`
    the explicit mode ('' or None: derived), `owner` and `group` those the file is written with (None: kept; a
    number, or a name). Returns {mode, group (None: as given), errors, warnings}.

    - No reader known, or root: an explicit mode as it is; an existing file's mode less its world bits (with a
      warning); a new file 0600.
    - The reader owns the file: it needs u+r; a member of its group: g+r. A derived mode gets that bit; an
      explicit one without it is refused.
    - Otherwise: a new file is created with the reader's group, 0640 (the group, not the world, is granted); an
      existing file, or a librechat_config_group the reader is not in, is refused, naming the fix."""
    explicit = mode not in (None, "")
    exists = bool(stat.get("exists"))
    current = _mode_bits(stat.get("mode") or "0600") if exists else None
    warnings, errors = [], []
    if explicit:
        wanted = mode
    elif not exists:
        wanted = "0600"
    else:
        wanted = f"{current & ~WORLD_BITS:04o}"
        if current & WORLD_BITS:
            warnings.append(
                f"{path} was mode {current:04o}, readable by every user of the host, and holds secrets: it is "
                f"written {current & ~WORLD_BITS:04o} (world bits dropped)"
            )
    answer = {"mode": wanted, "group": None, "errors": errors, "warnings": warnings}
    if reader is None or reader["uid"] == ROOT:
        return answer
    bits = _mode_bits(wanted)
    owner_uid = _id(owner, stat, "uid", "pw_name") if owner else (stat.get("uid") if exists else None)
    if not exists and not owner and reader.get("writes"):
        owner_uid = reader["uid"]  # the file is created by the user that reads it
    group_gid = _id(group, stat, "gid", "gr_name") if group else (stat.get("gid") if exists else None)
    member = group_gid is not None and group_gid in [reader.get("gid"), *reader.get("groups", [])]
    who = f"{describe(reader)}, {reader.get('source') or 'as detected'}"
    if owner_uid == reader["uid"]:
        need, through = USER_BITS, "as its owner"
    elif member:
        need, through = GROUP_BITS, f"through its group {group_gid}"
    elif not exists and not group:
        answer["group"] = str(reader["gid"])
        need, through = GROUP_BITS, f"through its group {reader['gid']}"
        if not explicit:
            bits = 0o640
            answer["mode"] = "0640"
    else:
        errors.append(_refusal(path, reader, who, stat, exists, group, current))
        return answer
    if bits is None:
        return answer  # a symbolic mode: only copy can tell what it makes of it
    if not bits & need:
        if explicit:
            fixed = (bits | need) & ~WORLD_BITS
            errors.append(
                f"librechat_config_env_file_mode={mode} would leave {path} unreadable to LibreChat's user {who}, "
                f"which reads it {through}: LibreChat would start without every secret in it (dotenv skips a "
                f"file it cannot read). Use {fixed:04o}, or leave librechat_config_env_file_mode "
                "empty to let the role keep the file readable to that user and no one else"
            )
            return answer
        answer["mode"] = f"{bits | need:04o}"
        warnings.append(
            f"{path} is written {bits | need:04o}: LibreChat reads it as {who}, {through}, which needs that read bit"
        )
    return answer


def _refusal(path, reader, who, stat, exists, group, current):
    gid = reader["gid"]
    if not exists:
        return (
            f"librechat_config_group={group} is not a group of LibreChat's user {who}, so the new {path} (0600 "
            f"or 0640) would be unreadable to it, and LibreChat would start without every secret in it. Set "
            f"librechat_config_group: {gid} (the role then creates the file with that group, "
            "0640), or leave it empty; or set librechat_config_env_reader if LibreChat runs as another user"
        )
    file_owner = stat.get("pw_name") or stat.get("uid")
    file_group = stat.get("gr_name") or stat.get("gid")
    how = (
        "it reads the file today only through the world bits, which the role drops from a file of secrets"
        if current is not None and current & 0o004
        else "it cannot read the file"
    )
    given = f" (librechat_config_group={group} is not one of its groups)" if group else ""
    return (
        f"LibreChat reads {path} as {who}, and {path} is {file_owner}:{file_group} "
        f"{current:04o}{given}: {how}. LibreChat's dotenv skips a file it cannot read, and LibreChat would start "
        f"without every secret in it. Give that user's group read access: "
        f"`chgrp {gid} {shlex.quote(path)} && chmod 0640 {shlex.quote(path)}`, or set librechat_config_group: "
        f"{gid} (the role then writes the file with that group, 0640); or, if LibreChat runs as another user, set "
        "librechat_config_env_reader to it"
    )
