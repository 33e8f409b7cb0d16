# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that read a LibreChat deployment the way LibreChat and docker compose do: which compose files are
the deployment, what the api container mounts and has in its environment, where its librechat.yaml is on the
host, which LibreChat version runs, and the verify rows of all that.

Facts checked against LibreChat's source (danny-avila/LibreChat):
- `packages/api/src/app/loader.ts`: the config path is `process.env.CONFIG_PATH || defaultConfigPath`
  (`/app/librechat.yaml` in the image, `api/server/services/Config/loadCustomConfig.js`); an `http(s)://` path
  is fetched; the log lines below are what it prints for a loaded, missing, unparsable or invalid file.
- `deploy-compose.yml` (the remote-deployment guide's `docker compose -f ./deploy-compose.yml`) bind-mounts
  `./librechat.yaml` and reads `.env` through `env_file`; `docker-compose.yml` bind-mounts `./.env` only, and
  `docker-compose.override.yml.example` shows the `./librechat.yaml:/app/librechat.yaml` line to add.
"""

import json
import posixpath
import re
import shlex

from ansible_collections.librechat.bedrock.plugins.plugin_utils import env_access
from ansible_collections.librechat.bedrock.plugins.plugin_utils.checklist import FAIL, PASS, SKIP
from ansible_collections.librechat.bedrock.plugins.plugin_utils.dotenv_file import parse as parse_dotenv
from ansible_collections.librechat.bedrock.plugins.plugin_utils.dotenv_file import readings_differ
from ansible_collections.librechat.bedrock.plugins.plugin_utils.restart_methods import OBSERVED_METHODS

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
DEFAULT_CONFIG_PATH = "/app/librechat.yaml"
# The LibreChat image's user is `node`: the AWS SDK reads ~/.aws of that user.
CONTAINER_AWS_DIR = "/home/node/.aws"
VERSION = re.compile(r"^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)$")


def compose_mounts(compose, service):
    """Targets of `services.<service>.volumes` in a parsed compose file: `src:target[:mode]` strings and
    `{type, source, target}` mappings alike. Anything else (no such service, no volumes) gives []."""
    return [mount["target"] for mount in _volumes(compose, service)]


def _volumes(compose, service, base=None):
    services = (compose or {}).get("services") if isinstance(compose, dict) else None
    volumes = ((services or {}).get(service) or {}).get("volumes") if isinstance(services, dict) else None
    mounts = []
    for volume in volumes if isinstance(volumes, list) else []:
        if isinstance(volume, dict) and volume.get("target"):
            mounts.append(
                {
                    "type": str(volume.get("type") or "volume"),
                    "source": str(volume.get("source") or ""),
                    "target": str(volume["target"]),
                }
            )
        elif isinstance(volume, str) and ":" in volume:
            parts = volume.split(":")
            source = parts[0]
            kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            mounts.append({"type": kind, "source": source, "target": parts[1]})
    for mount in mounts:
        if base and mount["type"] == "bind" and not mount["source"].startswith(("/", "~")):
            mount["source"] = posixpath.normpath(posixpath.join(base, mount["source"]))
    return mounts


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
        args += ["-f", name]
    return args


def compose_service(config, service):
    """The resolved service of `docker compose config --format json`: bind mounts (absolute sources), its
    environment (a dict; compose merges env_file into it, as Compose read that file), env_file paths, image and
    user (`user:`, as written: uid[:gid] or a name; '' when unset, the image's USER then)."""
    services = (config or {}).get("services") or {}
    spec = services.get(service) or {}
    environment = spec.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    env_files = []
    for item in spec.get("env_file") or []:
        env_files.append(str(item.get("path") if isinstance(item, dict) else item))
    return {
        "exists": service in services,
        "image": str(spec.get("image") or ""),
        "user": str(spec.get("user") or ""),
        "mounts": [m for m in _volumes(config, service) if m["type"] == "bind"],
        "environment": {str(k): "" if v is None else _unescape(str(v)) for k, v in environment.items()},
        "env_files": env_files,
    }


def _unescape(value):
    """A value of `docker compose config` as the process gets it: the output escapes each `$` as `$$`, so that
    it reads as a compose file again (measured with 2.40.3: .env's A='x$y' is printed "x$$y")."""
    return value.replace("$$", "$")


def compose_environment_keys(files, service):
    """The variables the `environment:` key of the service sets in the raw compose files (parsed), with the
    raw text of each. They are the process environment: compose puts `environment:` above `env_file`, and
    LibreChat's dotenv never overrides a variable the process already has."""
    keys = {}
    for compose in files or []:
        services = compose.get("services") if isinstance(compose, dict) else None
        environment = ((services or {}).get(service) or {}).get("environment") if isinstance(services, dict) else None
        if isinstance(environment, dict):
            for key, value in environment.items():
                keys[str(key)] = "" if value is None else str(value)
        elif isinstance(environment, list):
            for item in environment:
                key, value = [*str(item).split("=", 1), ""][:2]
                keys[key] = value
    return keys


def compose_env_files(files, service, project_dir):
    """The `env_file` entries of the service in the raw compose files, as absolute paths (string, list, or
    `{path, required}` items). Read from the files as written: `docker compose config` may fold them into
    `environment` and drop the key."""
    paths = []
    for compose in files or []:
        services = compose.get("services") if isinstance(compose, dict) else None
        entry = ((services or {}).get(service) or {}).get("env_file") if isinstance(services, dict) else None
        for item in [entry] if isinstance(entry, (str, dict)) else entry or []:
            path = str(item.get("path") if isinstance(item, dict) else item)
            paths.append(posixpath.normpath(posixpath.join(project_dir, path)))
    return paths


def process_environment(raw_keys, resolved):
    """The process environment LibreChat starts with, from the keys `environment:` sets (`raw_keys`, as
    written) and their values as compose resolved them. A value that only interpolates the same variable
    (`FOO=${FOO}`, `FOO=${FOO:-x}`) follows `.env`, so it shadows nothing and is left out."""
    env = {}
    for key, raw in (raw_keys or {}).items():
        if re.fullmatch(r"\$\{?" + re.escape(key) + r"(?:[:-][^}]*)?\}?", raw.strip()):
            continue
        env[key] = (resolved or {}).get(key, raw)
    return env


def systemd_environment(text):
    """`Environment=` of `systemctl show` (space separated, quoted when a value has spaces) as a dict."""
    env = {}
    for line in str(text or "").splitlines():
        if not line.startswith("Environment="):
            continue
        try:
            words = shlex.split(line[len("Environment=") :])
        except ValueError:
            words = line[len("Environment=") :].split()
        for word in words:
            key, sep, value = word.partition("=")
            if sep:
                env[key] = value
    return env


def systemd_environment_files(text):
    """The paths of `EnvironmentFiles=` of `systemctl show` (`/etc/x.env (ignore_errors=no)`, one per line)."""
    paths = []
    for line in str(text or "").splitlines():
        if line.startswith("EnvironmentFiles="):
            path = line[len("EnvironmentFiles=") :].split(" (", 1)[0].strip()
            if path:
                paths.append(path)
    return paths


def dotenv_values(text):
    """Every variable of an environment file, read as dotenv reads it (systemd's EnvironmentFile= syntax is close:
    KEY=value lines, quotes removed)."""
    return parse_dotenv(text or "")


def systemd_property(text, name):
    """One property of `systemctl show -p ...` output."""
    for line in str(text or "").splitlines():
        if line.startswith(name + "="):
            return line[len(name) + 1 :]
    return ""


def host_path(container_path, mounts):
    """The host path of a container path through the bind mounts (the deepest target that holds it), or ''."""
    best = None
    for mount in mounts or []:
        target = posixpath.normpath(mount["target"])
        holds = container_path == target or container_path.startswith(target.rstrip("/") + "/")
        if holds and (best is None or len(target) > len(posixpath.normpath(best["target"]))):
            best = mount
    if best is None:
        return ""
    rest = posixpath.relpath(container_path, posixpath.normpath(best["target"]))
    return best["source"] if rest == "." else posixpath.join(best["source"], rest)


def config_location(config_path, default_path, base):
    """Where LibreChat reads librechat.yaml: {kind: url|path, path (as LibreChat resolves it), set (CONFIG_PATH
    given)}. `config_path` is the effective CONFIG_PATH ('' when unset); `default_path` the file without it;
    `base` the process's working directory, against which a relative CONFIG_PATH resolves (/app in the image)."""
    value = str(config_path or "").strip()
    if re.match(r"^https?://", value, re.I):
        return {"kind": "url", "path": value, "set": True}
    if not value:
        return {"kind": "path", "path": default_path, "set": False}
    return {"kind": "path", "path": posixpath.normpath(posixpath.join(base, value)), "set": True}


def map_path(path, path_map):
    """A path through a {prefix in LibreChat's view: prefix on the host} map (the longest prefix wins); the
    path itself when no prefix matches."""
    best = ""
    for prefix in path_map or {}:
        clean = posixpath.normpath(prefix)
        if (path == clean or path.startswith(clean.rstrip("/") + "/")) and len(clean) > len(best):
            best = clean
    if not best:
        return path
    rest = posixpath.relpath(path, best)
    host = posixpath.normpath(str(path_map.get(best, path_map.get(best + "/", ""))) or best)
    return host if rest == "." else posixpath.join(host, rest)


def dotenv_value(text, key):
    """One variable of a .env text, read as LibreChat's dotenv does ('' when unset)."""
    return parse_dotenv(text or "").get(key, "")


def image_version(image):
    """The LibreChat version of an image reference's tag (`ghcr.io/danny-avila/librechat:v0.8.6` → 0.8.6),
    or '' for `latest`, a digest or no tag."""
    name = str(image or "").split("@", 1)[0]
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
    match = VERSION.match(tag)
    return match.group(1) if match else ""


def package_version(package):
    """`version` of LibreChat's package.json (parsed), or ''."""
    version = str((package or {}).get("version") or "") if isinstance(package, dict) else ""
    match = VERSION.match(version)
    return match.group(1) if match else ""


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


def sha256_of(text):
    """The checksum of `sha256sum <file>` output."""
    words = str(text or "").split()
    return words[0] if words and re.fullmatch(r"[0-9a-f]{64}", words[0]) else ""


def shadowed(process_env, env_text, keys):
    """Of `keys` (the Bedrock variables), those the process environment sets to another value than `.env`
    (`env_text`): LibreChat uses the process's. Names only, never a value."""
    env_values = parse_dotenv(env_text or "")
    process_env = process_env or {}
    return sorted({key for key in keys or [] if key in process_env and process_env[key] != env_values.get(key)})


def deployment_rows(host, deployment):
    """The verify rows of one host's deployment (tasks/deployment.yml of librechat_config, read by verify).
    `deployment`: {method, problems, mount_ok, config, shadowed, aws_mount, log, container_sha, host_sha,
    compose_files, regions}."""
    where = f"{host}: "
    d = deployment or {}
    rows = []
    method = d.get("method")
    if method == "docker_compose":
        files = ", ".join(posixpath.basename(f) for f in d.get("compose_files") or [])
        rows.append(
            _row(
                where + "librechat.yaml is mounted into the container",
                PASS if d.get("mount_ok") else FAIL,
                f"{d.get('container_path')} is {d.get('yaml_path')} on the host ({files})"
                if d.get("mount_ok")
                else "; ".join(d.get("problems") or ["no bind mount of librechat.yaml"]),
            )
        )
    log = d.get("log") or {}
    check = where + "LibreChat loaded librechat.yaml"
    if method not in OBSERVED_METHODS:
        rows.append(_row(check, SKIP, f"restart method {method}: LibreChat's log is not visible to the role"))
    elif log.get("state") == "loaded":
        rows.append(_row(check, PASS, f"its log says '{LOG_LOADED}'"))
    elif log.get("state") == "missing":
        rows.append(
            _row(
                check,
                FAIL,
                f"its log says '{LOG_MISSING}': LibreChat runs without {d.get('container_path') or 'the file'}; "
                + (
                    "mount it (librechat_config_compose_override, or the line the librechat role names)"
                    if method == "docker_compose"
                    else "check CONFIG_PATH and the file's permissions"
                ),
            )
        )
    elif log.get("state") == "invalid":
        rows.append(_row(check, FAIL, f"its log says '{log.get('line')}': fix the file, then restart LibreChat"))
    else:
        rows.append(
            _row(check, FAIL, "none of LibreChat's config lines is in its log since it started: is it running?")
        )
    if method == "docker_compose":
        check = where + "the container reads the file the role wrote"
        if not d.get("container_sha"):
            rows.append(_row(check, FAIL, f"could not read {d.get('container_path')} in the container"))
        elif d.get("container_sha") != d.get("host_sha"):
            rows.append(
                _row(
                    check,
                    FAIL,
                    f"{d.get('container_path')} in the container differs from {d.get('yaml_path')}: the mount "
                    "points elsewhere, or the container was not recreated (librechat_config_restart: docker_compose)",
                )
            )
        else:
            rows.append(_row(check, PASS, f"sha256 of {d.get('container_path')} matches {d.get('yaml_path')}"))
    names = d.get("shadowed") or []
    rows.append(
        _row(
            where + "no Bedrock variable is shadowed by the process environment",
            FAIL if names else PASS,
            f"{', '.join(names)} set by {'compose environment:' if method == 'docker_compose' else 'the unit'} "
            "win over .env (dotenv never overrides a set variable): remove them there or set the same value"
            if names
            else "the values LibreChat gets are the ones in .env",
        )
    )
    rows.append(_env_reader_row(where, d))
    if method == "docker_compose":
        rows.append(_readings_row(where, d))
        rows += process_rows(where, d)
    if d.get("aws_mount") is not None:
        rows.append(
            _row(
                where + "the AWS profile's config is mounted",
                PASS if d["aws_mount"] else FAIL,
                f"{CONTAINER_AWS_DIR} is mounted"
                if d["aws_mount"]
                else f"BEDROCK_AWS_PROFILE needs {CONTAINER_AWS_DIR} in the container: add "
                f"'- ~/.aws:{CONTAINER_AWS_DIR}:ro' to services.api.volumes",
            )
        )
    regions = d.get("regions") or {}
    if regions.get("other"):
        rows.append(
            _row(
                where + "availableRegions only where the profiles are",
                FAIL if regions.get("strict") else SKIP,
                regions_message(regions["other"], regions.get("home")),
            )
        )
    return rows


def _env_reader_row(where, d):
    """Whether the user LibreChat reads .env as can read it (env_access.readable, the rule the librechat_config
    role keeps when it writes the file)."""
    check = where + "LibreChat's user can read .env"
    reader = d.get("env_reader")
    env_file = d.get("env_file") or {}
    path = env_file.get("path") or ".env"
    if not reader:
        why = d.get("env_reader_note") or (
            f"restart method {d.get('method')}: who runs LibreChat is not known to the role"
        )
        return _row(check, SKIP, f"{why}; set librechat_config_env_reader to the user LibreChat runs as")
    who = f"{env_access.describe(reader)} ({reader.get('source')})"
    if not env_file.get("exists"):
        return _row(check, FAIL, f"{path} does not exist: run the librechat playbook to write it")
    owner = env_file.get("owner") or env_file.get("uid")
    group = env_file.get("group") or env_file.get("gid")
    seen = f"{path} is {owner}:{group} {env_file.get('mode')}"
    how = env_access.readable(reader, env_file.get("uid"), env_file.get("gid"), env_file.get("mode"))
    if not how:
        return _row(
            check,
            FAIL,
            f"{who} cannot read it ({seen}): LibreChat's dotenv skips it and LibreChat runs without every secret in "
            f"it; `chgrp {reader.get('gid')} {path} && chmod 0640 {path}`, or set librechat_config_group: "
            f"{reader.get('gid')} and run the librechat playbook",
        )
    through = {
        "root": "as root",
        "owner": "as its owner",
        "group": "through its group",
        "world": "only through the world bits (every user of the host reads its secrets): give that user's group "
        f"read access (`chgrp {reader.get('gid')} {path} && chmod 0640 {path}`), so the librechat playbook can "
        "drop them",
    }[how]
    return _row(check, PASS, f"{who} reads it {through}; {seen}")


def _readings_row(where, d):
    check = where + "Compose and dotenv read the Bedrock keys of .env alike"
    if not d.get("env_via_env_file"):
        return _row(check, SKIP, ".env is not in the service's env_file: only LibreChat's dotenv reads it")
    names = d.get("env_readings_differ") or []
    if names:
        return _row(
            check,
            FAIL,
            f"docker compose (env_file) reads {', '.join(names)} otherwise than LibreChat's dotenv, and LibreChat "
            "gets Compose's reading: write those values in single quotes (Compose interpolates $ in unquoted and "
            "double-quoted values, and reads # as a comment only after a space); the librechat playbook does so "
            "for the keys it writes",
        )
    return _row(check, PASS, "every Bedrock key of .env reads the same through env_file as through dotenv")


def verify_deployment_rows(entry, expected=None):
    """deployment_rows of one verify host entry ({host, deployment, restart}). `expected`: what the role maps, for
    every host ({region, variables: {profile variable: ARN or None}}), added to the host's own (its `auth`)."""
    deployment = dict(entry.get("deployment") or {})
    deployment["expected"] = {**(expected or {}), **(deployment.get("expected") or {})}
    deployment.setdefault("restart_command", (entry.get("restart") or {}).get("command") or "")
    return deployment_rows(entry.get("host"), deployment)


# ------------------------------------------------------------------------------------------ LibreChat's process
# The verify role asks LibreChat's own container, as its own user, what its process holds after its start-up
# (roles/verify/files/librechat_process.js, run by `docker compose exec -T <service> node -e`).

PROCESS_READS_ENV = "LibreChat's process reads .env"
PROCESS_HOLDS = "LibreChat's process holds the region and each profile ARN"
PROCESS_CREDENTIALS = "LibreChat's process uses credentials: "
# What the script may report: anything else it printed is dropped (it prints no secret; this keeps it so).
_ENV_FILE_FIELDS = ("path", "exists", "readable", "loaded", "error", "mounted")
_CREDENTIAL_NAMES = (
    "BEDROCK_AWS_ACCESS_KEY_ID",
    "BEDROCK_AWS_SECRET_ACCESS_KEY",
    "BEDROCK_AWS_SESSION_TOKEN",
    "BEDROCK_AWS_BEARER_TOKEN",
    "BEDROCK_AWS_PROFILE",
)
# the names librechat_process.js gives the methods: librechat_config_auth's, and unpaired (one half of the pair)
_METHODS = ("user_provided", "bearer", "unpaired", "static", "profile", "default_chain")


def process_state(result):
    """The non-secret fields of the verify role's `docker compose exec ... node -e` run (a registered command
    result): {status: read, not_running, no_node, error or not_asked; reason; uid, gid, cwd; env_file {path,
    exists, readable, loaded, error, mounted}; dotenv_error; region; endpoints; profiles {variable: value or None};
    credentials {method, set (names)}}. Only the fields named here are kept."""
    r = result if isinstance(result, dict) else {}
    if r.get("skipped") or not any(key in r for key in ("rc", "stdout", "stderr")):
        return {"status": "not_asked", "reason": "LibreChat's process was not asked"}
    stderr = str(r.get("stderr") or "")
    found = None
    for line in reversed(str(r.get("stdout") or "").splitlines()):
        if line.startswith("{"):
            try:
                found = json.loads(line)
            except ValueError:
                found = None
            break
    if not isinstance(found, dict):
        last = ([line.strip() for line in stderr.splitlines() if line.strip()] or [f"rc {r.get('rc')}"])[-1]
        if re.search(r"is not running|is restarting|is paused|no container found", stderr):
            return {"status": "not_running", "reason": last[:300]}
        if re.search(r"executable file not found|\bnode: not found", stderr):
            return {"status": "no_node", "reason": last[:300]}
        return {"status": "error", "reason": last[:300]}
    env_file = found.get("envFile") if isinstance(found.get("envFile"), dict) else {}
    credentials = found.get("credentials") if isinstance(found.get("credentials"), dict) else {}
    profiles = found.get("profiles") if isinstance(found.get("profiles"), dict) else {}
    method = credentials.get("method")
    return {
        "status": "read",
        "reason": "",
        "uid": found.get("uid"),
        "gid": found.get("gid"),
        "cwd": str(found.get("cwd") or ""),
        "env_file": {key: env_file.get(key) for key in _ENV_FILE_FIELDS},
        "dotenv_error": str(found.get("dotenvError") or ""),
        "region": found.get("BEDROCK_AWS_DEFAULT_REGION"),
        "endpoints": found.get("ENDPOINTS"),
        "profiles": {
            str(name): None if value is None else str(value)
            for name, value in profiles.items()
            if name not in _CREDENTIAL_NAMES[:4]
        },
        "credentials": {
            "method": method if method in _METHODS else "unknown",
            "set": [name for name in credentials.get("set") or [] if name in _CREDENTIAL_NAMES],
        },
    }


def _process_unread(p, d):
    """Why the three process rows are SKIP, or ''."""
    status = p.get("status") or "not_asked"
    if status == "read":
        if p.get("dotenv_error"):
            return (
                f"LibreChat's dotenv cannot be loaded from {p.get('cwd')} ({p['dotenv_error']}): the container's "
                "working directory is not LibreChat's (/app in its image), so this is not LibreChat's start-up"
            )
        return ""
    if status == "not_running":
        how = d.get("restart_command") or "docker compose up -d"
        return f"the LibreChat container is not running ({p.get('reason')}): start it ({how}), then verify again"
    if status == "no_node":
        return (
            f"node is not in the container's image ({p.get('reason')}), so LibreChat's process cannot be asked: is "
            "the service LibreChat's image?"
        )
    if status == "error":
        return f"docker compose exec failed: {p.get('reason')}"
    return p.get("reason") or "LibreChat's process was not asked"


def process_rows(where, d):
    """The rows of what LibreChat's process holds, asked inside its container (process_state() of the verify
    role's read, in `d['process']`), against what the role maps (`d['expected']`: region, auth, variables)."""
    p = d.get("process") or {}
    expected = d.get("expected") or {}
    auth = expected.get("auth") or "default_chain"
    why = _process_unread(p, d)
    if why:
        return [
            _row(where + PROCESS_READS_ENV, SKIP, why),
            _row(where + PROCESS_HOLDS, SKIP, why),
            _row(where + PROCESS_CREDENTIALS + auth, SKIP, why),
        ]
    return [
        _process_env_row(where, d, p),
        _process_values_row(where, d, p, expected),
        _process_credentials_row(where, d, p, auth),
    ]


def _process_env_row(where, d, p):
    check = where + PROCESS_READS_ENV
    env_file = p.get("env_file") or {}
    inside = env_file.get("path") or posixpath.join(p.get("cwd") or "/app", ".env")
    host = (d.get("env_file") or {}).get("path") or ".env"
    who = f"{p.get('uid')}:{p.get('gid')}"
    if env_file.get("mounted") is False:
        if d.get("env_via_env_file"):
            return _row(
                check,
                SKIP,
                f"{host} is not mounted at {inside} (env_file only): LibreChat's environment comes from compose, and "
                f"its dotenv reads the image's own {inside}; the next rows judge what it holds",
            )
        return _row(
            check,
            FAIL,
            f"{host} is neither mounted at {inside} nor in the service's env_file: LibreChat never reads it; mount it "
            f'("- ./.env:{inside}" under the service\'s volumes) or add "env_file: [.env]", then recreate LibreChat',
        )
    also = " (compose's env_file still gives it the values)" if d.get("env_via_env_file") else ""
    if not env_file.get("exists"):
        return _row(check, FAIL, f"there is no {inside} in the container: check the mount of {host}{also}")
    if not env_file.get("readable"):
        return _row(
            check,
            FAIL,
            f"LibreChat's user {who} cannot read the mounted {inside} ({host} on the host): its dotenv skips the "
            f"file without a word, and LibreChat runs without every value in it{also}; `chgrp {p.get('gid')} {host} "
            f"&& chmod 0640 {host}`, or set the librechat_config role's librechat_config_group: {p.get('gid')} and "
            "run the librechat playbook",
        )
    if not env_file.get("loaded"):
        return _row(
            check,
            FAIL,
            f"LibreChat's dotenv did not load {inside} ({env_file.get('error')}){also}: check what is mounted "
            f"there ({host}; a mount whose source was missing is a directory)",
        )
    return _row(check, PASS, f"LibreChat's user {who} reads {inside} (mounted from {host}) and dotenv loaded it")


def _process_values_row(where, d, p, expected):
    check = where + PROCESS_HOLDS
    shadowed_names = set(d.get("shadowed") or [])
    variables = expected.get("variables") or {}
    region = expected.get("region")
    problems = []

    def seen(value):
        return "unset" if value in (None, "") else repr(value)

    def source(name):
        return " (set by compose environment:)" if name in shadowed_names else ""

    if region and p.get("region") != region:
        problems.append(
            f"BEDROCK_AWS_DEFAULT_REGION is {seen(p.get('region'))}, not {region} (librechat_bedrock_region)"
            + source("BEDROCK_AWS_DEFAULT_REGION")
        )
    names = list((p.get("profiles") or {}).keys())
    for name in names:
        held, want = p["profiles"][name], variables.get(name)
        if not want:
            problems.append(
                f"{name} is {seen(held)}, and no profile ARN is known for it (run the profiles playbook, "
                "librechat.bedrock.profiles)"
            )
        elif held != want:
            problems.append(f"{name} is {seen(held)}, not {want}" + source(name))
    if problems:
        how = d.get("restart_command") or "docker compose up -d --force-recreate"
        return _row(
            check,
            FAIL,
            "; ".join(problems) + ": LibreChat holds what compose's environment: and env_file and then .env give it "
            f"at its start; run the librechat playbook, remove or align a value set elsewhere, and recreate it ({how})",
        )
    mapped = f" and {', '.join(names)} as the role maps them" if names else " (no profile variable: ARNs in the file)"
    return _row(check, PASS, f"BEDROCK_AWS_DEFAULT_REGION {p.get('region')}{mapped}")


def _process_credentials_row(where, d, p, auth):
    credentials = p.get("credentials") or {}
    method = credentials.get("method") or "unknown"
    names = credentials.get("set") or []
    given = f" ({', '.join(names)} set)" if names else " (no BEDROCK_AWS_* credential set)"
    check = where + PROCESS_CREDENTIALS + method
    if method == auth:
        return _row(check, PASS, f"as librechat_config_auth says{given}")
    why = f"LibreChat's process uses {method}{given}, and librechat_config_auth is {auth}"
    if method == "unpaired":
        why += " (only one of BEDROCK_AWS_ACCESS_KEY_ID and BEDROCK_AWS_SECRET_ACCESS_KEY: every request fails)"
    return _row(
        check,
        FAIL,
        f"{why}: run the librechat playbook (it removes the other methods' variables from .env), remove any set in "
        "compose's environment:, and recreate LibreChat; or set librechat_config_auth to the method you use",
    )


def regions_message(other, home, hint=True):
    """What a user who picks another region gets (packages/api/src/endpoints/bedrock/initialize.ts: the request
    goes to the picked region, `applicationInferenceProfile` is the one mapped ARN)."""
    text = (
        f"a user who picks {', '.join(other)} in LibreChat's region picker gets an error for every model with a "
        f"profile: LibreChat sends the {home} application profile ARN to that region's endpoint, and an "
        "application profile exists only in its own region (reported answer: ValidationException 'The provided "
        "model identifier is invalid'; not verified against AWS here). Models without a profile work there if "
        "they are offered there. Drop the region from librechat_config_available_regions"
    )
    return text + (", or set librechat_config_strict_regions: true to refuse this" if hint else "")


def backups_split(found, keep):
    """`ansible.builtin.find` results of one file's backups: {keep: [paths], drop: [paths]}, newest kept (by mtime,
    then by name, which carries the time)."""
    files = sorted(found or [], key=lambda f: (f.get("mtime") or 0, f.get("path")), reverse=True)
    paths = [f["path"] for f in files]
    return {"keep": paths[: int(keep)], "drop": paths[int(keep) :]}


def _row(check, status, detail):
    return {"check": check, "status": status, "detail": detail}


class FilterModule:
    def filters(self):
        return {
            "compose_mounts": compose_mounts,
            "compose_files": compose_files,
            "compose_args": compose_args,
            "compose_service": compose_service,
            "compose_environment_keys": compose_environment_keys,
            "compose_env_files": compose_env_files,
            "compose_process_environment": process_environment,
            "compose_host_path": host_path,
            "librechat_config_location": config_location,
            "librechat_map_path": map_path,
            "dotenv_value": dotenv_value,
            "librechat_image_version": image_version,
            "librechat_package_version": package_version,
            "librechat_config_log_state": config_log_state,
            "sha256_of": sha256_of,
            "systemd_environment": systemd_environment,
            "systemd_property": systemd_property,
            "systemd_environment_files": systemd_environment_files,
            "dotenv_values": dotenv_values,
            "shadowed_keys": shadowed,
            "deployment_rows": deployment_rows,
            "verify_deployment_rows": verify_deployment_rows,
            "librechat_process_state": process_state,
            "backups_split": backups_split,
            "regions_message": regions_message,
            "env_reader": env_access.resolve,
            "env_readings_differ": readings_differ,
        }
