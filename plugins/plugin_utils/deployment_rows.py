# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verify role's rows of one host's LibreChat deployment: the reading of plugin_utils/deployment.py and
what LibreChat itself said (its log, the file in its container, its process), against what the
librechat_config role maps."""

import posixpath

from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import LOG_LOADED, LOG_MISSING
from ansible_collections.librechat.bedrock.plugins.plugin_utils import env_access
from ansible_collections.librechat.bedrock.plugins.plugin_utils.checklist import FAIL, PASS, SKIP
from ansible_collections.librechat.bedrock.plugins.plugin_utils.deployment import regions_message
from ansible_collections.librechat.bedrock.plugins.plugin_utils.restart_methods import OBSERVED_METHODS


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
                f"{d.get('container_aws_dir')} is mounted"
                if d["aws_mount"]
                else f"BEDROCK_AWS_PROFILE needs {d.get('container_aws_dir')} in the container: add "
                f"'- ~/.aws:{d.get('container_aws_dir')}:ro' to services.{d.get('service')}.volumes",
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


# ------------------------------------------------------------------------------------------ LibreChat's process
# The verify role asks LibreChat's own container, as its own user, what its process holds after its start-up
# (roles/verify/files/librechat_process.js, run by `node -e` in the service's running container: `docker exec`, or
# `docker compose exec -T <service>` when Compose named none).

PROCESS_READS_ENV = "LibreChat's process reads .env"
PROCESS_HOLDS = "LibreChat's process holds the region and each profile ARN"
PROCESS_CREDENTIALS = "LibreChat's process uses credentials: "


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
        return f"running node in the LibreChat container failed: {p.get('reason')}"
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


def _row(check, status, detail):
    return {"check": check, "status": status, "detail": detail}


def observed_rows(host, reading, observation, expected=None):
    """The rows of one host: its deployment's reading (plugin_utils/deployment.py), what LibreChat said
    (observation(), with its restart command), against `expected` ({region, auth, variables: {profile variable:
    ARN or None}})."""
    d = dict(reading or {})
    o = observation or {}
    d.update(
        log=o.get("log"),
        container_sha=o.get("container_sha"),
        host_sha=o.get("host_sha"),
        process=o.get("process"),
        expected=dict(expected or {}),
        restart_command=o.get("restart_command") or "",
    )
    return deployment_rows(host, d)
