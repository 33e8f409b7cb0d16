#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: librechat_files_info
version_added: 0.2.0
short_description: Read several files of a LibreChat host in one module run
description:
  - Returns, for each path in O(paths), what M(ansible.builtin.stat) says of it (existence, type, mode, owner,
    group, modification time, size) and, with O(content=true), its content, base64-encoded as
    M(ansible.builtin.slurp) returns it.
  - One module run on the host whatever the number of files, where C(stat) and C(slurp) take one each. The
    collection's LibreChat action plugins (M(librechat.bedrock.librechat_config),
    M(librechat.bedrock.librechat_config_info)) and the librechat_config role read C(librechat.yaml), C(.env),
    C(package.json) and the compose files through it.
  - A missing path is reported as such, not as a failure. A file that exists but cannot be read is reported with
    its RV(files[].error), so the caller decides.
  - The content of C(.env) is secret. Register the result of a task that reads it with C(no_log).
  - This module is read-only and supports check mode.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
extends_documentation_fragment:
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
options:
  paths:
    description: The files to read, as absolute paths on the host, in the order the result lists them.
    type: list
    elements: path
    default: []
  content:
    description:
      - Whether to return each regular file's content as well as its stat.
      - The content of a symbolic link's target is returned, as M(ansible.builtin.slurp) does.
    type: bool
    default: true
  deployment:
    description:
      - Also read everything LibreChat's deployment is made of, in the same module run, and return it raw as
        RV(deployment). M(librechat.bedrock.librechat_deployment_info) reads it through this option and describes
        it; use that module rather than this option.
      - Its keys are the options of M(librechat.bedrock.librechat_deployment_info) that say where LibreChat is
        and how it runs.
    type: dict
    suboptions:
      restart:
        description: How LibreChat runs.
        type: str
        choices: [docker_compose, systemd, command, none]
        default: docker_compose
      dir:
        description: LibreChat's directory.
        type: path
        default: /opt/librechat
      env_path:
        description: LibreChat's C(.env) (default C(<dir>/.env)).
        type: path
      compose_dir:
        description: The compose project directory (default O(deployment.dir)).
        type: path
      compose_service:
        description: The compose service that runs LibreChat.
        type: str
        default: api
      compose_files:
        description: The compose files (empty detects them).
        type: list
        elements: str
        default: []
      compose_override:
        description: Whether to read the project's C(docker-compose.override.yml) too.
        type: bool
        default: false
      systemd_unit:
        description: The systemd unit that runs LibreChat.
        type: str
        default: librechat
      env_reader:
        description: The user LibreChat reads C(.env) as (empty detects it).
        type: str
        default: ""
      owner:
        description: A user whose uid to resolve on the host.
        type: str
        default: ""
      group:
        description: A group whose gid to resolve on the host.
        type: str
        default: ""
      yaml_path:
        description: The C(librechat.yaml) on the host (read too; with O(observe=true), its checksum).
        type: path
      container_path:
        description: With O(observe=true), the C(librechat.yaml) LibreChat reads in the container (empty compares
          no checksum).
        type: str
        default: ""
      container:
        description: With O(observe=true) and compose, the ID of the service's running container as a reading of
          the deployment found it. It is read when one C(docker container inspect), before any other read, says it
          runs and carries the service's compose label; otherwise Compose is asked for the running container, as
          without it.
        type: str
        default: ""
      wait:
        description: With O(observe=true), seconds to wait for one of LibreChat's config lines in its log.
        type: int
        default: 0
      process_script:
        description: With O(observe=true), a script C(node -e) runs in the container.
        type: str
        default: ""
      process_variables:
        description: The script's arguments.
        type: list
        elements: str
        default: []
  observe:
    description:
      - "With O(deployment), observe LibreChat instead of reading its deployment, and return it raw as RV(observed):
        its log, the checksum of its config file in the container and on the host, its start time, and what its
        process holds."
      - M(librechat.bedrock.librechat_deployment_info) reads it through this option (its C(observe=true)) and
        judges it; use that module rather than this option.
    type: bool
    default: false
seealso:
  - module: librechat.bedrock.librechat_deployment_info
  - module: ansible.builtin.stat
  - module: ansible.builtin.slurp
  - module: librechat.bedrock.librechat_config_info
"""

EXAMPLES = r"""
- name: Read .env and package.json in one module run
  librechat.bedrock.librechat_files_info:
    paths:
      - /opt/librechat/.env
      - /opt/librechat/package.json
  register: librechat_files
  no_log: true

- name: Find which compose files exist, without reading them
  librechat.bedrock.librechat_files_info:
    paths:
      - /opt/librechat/docker-compose.yml
      - /opt/librechat/docker-compose.override.yml
    content: false
  register: compose_files
"""

RETURN = r"""
files:
  description: One entry per path of O(paths), in that order.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The path as given.
      type: str
      returned: always
    exists:
      description: Whether something exists at the path (a broken symbolic link does not).
      type: bool
      returned: always
    isreg:
      description: Whether the path is a regular file, or a symbolic link to one.
      type: bool
      returned: always
    isdir:
      description: Whether the path is a directory, or a symbolic link to one.
      type: bool
      returned: always
    islnk:
      description: Whether the path itself is a symbolic link.
      type: bool
      returned: always
    mode:
      description: The permission bits of the path itself (not of a link's target), in octal, as
        M(ansible.builtin.stat) gives them.
      type: str
      returned: when RV(files[].exists)
      sample: "0600"
    uid:
      description: The owner's user ID.
      type: int
      returned: when RV(files[].exists)
    gid:
      description: The group ID.
      type: int
      returned: when RV(files[].exists)
    pw_name:
      description: The owner's user name, empty when the host has no name for RV(files[].uid).
      type: str
      returned: when RV(files[].exists)
    gr_name:
      description: The group's name, empty when the host has no name for RV(files[].gid).
      type: str
      returned: when RV(files[].exists)
    mtime:
      description: The time of the last modification, in seconds since the epoch.
      type: float
      returned: when RV(files[].exists)
    size:
      description: The size in bytes.
      type: int
      returned: when RV(files[].exists)
    content:
      description: The file's content, base64-encoded.
      type: str
      returned: when O(content=true) and the path is a readable regular file
    error:
      description: Why the file could not be read (its content, or its stat).
      type: str
      returned: when reading failed
deployment:
  description:
    - What O(deployment) read, raw, secrets included (C(docker compose config) holds every value of C(.env)).
    - "C(method), C(compose_dir); C(compose_files) and C(compose_config) (rc, stdout, stderr) with compose;
      C(systemd_show) with systemd; C(override_file) with O(deployment.compose_override); C(yaml_file) with
      O(deployment.yaml_path); C(files): RV(files) of C(.env), then the compose files, or the unit's environment
      files and C(package.json); C(env_reader) (C(script), what it C(read)) and C(reader_inputs)."
  returned: when O(deployment) is given and not O(observe=true)
  type: dict
observed:
  description:
    - What O(observe=true) read, raw (LibreChat's log prints its loaded config).
    - "C(method); C(log) (rc, stdout, stderr; with compose, both of the container's streams are in stdout, as
      C(docker compose logs) prints them); with compose C(container_sum), C(started) (stdout: the start time of
      the container while it runs, else empty) and C(process) (rc, stdout, stderr); with systemd C(started);
      C(host_sum) (the sha256 of O(deployment.yaml_path))."
  returned: when O(observe=true)
  type: dict
"""

import base64
import grp
import hashlib
import json
import os
import posixpath
import pwd
import shlex
import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import (
    COMPOSE_CANDIDATES,
    DEPLOYMENT_SPEC,
    SYSTEMD_PROPERTIES,
    compose_args,
    compose_files,
    config_log_state,
    reader_plan,
    systemd_environment_files,
    systemd_property,
)


def describe(path, want_content):
    """What stat says of `path`, and its content (base64) when asked for and readable."""
    entry = {"path": path, "exists": False, "isreg": False, "isdir": False, "islnk": False}
    try:
        own = os.lstat(path)
    except FileNotFoundError:
        return entry
    except OSError as e:
        entry["error"] = e.strerror or str(e)
        return entry
    entry["islnk"] = stat.S_ISLNK(own.st_mode)
    try:
        target = os.stat(path) if entry["islnk"] else own
    except OSError:
        # a broken link: nothing a reader could open is there
        return entry
    entry.update(
        exists=True,
        isreg=stat.S_ISREG(target.st_mode),
        isdir=stat.S_ISDIR(target.st_mode),
        # ansible.builtin.stat's mode: of the path itself (follow is false there by default)
        mode=f"{stat.S_IMODE(own.st_mode):04o}",
        uid=own.st_uid,
        gid=own.st_gid,
        pw_name=name_of(pwd.getpwuid, own.st_uid, "pw_name"),
        gr_name=name_of(grp.getgrgid, own.st_gid, "gr_name"),
        mtime=own.st_mtime,
        size=target.st_size,
    )
    if want_content and entry["isreg"]:
        try:
            with open(path, "rb") as handle:
                entry["content"] = base64.b64encode(handle.read()).decode("ascii")
        except OSError as e:
            entry["error"] = e.strerror or str(e)
    return entry


def name_of(lookup, number, attribute):
    try:
        return getattr(lookup(number), attribute)
    except KeyError:
        return ""


def run(argv, cwd=None, merged=False):
    """{rc, stdout, stderr} of a command; a missing executable is rc 127 with the error in stderr. `merged`: its
    stderr goes into stdout, in the order it wrote them."""
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merged else subprocess.PIPE,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as e:
        return {"rc": 127, "stdout": "", "stderr": str(e)}
    # as ansible.builtin.command returns them
    return {
        "rc": done.returncode,
        "stdout": done.stdout.rstrip("\r\n"),
        "stderr": (done.stderr or "").rstrip("\r\n"),
    }


def first_line(done, failed=""):
    """The first line of a command's output, stripped (empty when it printed nothing); `failed` when it failed."""
    return (done["stdout"].splitlines() or [""])[0].strip() if done["rc"] == 0 else failed


def run_all(commands, cwd=None):
    """run() of each (name, argv) at once: {name: its result}. Each is a Docker CLI call that waits on the engine
    (and `docker exec` on the container's process), not on this host's CPU."""
    if not commands:
        return {}
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = {name: pool.submit(run, argv, cwd) for name, argv in commands}
        return {name: future.result() for name, future in futures.items()}


def service_of(config_text, service):
    """{exists, user, image} of the service in `docker compose config --format json` output ({} when unparsable)."""
    try:
        services = json.loads(config_text or "{}").get("services") or {}
    except (ValueError, AttributeError):
        services = {}
    spec = services.get(service) or {}
    return {"exists": service in services, "user": str(spec.get("user") or ""), "image": str(spec.get("image") or "")}


def gather(p):
    """Everything the deployment is made of, raw: see the action plugin for its reading."""
    method = p["restart"]
    project = p["compose_dir"] or p["dir"]
    raw = {"method": method, "compose_dir": project}
    inputs = {
        "method": method,
        "override": p["env_reader"],
        "owner": p["owner"],
        "group": p["group"],
        "service": p["compose_service"],
    }
    others = []
    if method == "docker_compose":
        files = [name if name.startswith("/") else posixpath.join(project, name) for name in p["compose_files"]]
        if not files:
            present = [name for name in COMPOSE_CANDIDATES if os.path.exists(posixpath.join(project, name))]
            label = "{{" + ' .Label "com.docker.compose.project.config_files" ' + "}}"
            running = run(
                [
                    "docker",
                    "ps",
                    "--filter",
                    f"label=com.docker.compose.project.working_dir={project}",
                    "--filter",
                    f"label=com.docker.compose.service={p['compose_service']}",
                    "--format",
                    label,
                ]
            )
            files = compose_files(present, project, first_line(running))
        raw["compose_files"] = files
        # the configuration, and the service's running container (for who reads .env), asked of Compose at once
        compose = ["docker", "compose", *compose_args(files)]
        done = run_all(
            [
                ("config", [*compose, "config", "--format", "json"]),
                ("ps", [*compose, "ps", "--quiet", p["compose_service"]]),
            ],
            cwd=project,
        )
        config, ps = done["config"], done["ps"]
        raw["compose_config"] = config
        service = service_of(config["stdout"], p["compose_service"]) if config["rc"] == 0 else {}
        inputs.update(
            compose_ok=config["rc"] == 0,
            service_exists=bool(service.get("exists")),
            compose_files=files,
            service_user=service.get("user", ""),
            image=service.get("image", ""),
            container=first_line(ps, failed=None),
        )
        others = files
    elif method == "systemd":
        show = run(["systemctl", "show", p["systemd_unit"], *[f"--property={name}" for name in SYSTEMD_PROPERTIES]])
        raw["systemd_show"] = show
        text = show["stdout"]
        inputs.update(
            unit_user=systemd_property(text, "User"),
            unit_group=systemd_property(text, "Group"),
            unit_supplementary_groups=systemd_property(text, "SupplementaryGroups"),
            unit_dynamic_user=systemd_property(text, "DynamicUser"),
        )
        unit_files = [path for path in systemd_environment_files(text) if path != p["env_path"]]
        others = [*unit_files, posixpath.join(systemd_property(text, "WorkingDirectory") or p["dir"], "package.json")]
    else:
        others = [posixpath.join(p["dir"], "package.json")]
    paths = ([p["env_path"]] if p["env_path"] else []) + others
    raw["files"] = [describe(path, True) for path in paths]
    if p["compose_override"]:
        raw["override_file"] = describe(posixpath.join(project, "docker-compose.override.yml"), True)
    # the librechat.yaml the role would edit without CONFIG_PATH or a mount elsewhere: when it is the one LibreChat
    # reads, the check pass needs no module run of its own
    if p["yaml_path"]:
        raw["yaml_file"] = describe(p["yaml_path"], True)
    # .env may reach the container through env_file (Compose reads it as this user) or only through the mount
    # (the container's user reads it): which one, the controller tells from the compose files as written, so both
    # reads are made; each is read-only and quick.
    plan = {}
    for env_file in (True, False):
        for tag, command in reader_plan({**inputs, "env_file": env_file}):
            plan.setdefault(tag, command)
    script = "\n".join(f"echo {shlex.quote('::' + tag)}; {command}" for tag, command in plan.items())
    reader = {"script": script, "read": "", "run": None}
    if script:
        reader["read"] = run(["/bin/sh", "-c", script], cwd=project if method == "docker_compose" else None)["stdout"]
    raw["env_reader"] = reader
    raw["reader_inputs"] = inputs
    return raw


def file_sha256(path):
    """The sha256 of a file, or '' when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def observe(p):
    """What LibreChat itself says after its start, raw: its log of its config file (read again every 2 seconds
    for up to `wait` seconds while it has none of its config lines), the sha256 of librechat.yaml inside the
    container and on the host, when it started, and what its process holds (`process_script`, run by node in
    the container as its user)."""
    method = p["restart"]
    project = p["compose_dir"] or p["dir"]
    out = {"method": method}
    deadline = time.monotonic() + max(int(p["wait"] or 0), 0)
    if method == "docker_compose":
        base = ["docker", "compose", *compose_args(p["compose_files"])]
        service = p["compose_service"]

        def running():
            # the service's running containers, as Compose lists them (the first is the one read)
            done = run([*base, "ps", "--quiet", service], cwd=project)
            return done, first_line(done)

        # The container a reading of this run found running (`container`) when one `docker container inspect`
        # says it still runs and carries the service's compose label (com.docker.compose.service, which Compose
        # sets on every container of a service: docker/compose pkg/api/labels.go ServiceLabel), against Compose
        # loading the project again; else Compose's answer now.
        given = p.get("container") or ""
        if given:
            labels = "{{" + ".State.Running" + "}} {{" + 'index .Config.Labels "com.docker.compose.service"' + "}}"
            checked = run(["docker", "container", "inspect", "--format", labels, given], cwd=project)
            given = given if checked["rc"] == 0 and checked["stdout"].split() == ["true", service] else ""
        ps, cid = ({"rc": 0, "stdout": given, "stderr": ""}, given) if given else running()
        # With the running container's ID, each read is one plain Docker CLI call, without Compose loading the
        # project again: `docker compose exec` is `docker exec` in the service's container with nothing added but
        # what its own options say (-e, --user, -w; docker/compose pkg/compose/exec.go), and `docker compose logs
        # --no-log-prefix` of one container prints its `docker logs`, both streams on stdout. Without one, or once
        # `docker logs` fails (the container removed or recreated since, a log driver Docker cannot read back),
        # Compose's own commands run and say why.
        while True:
            if cid:
                log = run(["docker", "logs", cid], cwd=project, merged=True)
                if log["rc"] != 0:
                    cid = ""
                    continue
            else:
                log = run([*base, "logs", "--no-color", "--no-log-prefix", service], cwd=project)
            if config_log_state(log["stdout"])["state"] != "unknown" or time.monotonic() >= deadline:
                break
            time.sleep(2)
        out["log"] = log
        in_container = ["docker", "exec", cid] if cid else [*base, "exec", "-T", service]
        # when it started, if it runs now: without a container above, Compose is asked again after the wait
        started_cid = cid
        if not cid:
            ps, started_cid = running()
        # once LibreChat has logged its config (or the wait is over), the rest at once
        reads = []
        if p["container_path"]:
            reads.append(("container_sum", [*in_container, "sha256sum", p["container_path"]]))
        if started_cid:
            state = "{{" + ".State.Running" + "}} {{" + ".State.StartedAt" + "}}"
            reads.append(("started", ["docker", "container", "inspect", "--format", state, started_cid]))
        if p["process_script"]:
            reads.append(("process", [*in_container, "node", "-e", p["process_script"], "--", *p["process_variables"]]))
        done = run_all(reads, cwd=project)
        started = done.get("started") or {"stdout": "", "stderr": ""}
        is_running, _sep, started_at = started["stdout"].partition(" ")
        out["started"] = {
            "stdout": started_at if is_running == "true" else "",
            "stderr": started["stderr"] or ps["stderr"],
        }
        out.update((name, done[name]) for name in ("container_sum", "process") if name in done)
    elif method == "systemd":
        unit = p["systemd_unit"]
        while True:
            invocation = run(["systemctl", "show", unit, "--property=InvocationID", "--value"])["stdout"].strip()
            log = run(["journalctl", "--no-pager", "--output=cat", f"_SYSTEMD_INVOCATION_ID={invocation}"])
            if config_log_state(log["stdout"])["state"] != "unknown" or time.monotonic() >= deadline:
                break
            time.sleep(2)
        out["log"] = log
        started = run(["systemctl", "show", unit, "--property=ActiveEnterTimestamp", "--timestamp=unix"])
        out["started"] = {"stdout": started["stdout"], "stderr": started["stderr"]}
    if p["yaml_path"] and p["container_path"]:
        out["host_sum"] = file_sha256(p["yaml_path"])
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", default=[]),
            content=dict(type="bool", default=True),
            deployment=dict(type="dict", options=DEPLOYMENT_SPEC),
            observe=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    files = [describe(path, module.params["content"]) for path in module.params["paths"]]
    result = {"changed": False, "files": files}
    if module.params["deployment"]:
        settings = dict(module.params["deployment"])
        settings["env_path"] = settings["env_path"] or posixpath.join(settings["dir"], ".env")
        if module.params["observe"]:
            result["observed"] = observe(settings)
        else:
            result["deployment"] = gather(settings)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
