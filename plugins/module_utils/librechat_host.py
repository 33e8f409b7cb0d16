# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a LibreChat deployment is made of, as both sides need it: the compose files and arguments, systemd's
properties, LibreChat's log lines of its config file, and the commands that tell who reads .env. The module
librechat_files_info runs these on the host; the controller's plugin_utils (deployment.py, env_access.py) read
their output with the same rules. Standard library only, so it ships to the host through Ansiballz and imports on
the controller without the module."""

import posixpath
import re
import shlex

SYSTEMD_PROPERTIES = (
    "Environment",
    "EnvironmentFiles",
    "WorkingDirectory",
    "User",
    "Group",
    "SupplementaryGroups",
    "DynamicUser",
)
COMPOSE_CANDIDATES = ("deploy-compose.yml", "docker-compose.yml", "docker-compose.override.yml")


# -------------------------------------------------------------------------------- rules the host side needs


def compose_files(present, project_dir, running_files=""):
    """The compose files of the deployment in `project_dir`, as `docker compose -f` takes them.

    The rule (documented in the role): the config_files label of the running `api` container names them when it
    names any; else `deploy-compose.yml` when it exists and `docker-compose.yml` does not (LibreChat's
    remote-deployment layout); else `docker-compose.yml`, plus `docker-compose.override.yml` when present (what a
    bare `docker compose` reads). `present`: the file names of those three that exist."""
    labelled = [name.strip() for name in str(running_files or "").split(",") if name.strip()]
    if labelled:
        return [name if name.startswith("/") else posixpath.join(project_dir, name) for name in labelled]
    names = set(present or [])
    if "deploy-compose.yml" in names and "docker-compose.yml" not in names:
        chosen = ["deploy-compose.yml"]
    else:
        chosen = ["docker-compose.yml"] + (
            ["docker-compose.override.yml"] if "docker-compose.override.yml" in names else []
        )
    return [posixpath.join(project_dir, name) for name in chosen]


def compose_args(files):
    """`-f a -f b` as an argv list."""
    args = []
    for name in files or []:
        args += ["-f", str(name)]
    return args


def systemd_property(text, name):
    """One property of `systemctl show -p ...` output."""
    for line in str(text or "").splitlines():
        if line.startswith(name + "="):
            return line[len(name) + 1 :]
    return ""


def systemd_environment_files(text):
    """The paths of `EnvironmentFiles=` of `systemctl show` (`/etc/x.env (ignore_errors=no)`, one per line)."""
    paths = []
    for line in str(text or "").splitlines():
        if line.startswith("EnvironmentFiles="):
            path = line[len("EnvironmentFiles=") :].split(" (", 1)[0].strip()
            if path:
                paths.append(path)
    return paths


# packages/api/src/app/loader.ts, in the order they are looked for (the last one printed wins).
LOG_LOADED = "Custom config file loaded:"
LOG_MISSING = "Custom config file missing or YAML format invalid."
LOG_INVALID = (
    "Config file YAML format is invalid:",
    "Failed to parse the YAML config from",
    "Invalid custom config file at",
    "Exiting due to invalid configuration.",
    "Failed to fetch the remote config file from",
)


def config_log_state(text):
    """What LibreChat's own log says about its config file: loaded, missing, invalid, or unknown (none of its
    lines). The last line printed wins: a restart loop shows the newest start last."""
    state, line_seen = "unknown", ""
    for line in str(text or "").splitlines():
        if LOG_LOADED in line:
            state, line_seen = "loaded", LOG_LOADED
        elif LOG_MISSING in line:
            state, line_seen = "missing", LOG_MISSING
        else:
            for marker in LOG_INVALID:
                if marker in line:
                    state, line_seen = "invalid", line.strip()[:300]
    return {"state": state, "line": line_seen}


# ---------------------------------------------------------------------- who reads .env: what to read on the host
# plugins/plugin_utils/env_access.py interprets what these reads return (resolve()).

SPEC = re.compile(r"^(?:(?P<uid>[0-9]+)(?::(?P<gid>[0-9]+))?|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*\$?))$")


def numeric_pair(text):
    """(uid, gid) of a numeric `uid:gid`, else None: the only form that needs no lookup."""
    match = re.fullmatch(r"([0-9]+):([0-9]+)", str(text or "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def is_number(text):
    return bool(re.fullmatch(r"[0-9]+", str(text or "").strip()))


def words(text):
    return [word for word in re.split(r"[\s,]+", str(text or "").strip()) if word]


def truthy(value):
    return str(value or "").strip().lower() in ("yes", "true", "1")


def flag(value, default=False):
    """A boolean of the inputs, also when a template handed it over as text ("False")."""
    if value is None or value == "":
        return default
    return value if isinstance(value, bool) else truthy(value)


def compose_readable(i):
    return flag(i.get("compose_ok"), True) and flag(i.get("service_exists"), True)


def reader_known_possible(i):
    return bool(str(i.get("override") or "").strip()) or i.get("method") in ("docker_compose", "systemd")


def reader_plan(inputs):
    """What to read on the host to tell who reads .env (see env_access.resolve()): [(tag, shell command)]."""
    i = inputs or {}
    reads = []

    def user(name):
        # the numeric forms: localised `id` output is avoided
        command = " && ".join(f"id {flag_} {shlex.quote(name)}" for flag_ in ("-u", "-g", "-G", "-un"))
        reads.append((f"user:{name}", f"({command}) 2>/dev/null"))

    def group(name):
        reads.append((f"group:{name}", f"getent group {shlex.quote(name)} 2>/dev/null"))

    override = str(i.get("override") or "").strip()
    method = i.get("method")
    if override:
        if SPEC.match(override) and not numeric_pair(override):
            user(override)
    elif method == "docker_compose" and compose_readable(i):
        if flag(i.get("env_file")):
            reads.append(("self", "id -u && id -g && id -G && id -un"))
        else:
            service = str(i.get("service") or "api")
            compose = " ".join(
                shlex.quote(word)
                for word in ["docker", "compose", *compose_args(i.get("compose_files")), "ps", "--quiet", service]
            )
            # the service's running container: `container` when the reading has already asked Compose (its ID,
            # or empty when none runs), else Compose is asked here
            container = i.get("container")
            cid = f"$({compose} 2>/dev/null | head -n 1)" if container is None else shlex.quote(str(container))
            # "{""{" is {{ to the shell, and no template to Ansible, whichever way it renders the text it is handed
            reads.append(
                (
                    "proc",
                    f"cid={cid}; "
                    'if [ -n "$cid" ]; then pid=$(docker inspect --format "{""{.State.Pid}}" "$cid" 2>/dev/null); fi; '
                    'if [ -n "${pid:-}" ] && [ "$pid" != 0 ]; then grep -E "^(Uid|Gid|Groups):" "/proc/$pid/status"; '
                    "fi",
                )
            )
            # without user: in the compose files, the image's USER decides
            if not str(i.get("service_user") or "").strip() and i.get("image"):
                reads.append(
                    (
                        "image",
                        'docker image inspect --format "user={""{.Config.User}}" '
                        f"{shlex.quote(str(i['image']))} 2>/dev/null",
                    )
                )
    elif method == "systemd" and not truthy(i.get("unit_dynamic_user")):
        name = str(i.get("unit_user") or "").strip()
        if name:
            user(name)
        for name in [i.get("unit_group"), *words(i.get("unit_supplementary_groups"))]:
            if name and not is_number(name):
                group(str(name).strip())
    if reader_known_possible(i):
        for key, lookup in (("owner", user), ("group", group)):
            name = str(i.get(key) or "").strip()
            if name and not is_number(name):
                lookup(name)
    seen, unique = set(), []
    for tag, command in reads:
        if tag not in seen:
            seen.add(tag)
            unique.append((tag, command))
    return unique


def reader_script(inputs):
    """The POSIX shell script that reads, on the host, what env_access.resolve() needs: each read's output follows
    a line `::<tag>`. Empty when nothing is to be read."""
    return "\n".join(f"echo {shlex.quote('::' + tag)}; {command}" for tag, command in reader_plan(inputs))


def run_argv(image, user):
    """A throwaway container of the image, as that user, that only prints `id`: Docker resolves the name (or a
    uid without a group) against the image's own /etc/passwd and /etc/group, as it will for LibreChat."""
    return [
        "docker",
        "run",
        "--rm",
        "--pull",
        "never",
        "--network",
        "none",
        "--env",
        "LC_ALL=C",
        "--user",
        user,
        "--entrypoint",
        "id",
        image,
    ]


# ------------------------------------------------------------------------------------------------ the reads


DEPLOYMENT_SPEC = dict(
    restart=dict(type="str", default="docker_compose", choices=["docker_compose", "systemd", "command", "none"]),
    dir=dict(type="path", default="/opt/librechat"),
    env_path=dict(type="path"),
    compose_dir=dict(type="path"),
    compose_service=dict(type="str", default="api"),
    compose_files=dict(type="list", elements="str", default=[]),
    compose_override=dict(type="bool", default=False),
    systemd_unit=dict(type="str", default="librechat"),
    env_reader=dict(type="str", default=""),
    owner=dict(type="str", default=""),
    group=dict(type="str", default=""),
    yaml_path=dict(type="path"),
    container_path=dict(type="str", default=""),
    container=dict(type="str", default=""),
    wait=dict(type="int", default=0),
    process_script=dict(type="str", default=""),
    process_variables=dict(type="list", elements="str", default=[]),
)
