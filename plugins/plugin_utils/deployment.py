# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one reading of a LibreChat deployment, as LibreChat and docker compose see it: which compose files are
the deployment, what the service container mounts and has in its environment, where its librechat.yaml is on
the host, which LibreChat version runs, who reads `.env`, and what keeps LibreChat from reading what the
librechat_config role writes. describe() turns what librechat.bedrock.librechat_files_info read on the host (its
`deployment` option) into that description; the librechat_deployment_info action plugin runs both.

Facts checked against LibreChat's source (danny-avila/LibreChat):
- `packages/api/src/app/loader.ts`: the config path is `process.env.CONFIG_PATH || defaultConfigPath`
  (`/app/librechat.yaml` in the image, `api/server/services/Config/loadCustomConfig.js`); an `http(s)://` path
  is fetched; the log lines below are what it prints for a loaded, missing, unparsable or invalid file.
- `deploy-compose.yml` (the remote-deployment guide's `docker compose -f ./deploy-compose.yml`) bind-mounts
  `./librechat.yaml` and reads `.env` through `env_file`; `docker-compose.yml` bind-mounts `./.env` only, and
  `docker-compose.override.yml.example` shows the `./librechat.yaml:/app/librechat.yaml` line to add.
"""

import base64
import json
import posixpath
import re
import shlex

import yaml

from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import (
    compose_args,
    config_log_state,
    systemd_property,
)
from ansible_collections.librechat.bedrock.plugins.module_utils.rules import BEDROCK_CREDENTIAL_KEYS
from ansible_collections.librechat.bedrock.plugins.plugin_utils import env_access
from ansible_collections.librechat.bedrock.plugins.plugin_utils.dotenv_file import parse as parse_dotenv
from ansible_collections.librechat.bedrock.plugins.plugin_utils.dotenv_file import readings_differ

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


def dotenv_values(text):
    """Every variable of an environment file, read as dotenv reads it (systemd's EnvironmentFile= syntax is close:
    KEY=value lines, quotes removed)."""
    return parse_dotenv(text or "")


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


# ------------------------------------------------------------------------------------------------ the reading


def _text(entry):
    """The decoded content of a librechat_files_info entry, or None when it has none."""
    if not entry or entry.get("content") is None:
        return None
    return base64.b64decode(entry["content"]).decode("utf-8", errors="replace")


def _holds(directory, path):
    """Whether a mount at `directory` puts `path` on the host: it is `path`, or one of its parents but /."""
    directory = posixpath.normpath(directory)
    path = posixpath.normpath(path)
    return directory != "/" and (path == directory or path.startswith(directory + "/"))


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def override_source(yaml_path, compose_dir):
    """The source of the librechat.yaml mount the role's docker-compose.override.yml adds: relative to the compose
    project when the file lives there, as LibreChat's own example writes it."""
    if posixpath.normpath(posixpath.dirname(yaml_path)) == posixpath.normpath(compose_dir):
        return "./" + posixpath.basename(yaml_path)
    return yaml_path


def _override(raw, settings):
    """{exists, mounted} of the role's docker-compose.override.yml (read with compose_override): whether it
    bind-mounts librechat.yaml into the service at compose_target."""
    entry = raw.get("override_file") or {}
    text = _text(entry)
    mounted = False
    if text is not None and settings["restart"] != "docker_compose":
        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise ValueError(f"{entry.get('path')} is not YAML: {e}") from None
        mounted = settings["compose_target"] in compose_mounts(parsed, settings["compose_service"])
    return {"exists": bool(entry.get("exists")), "mounted": mounted}


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


def reader_inputs(raw, settings, service, env_in_env_file):
    """What decides who reads .env (env_access.resolve): names and IDs only, no secret."""
    show = (raw.get("systemd_show") or {}).get("stdout") or ""
    config = raw.get("compose_config") or {}
    return {
        "method": settings["restart"],
        "override": settings.get("env_reader") or "",
        "env_file": env_in_env_file,
        "compose_ok": config.get("rc", 1) == 0,
        "service_exists": service["exists"],
        "compose_files": raw.get("compose_files") or [],
        "service": settings["compose_service"],
        "service_user": service["user"],
        "image": service["image"],
        # the running container the host found when it asked Compose (None: the script asks Compose itself)
        "container": (raw.get("reader_inputs") or {}).get("container"),
        "unit_user": systemd_property(show, "User"),
        "unit_group": systemd_property(show, "Group"),
        "unit_supplementary_groups": systemd_property(show, "SupplementaryGroups"),
        "unit_dynamic_user": systemd_property(show, "DynamicUser"),
        "owner": settings.get("owner") or "",
        "group": settings.get("group") or "",
    }


def read(raw, settings):
    """The first half of the reading: the parsed pieces of what the host returned, and who reads .env as far as
    that tells ({..., reader}: its `run` is the `docker run` argv still to run, when only Docker can say)."""
    method = settings["restart"]
    compose = method == "docker_compose"
    files = raw.get("files") or []
    env_entry = files[0] if files else {}
    config = raw.get("compose_config") or {}
    compose_ok = not compose or config.get("rc", 1) == 0
    parsed = {}
    if compose and config.get("rc", 1) == 0:
        try:
            parsed = json.loads(config.get("stdout") or "{}")
        except ValueError:
            parsed = {}
    service = compose_service(parsed, settings["compose_service"])
    compose_raw = []
    for entry in files[1:] if compose else []:
        text = _text(entry)
        if text is not None:
            try:
                compose_raw.append(yaml.safe_load(text))
            except yaml.YAMLError as e:
                raise ValueError(f"{entry.get('path')} is not YAML: {e}") from None
    unit_files = files[1:-1] if method == "systemd" else []
    package_entry = files[-1] if not compose and files else {}
    project = raw.get("compose_dir") or settings["compose_dir"]
    env_in_env_file = compose and (
        settings["env_path"] in service["env_files"]
        or settings["env_path"] in compose_env_files(compose_raw, settings["compose_service"], project)
    )
    show = (raw.get("systemd_show") or {}).get("stdout") or ""
    if compose:
        process_env = process_environment(
            compose_environment_keys(compose_raw, settings["compose_service"]), service["environment"]
        )
    elif method == "systemd":
        process_env = systemd_environment(show)
        for entry in unit_files:
            text = _text(entry)
            if text is not None:
                process_env.update(dotenv_values(text))
    else:
        process_env = {}
    inputs = reader_inputs(raw, settings, service, env_in_env_file)
    reader_read = (raw.get("env_reader") or {}).get("read") or ""
    return {
        "compose": compose,
        "compose_ok": compose_ok,
        "config": config,
        "service": service,
        "env_entry": env_entry,
        "env_text": _text(env_entry) or "",
        "package_text": _text(package_entry),
        "show": show,
        "env_in_env_file": env_in_env_file,
        "env_compose": service["environment"] if env_in_env_file else {},
        "process_env": process_env,
        "inputs": inputs,
        "reader_read": reader_read,
        "reader": env_access.resolve(inputs, reader_read),
    }


def run_command(argv):
    """The `docker run` argv as one shell command line."""
    return " ".join(shlex.quote(str(word)) for word in argv)


def describe(raw, settings, reading, run_output=""):
    """The deployment (no secret in it), from read()'s `reading`, and the output of its reader's `docker run`
    when that had to run. Returns (deployment, environment): environment holds the secret values, {process,
    env_file}. `settings`: the options of librechat_deployment_info."""
    r = reading
    compose = r["compose"]
    service = r["service"]
    method = settings["restart"]
    compose_files = raw.get("compose_files") or []
    compose_dir = settings["compose_dir"]
    svc = settings["compose_service"]
    reader = env_access.resolve(r["inputs"], r["reader_read"], run_output) if run_output else r["reader"]
    process_env = r["process_env"]
    env_text = r["env_text"]
    config_path = process_env.get("CONFIG_PATH") or dotenv_value(env_text, "CONFIG_PATH")
    base = "/app" if compose else (systemd_property(r["show"], "WorkingDirectory") or settings["dir"])
    location = config_location(config_path, settings["compose_target"] if compose else settings["yaml_path"], base)
    aws_dir = settings["container_aws_dir"]
    # the directory itself, or a directory that holds it (the user's home, /home): not / itself
    aws_mounted = any(_holds(m["target"], aws_dir) for m in service["mounts"])
    mounted_path = host_path(location["path"], service["mounts"]) if compose else ""
    override_path = posixpath.join(compose_dir, "docker-compose.override.yml")
    source = override_source(settings["yaml_path"], compose_dir)
    names = [posixpath.basename(f) for f in compose_files]
    override_would_mount = bool(
        compose
        and not mounted_path
        and settings["compose_override"]
        and override_path not in compose_files
        and names == ["docker-compose.yml"]
        and not location["set"]
    )
    if compose:
        yaml_path = mounted_path or (settings["yaml_path"] if override_would_mount else "")
    else:
        yaml_path = map_path(location["path"], settings["container_path_map"])
    env_path = settings["env_path"]
    env_seen = (
        not compose
        or r["env_in_env_file"]
        or env_path in [m["source"] for m in service["mounts"] if m["target"] == "/app/.env"]
    )
    if compose:
        version = image_version(service["image"])
    else:
        try:
            package = json.loads(r["package_text"]) if r["package_text"] is not None else {}
        except ValueError:
            package = {}
        version = package_version(package)
    variables = list(settings["variables"] or [])
    shadow_keys = [key for key in process_env if re.match("^BEDROCK_", key)] + ["ENDPOINTS"] + variables
    region = settings.get("region")
    entry = r["env_entry"] or {}
    problems = []
    if not r["compose_ok"]:
        problems.append(
            f"docker compose {' '.join(compose_args(compose_files))} config failed in {compose_dir} "
            f"({str(r['config'].get('stderr') or '').strip()}): set librechat_config_compose_files and "
            "librechat_config_compose_dir to the files LibreChat runs from"
        )
    if r["compose_ok"] and compose and not service["exists"]:
        problems.append(
            f"the compose files have no service {svc}: set librechat_config_compose_service to the LibreChat service"
        )
    if location["kind"] == "url":
        problems.append(
            f"CONFIG_PATH is the URL {location['path']}: LibreChat fetches librechat.yaml from there at start, so "
            "no file on this host is the one it reads. Publish the file there yourself, or unset CONFIG_PATH (in "
            f"{env_path} or the service environment) to let the role write it"
        )
    if compose and r["compose_ok"] and service["exists"] and location["kind"] == "path" and not yaml_path:
        problems.append(
            f"LibreChat reads {location['path']} in the container{' (CONFIG_PATH)' if location['set'] else ''}, "
            f"and no bind mount of {' + '.join(names)} puts a host file there, so it runs without the file the role "
            f"writes. Add to services.{svc}.volumes of {posixpath.basename(compose_files[-1]) if compose_files else ''}"
            f': "- {source}:{location["path"]}:ro"'
            + (
                ", or set librechat_config_compose_override: true (LibreChat's docker-compose.yml layout)"
                if names == ["docker-compose.yml"]
                else ""
            )
        )
    if not (env_seen or not r["compose_ok"] or not service["exists"]):
        problems.append(
            f"the {svc} service neither lists {env_path} in env_file nor mounts it at /app/.env, so LibreChat would "
            'never see what the role writes there: add "env_file: [.env]" to the service, or set '
            "librechat_config_env_path to the file it reads"
        )
    if compose and r["compose_ok"] and service["exists"] and settings["auth"] == "profile" and not aws_mounted:
        problems.append(
            f"librechat_config_auth=profile, but nothing is mounted at {aws_dir} in the container, where the AWS SDK "
            f"of LibreChat (user node) looks for profile {settings['aws_profile']}: add "
            f'"- ~/.aws:{aws_dir}:ro" to services.{svc}.volumes (the directory of the host user whose profile it is)'
        )
    other_regions = _unique(x for x in settings["available_regions"] or [] if x != region) if variables else []
    if settings["strict_regions"] and other_regions:
        problems.append(
            f"librechat_config_available_regions={settings['available_regions']} with "
            f"librechat_config_strict_regions: true: {regions_message(other_regions, region, False)}"
        )
    recreate_files = compose_files + ([override_path] if override_would_mount else [])
    deployment = {
        "method": method,
        "service": svc,
        "container_aws_dir": aws_dir,
        "compose_files": compose_files,
        "compose_ok": r["compose_ok"],
        "container_path": location["path"] if compose else "",
        # the service's running container as the host listed it (the observation reads it by this ID)
        "container": ((raw.get("reader_inputs") or {}).get("container") or "") if compose else "",
        "config_path_set": location["set"],
        "yaml_path": yaml_path,
        "mount_ok": bool(compose and mounted_path),
        "override_would_mount": override_would_mount,
        "override_path": override_path,
        "override_source": source,
        "override": _override(raw, settings),
        # -f with the deployment's own compose files (deploy-compose.yml on a server): a bare `docker compose up`
        # would recreate the service from docker-compose.yml, another definition. --force-recreate makes a new
        # container, which is when compose reads env_file again (`restart` keeps the old environment).
        "recreate": {
            "files": recreate_files if compose else [],
            "command": [
                "docker",
                "compose",
                *compose_args(recreate_files),
                "up",
                "--detach",
                "--force-recreate",
                "--no-deps",
                svc,
            ]
            if compose
            else [],
        },
        "env_seen": bool(env_seen),
        "aws_mount": aws_mounted if compose and settings["auth"] == "profile" else None,
        "image": service["image"],
        "version": version,
        "shadowed": shadowed(process_env, env_text, shadow_keys),
        "regions": {
            "home": region,
            "strict": bool(settings["strict_regions"]),
            "other": other_regions,
        },
        "env_reader": reader["reader"],
        "env_reader_note": reader["note"],
        "env_owner": reader["owner"],
        "env_group": reader["group"],
        "env_file": {
            "path": env_path,
            "exists": bool(entry.get("exists")),
            "uid": entry.get("uid"),
            "gid": entry.get("gid"),
            "owner": entry.get("pw_name", ""),
            "group": entry.get("gr_name", ""),
            "mode": entry.get("mode", ""),
        },
        "env_via_env_file": bool(r["env_in_env_file"]),
        "env_readings_differ": readings_differ(env_text, r["env_compose"], process_env, variables),
        "problems": problems,
    }
    # what was read of the two files the librechat_config module reads (librechat_files_info entries, contents
    # included), by path: the module takes them instead of reading them again
    files = {}
    for entry in (raw.get("yaml_file"), r["env_entry"]):
        if entry and entry.get("path") in (yaml_path, env_path):
            files[entry["path"]] = entry
    return deployment, {"process": process_env, "env_file": r["env_compose"], "files": files}


# ------------------------------------------------------------------------------------ LibreChat, observed
# The verify role asks LibreChat's own container, as its own user, what its process holds after its start-up
# (roles/verify/files/librechat_process.js, run by `node -e` in the service's running container: `docker exec`, or
# `docker compose exec -T <service>` when Compose named none).

# What the script may report: anything else it printed is dropped (it prints no secret; this keeps it so).
_ENV_FILE_FIELDS = ("path", "exists", "readable", "loaded", "error", "mounted")
_CREDENTIAL_NAMES = BEDROCK_CREDENTIAL_KEYS
# the names librechat_process.js gives the methods: librechat_config_auth's, and unpaired (one half of the pair)
_METHODS = ("user_provided", "bearer", "unpaired", "static", "profile", "default_chain")


def process_state(result):
    """The non-secret fields of the verify role's `docker exec ... node -e` run (a registered command
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
        if re.search(r"is not running|is restarting|is paused|no container found|No such container", stderr):
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


def observation(observed):
    """What librechat_files_info's `observe` read, judged: {log {state, line}, container_sha, container_error,
    host_sha, started, started_error, process (process_state())}. No secret: the log itself is not kept."""
    o = observed or {}
    container = o.get("container_sum") or {}
    started = o.get("started") or {}
    text = str(started.get("stdout") or "")
    if o.get("method") == "systemd":
        text = re.sub(r"^ActiveEnterTimestamp=", "", text)
    return {
        "log": config_log_state((o.get("log") or {}).get("stdout")),
        "container_sha": sha256_of(container.get("stdout")),
        "container_error": str(container.get("stderr") or "").strip(),
        "host_sha": o.get("host_sum") or "",
        "started": text,
        "started_error": str(started.get("stderr") or ""),
        "process": process_state(o.get("process") or {}),
    }


def restart_command(settings, reading):
    """How to restart LibreChat, as a row names it: the deployment's recreate command, or the unit's restart."""
    if settings["restart"] == "docker_compose":
        return " ".join((reading.get("recreate") or {}).get("command") or [])
    return f"systemctl restart {settings['systemd_unit']}"
