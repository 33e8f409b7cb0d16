"""The one reading of a LibreChat deployment (plugins/plugin_utils/deployment.py, with what
librechat_files_info reads on the host): compose files, mounts, CONFIG_PATH, process environment, version, who
reads .env, the problems, and LibreChat's own log lines (packages/api/src/app/loader.ts)."""

import base64
import hashlib
import json

import pytest

from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import LOG_LOADED
from ansible_collections.librechat.bedrock.plugins.modules import librechat_files_info as files_info
from ansible_collections.librechat.bedrock.plugins.plugin_utils import deployment

DIR = "/srv/librechat"


def test_compose_files_follow_the_running_label_then_the_layout():
    label = f"{DIR}/deploy-compose.yml"
    present = ["deploy-compose.yml", "docker-compose.yml"]
    # a git clone has both files: the running container's label decides
    assert files_info.compose_files(present, DIR, label) == [label]
    # without a running container, both present: what a bare `docker compose` reads
    assert files_info.compose_files(present, DIR, "") == [f"{DIR}/docker-compose.yml"]
    assert files_info.compose_files(["deploy-compose.yml"], DIR) == [f"{DIR}/deploy-compose.yml"]
    assert files_info.compose_files(["docker-compose.yml", "docker-compose.override.yml"], DIR) == [
        f"{DIR}/docker-compose.yml",
        f"{DIR}/docker-compose.override.yml",
    ]
    assert files_info.compose_files([], DIR, "a.yml,b.yml") == [f"{DIR}/a.yml", f"{DIR}/b.yml"]
    assert files_info.compose_args(["a.yml", "b.yml"]) == ["-f", "a.yml", "-f", "b.yml"]


def test_config_path_through_the_deepest_bind_mount():
    mounts = [
        {"type": "bind", "source": f"{DIR}/config", "target": "/app/config"},
        {"type": "bind", "source": f"{DIR}/special.yaml", "target": "/app/config/special.yaml"},
    ]
    assert deployment.host_path("/app/config/librechat.yaml", mounts) == f"{DIR}/config/librechat.yaml"
    assert deployment.host_path("/app/config/special.yaml", mounts) == f"{DIR}/special.yaml"
    assert deployment.host_path("/app/librechat.yaml", mounts) == ""
    assert deployment.config_location("", "/app/librechat.yaml", "/app") == {
        "kind": "path",
        "path": "/app/librechat.yaml",
        "set": False,
    }
    assert deployment.config_location("config/x.yaml", "/app/librechat.yaml", "/app")["path"] == "/app/config/x.yaml"
    assert deployment.config_location("HTTPS://cfg.example.org/l.yaml", "", "/app")["kind"] == "url"
    assert deployment.map_path("/app/config/l.yaml", {"/app/": "/srv/lc"}) == "/srv/lc/config/l.yaml"
    assert deployment.map_path("/etc/l.yaml", {"/app": "/srv/lc"}) == "/etc/l.yaml"


def test_compose_service_reads_compose_config_json():
    config = {
        "services": {
            "api": {
                "image": "ghcr.io/danny-avila/librechat:v0.8.6",
                "environment": {"HOST": "0.0.0.0", "EMPTY": None},
                "volumes": [
                    {"type": "bind", "source": f"{DIR}/librechat.yaml", "target": "/app/librechat.yaml"},
                    {"type": "volume", "source": "data", "target": "/app/data"},
                ],
            }
        }
    }
    service = deployment.compose_service(config, "api")
    assert service["exists"]
    assert service["mounts"] == [{"type": "bind", "source": f"{DIR}/librechat.yaml", "target": "/app/librechat.yaml"}]
    assert service["environment"] == {"HOST": "0.0.0.0", "EMPTY": ""}
    assert not deployment.compose_service(config, "web")["exists"]
    assert service["user"] == ""


def test_compose_service_gives_values_and_user_as_the_process_gets_them():
    # docker compose config prints each $ of a value as $$ (measured with 2.40.3), and user: as resolved
    config = {"services": {"api": {"user": "1000:1000", "environment": {"S": "ab$$cd", "T": "$$$$x", "U": "plain"}}}}
    service = deployment.compose_service(config, "api")
    assert service["environment"] == {"S": "ab$cd", "T": "$$x", "U": "plain"}
    assert service["user"] == "1000:1000"


def test_process_environment_is_what_environment_sets_not_env_file():
    raw = [
        {"services": {"api": {"environment": ["HOST=0.0.0.0", "BEDROCK_AWS_DEFAULT_REGION=us-west-2"]}}},
        {"services": {"api": {"environment": {"ENDPOINTS": "${ENDPOINTS}", "CONFIG_PATH": "${CFG:-/app/c.yaml}"}}}},
    ]
    keys = deployment.compose_environment_keys(raw, "api")
    resolved = {"HOST": "0.0.0.0", "BEDROCK_AWS_DEFAULT_REGION": "us-west-2", "ENDPOINTS": "x", "CONFIG_PATH": "/app/c"}
    env = deployment.process_environment(keys, resolved)
    # ENDPOINTS=${ENDPOINTS} follows .env, so it shadows nothing
    assert env == {"HOST": "0.0.0.0", "BEDROCK_AWS_DEFAULT_REGION": "us-west-2", "CONFIG_PATH": "/app/c"}
    assert deployment.shadowed(env, "BEDROCK_AWS_DEFAULT_REGION=us-east-1\n", ["BEDROCK_AWS_DEFAULT_REGION"]) == [
        "BEDROCK_AWS_DEFAULT_REGION"
    ]
    assert deployment.shadowed(env, "BEDROCK_AWS_DEFAULT_REGION=us-west-2\n", ["BEDROCK_AWS_DEFAULT_REGION"]) == []
    assert deployment.compose_env_files(
        [{"services": {"api": {"env_file": [".env", {"path": "./extra.env"}]}}}], "api", DIR
    ) == [f"{DIR}/.env", f"{DIR}/extra.env"]


def test_systemd_show_output():
    text = (
        'Environment="GREETING=hello world" BEDROCK_AWS_PROFILE=prod\n'
        "EnvironmentFiles=/etc/librechat.env (ignore_errors=no)\n"
        "WorkingDirectory=/opt/librechat\n"
    )
    assert deployment.systemd_environment(text) == {"GREETING": "hello world", "BEDROCK_AWS_PROFILE": "prod"}
    assert files_info.systemd_environment_files(text) == ["/etc/librechat.env"]
    assert files_info.systemd_property(text, "WorkingDirectory") == "/opt/librechat"


def test_versions_from_the_image_tag_or_package_json():
    assert deployment.image_version("ghcr.io/danny-avila/librechat:v0.8.6") == "0.8.6"
    assert deployment.image_version("registry.librechat.ai/librechat-ai/librechat-api:v0.8.5-rc1") == "0.8.5-rc1"
    assert deployment.image_version("ghcr.io/danny-avila/librechat-dev:latest") == ""
    assert deployment.image_version("localhost:5000/librechat") == ""
    assert deployment.image_version("ghcr.io/danny-avila/librechat@sha256:abc") == ""
    assert deployment.package_version({"name": "LibreChat", "version": "v0.8.6"}) == "0.8.6"
    assert deployment.package_version(None) == ""


def test_librechat_log_lines():
    assert deployment.config_log_state("x info: Custom config file loaded:\n{...}")["state"] == "loaded"
    assert deployment.config_log_state("info: Custom config file missing or YAML format invalid.")["state"] == "missing"
    invalid = deployment.config_log_state("error: Invalid custom config file at /app/librechat.yaml:\n[...]")
    assert invalid["state"] == "invalid" and invalid["line"].startswith("error: Invalid custom config file at")
    # a restart loop: the newest start is printed last
    assert (
        deployment.config_log_state("Custom config file missing or YAML format invalid.\nCustom config file loaded:")[
            "state"
        ]
        == "loaded"
    )
    assert deployment.config_log_state("Server listening")["state"] == "unknown"
    assert deployment.sha256_of("a" * 64 + "  /app/librechat.yaml") == "a" * 64
    assert deployment.sha256_of("sha256sum: can't open") == ""


# ------------------------------------------------------------------------------------------- the whole reading


def _entry(path, text=None, **stat):
    entry = {"path": path, "exists": text is not None, "isreg": text is not None, "isdir": False, "islnk": False}
    if text is not None:
        entry.update({"content": base64.b64encode(text.encode()).decode(), "mode": "0640", "uid": 1000, "gid": 1000})
        entry.update({"pw_name": "node", "gr_name": "node", **stat})
    return entry


def _settings(**overrides):
    settings = {
        "restart": "docker_compose",
        "dir": DIR,
        "yaml_path": f"{DIR}/librechat.yaml",
        "env_path": f"{DIR}/.env",
        "compose_dir": DIR,
        "compose_service": "api",
        "compose_files": [],
        "compose_target": "/app/librechat.yaml",
        "compose_override": False,
        "container_aws_dir": "/home/node/.aws",
        "container_path_map": {},
        "systemd_unit": "librechat",
        "env_reader": "",
        "owner": "",
        "group": "",
        "auth": "default_chain",
        "aws_profile": "",
        "region": "us-east-1",
        "available_regions": ["us-east-1", "us-west-2"],
        "strict_regions": False,
        "variables": ["BEDROCK_SONNET_ARN"],
        "process_environment": True,
        "container_path": "",
        "container": "",
        "wait": 0,
        "process_script": "",
        "process_variables": [],
    }
    return settings | overrides


DEPLOY_COMPOSE = (
    "services:\n  api:\n    env_file: [.env]\n    environment:\n      BEDROCK_AWS_DEFAULT_REGION: us-west-2\n"
)
ENV = "BEDROCK_AWS_DEFAULT_REGION=us-east-1\nBEDROCK_SONNET_ARN='arn:x$y'\n"


def _compose_raw(config, files=(f"{DIR}/deploy-compose.yml",), texts=(DEPLOY_COMPOSE,), env=ENV, read="", rc=0):
    return {
        "method": "docker_compose",
        "compose_dir": DIR,
        "compose_files": list(files),
        "compose_config": {"rc": rc, "stdout": json.dumps(config), "stderr": "" if rc == 0 else "no such file"},
        "files": [_entry(f"{DIR}/.env", env)] + [_entry(f, text) for f, text in zip(files, texts)],
        "env_reader": {"script": "", "read": read},
    }


def _describe(raw, settings, run_output=""):
    reading = deployment.read(raw, settings)
    return deployment.describe(raw, settings, reading, run_output)


SERVICE = {
    "image": "ghcr.io/danny-avila/librechat:v0.8.6",
    "environment": {"BEDROCK_AWS_DEFAULT_REGION": "us-west-2", "BEDROCK_SONNET_ARN": "arn:x"},
    "volumes": [
        {"type": "bind", "source": f"{DIR}/librechat.yaml", "target": "/app/librechat.yaml"},
        {"type": "bind", "source": f"{DIR}/.env", "target": "/app/.env"},
    ],
}


def test_a_deploy_compose_layout_is_read_as_compose_and_dotenv_see_it():
    raw = _compose_raw({"services": {"api": SERVICE}}, read="::self\n1000\n1000\n1000 999\nops\n")
    described, environment = _describe(raw, _settings())
    assert described["problems"] == []
    assert described["yaml_path"] == f"{DIR}/librechat.yaml" and described["mount_ok"]
    assert described["container_path"] == "/app/librechat.yaml" and not described["config_path_set"]
    assert described["version"] == "0.8.6" and described["image"] == SERVICE["image"]
    # no running container was listed: the observation asks Compose
    assert described["container"] == ""
    raw["reader_inputs"] = {"container": "4f2c9e"}
    assert _describe(raw, _settings())[0]["container"] == "4f2c9e"
    assert described["env_via_env_file"] and described["env_seen"]
    # environment: sets the region over .env; Compose reads the single-quoted ARN as dotenv does not
    assert described["shadowed"] == ["BEDROCK_AWS_DEFAULT_REGION"]
    assert described["env_readings_differ"] == ["BEDROCK_SONNET_ARN"]
    assert described["env_reader"]["uid"] == 1000 and described["env_reader"]["writes"]
    assert described["env_file"] == {
        "path": f"{DIR}/.env",
        "exists": True,
        "uid": 1000,
        "gid": 1000,
        "owner": "node",
        "group": "node",
        "mode": "0640",
    }
    assert described["regions"] == {"home": "us-east-1", "strict": False, "other": ["us-west-2"]}
    assert described["aws_mount"] is None
    assert environment["process"] == {"BEDROCK_AWS_DEFAULT_REGION": "us-west-2"}
    assert environment["env_file"] == SERVICE["environment"]
    # .env as read, for the librechat_config module: librechat.yaml too when it is the file LibreChat reads
    assert list(environment["files"]) == [f"{DIR}/.env"]
    raw["yaml_file"] = _entry(f"{DIR}/librechat.yaml", "version: 1.3.17\n")
    assert list(_describe(raw, _settings())[1]["files"]) == [f"{DIR}/librechat.yaml", f"{DIR}/.env"]
    # no secret value in the description
    assert "arn:x" not in json.dumps(described)


def test_the_local_layout_without_a_mount_is_mounted_by_the_override_or_refused():
    service = {**SERVICE, "volumes": [{"type": "bind", "source": f"{DIR}/.env", "target": "/app/.env"}]}
    raw = _compose_raw(
        {"services": {"api": service}}, files=(f"{DIR}/docker-compose.yml",), texts=("services:\n  api: {}\n",)
    )
    described, _environment = _describe(raw, _settings(compose_override=True))
    assert described["override_would_mount"] and described["yaml_path"] == f"{DIR}/librechat.yaml"
    assert described["problems"] == [] and described["override_source"] == "./librechat.yaml"
    assert described["override_path"] == f"{DIR}/docker-compose.override.yml"
    assert described["env_seen"] and not described["env_via_env_file"]
    described, _environment = _describe(raw, _settings())
    assert described["problems"] == [
        "LibreChat reads /app/librechat.yaml in the container, and no bind mount of docker-compose.yml puts a host "
        "file there, so it runs without the file the role writes. Add to services.api.volumes of docker-compose.yml: "
        '"- ./librechat.yaml:/app/librechat.yaml:ro", or set librechat_config_compose_override: true (LibreChat\'s '
        "docker-compose.yml layout)"
    ]


def test_every_compose_problem_names_its_fix():
    failed, _environment = _describe(_compose_raw({}, rc=1), _settings())
    assert failed["problems"] == [
        f"docker compose -f {DIR}/deploy-compose.yml config failed in {DIR} (no such file): set "
        "librechat_config_compose_files and librechat_config_compose_dir to the files LibreChat runs from"
    ]
    assert not failed["compose_ok"]
    other, _environment = _describe(_compose_raw({"services": {"web": SERVICE}}), _settings())
    assert other["problems"] == [
        "the compose files have no service api: set librechat_config_compose_service to the LibreChat service"
    ]
    url, _environment = _describe(
        _compose_raw({"services": {"api": SERVICE}}, env="CONFIG_PATH=https://x.example/l.yaml\n"), _settings()
    )
    assert url["problems"][0].startswith("CONFIG_PATH is the URL https://x.example/l.yaml: LibreChat fetches")
    unseen = {**SERVICE, "volumes": SERVICE["volumes"][:1]}
    raw = _compose_raw({"services": {"api": unseen}}, texts=("services:\n  api: {}\n",))
    assert _describe(raw, _settings())[0]["problems"] == [
        f"the api service neither lists {DIR}/.env in env_file nor mounts it at /app/.env, so LibreChat would never "
        'see what the role writes there: add "env_file: [.env]" to the service, or set librechat_config_env_path to '
        "the file it reads"
    ]
    profile, _environment = _describe(
        _compose_raw({"services": {"api": SERVICE}}), _settings(auth="profile", aws_profile="p")
    )
    assert profile["aws_mount"] is False
    for target, mounted in (("/home/node/.aws", True), ("/home/node/", True), ("/home", True), ("/", False)):
        service = {**SERVICE, "volumes": [*SERVICE["volumes"], {"type": "bind", "source": "/x", "target": target}]}
        reading, _environment = _describe(_compose_raw({"services": {"api": service}}), _settings(auth="profile"))
        assert reading["aws_mount"] is mounted, target
    assert profile["problems"] == [
        "librechat_config_auth=profile, but nothing is mounted at /home/node/.aws in the container, where the AWS SDK "
        'of LibreChat (user node) looks for profile p: add "- ~/.aws:/home/node/.aws:ro" to services.api.volumes (the '
        "directory of the host user whose profile it is)"
    ]


def test_a_stopped_container_s_named_user_is_resolved_by_docker_run():
    service = {**SERVICE, "user": "node"}
    raw = _compose_raw({"services": {"api": service}}, texts=("services:\n  api: {}\n",), read="::proc\n")
    settings = _settings()
    reading = deployment.read(raw, settings)
    assert reading["reader"]["run"][:3] == ["docker", "run", "--rm"]
    assert deployment.run_command(reading["reader"]["run"]).endswith(
        "--entrypoint id ghcr.io/danny-avila/librechat:v0.8.6"
    )
    described, _environment = deployment.describe(
        raw, settings, reading, "uid=1000(node) gid=1000(node) groups=1000(node)\n"
    )
    assert described["env_reader"]["uid"] == 1000 and described["env_reader"]["name"] == "node"


def test_a_systemd_unit_is_read_from_systemctl_show_and_its_files():
    show = (
        "Environment=HOST=127.0.0.1 CONFIG_PATH=conf/librechat.yaml\n"
        "EnvironmentFiles=/etc/librechat.env (ignore_errors=no)\n"
        "WorkingDirectory=/opt/lc\nUser=librechat\nGroup=\nSupplementaryGroups=\nDynamicUser=no\n"
    )
    raw = {
        "method": "systemd",
        "compose_dir": DIR,
        "systemd_show": {"rc": 0, "stdout": show, "stderr": ""},
        "files": [
            _entry(f"{DIR}/.env", "BEDROCK_AWS_DEFAULT_REGION=us-east-1\n"),
            _entry("/etc/librechat.env", "BEDROCK_AWS_DEFAULT_REGION=eu-west-1\n"),
            _entry("/opt/lc/package.json", '{"version": "v0.8.6"}'),
        ],
        "env_reader": {"read": "::user:librechat\n990\n990\n990\nlibrechat\n"},
    }
    described, environment = _describe(raw, _settings(restart="systemd", container_path_map={"/opt/lc": "/srv/lc"}))
    assert environment["process"] == {
        "HOST": "127.0.0.1",
        "CONFIG_PATH": "conf/librechat.yaml",
        "BEDROCK_AWS_DEFAULT_REGION": "eu-west-1",
    }
    assert described["yaml_path"] == "/srv/lc/conf/librechat.yaml" and described["config_path_set"]
    assert described["container_path"] == "" and described["compose_files"] == [] and described["container"] == ""
    assert described["version"] == "0.8.6" and described["problems"] == []
    assert described["shadowed"] == ["BEDROCK_AWS_DEFAULT_REGION"]
    assert described["env_reader"]["uid"] == 990 and described["env_reader"]["name"] == "librechat"


def test_a_compose_file_that_is_not_yaml_is_named():
    raw = _compose_raw({"services": {"api": SERVICE}}, texts=("services: [\n",))
    with pytest.raises(ValueError, match=f"{DIR}/deploy-compose.yml is not YAML"):
        deployment.read(raw, _settings())


# ------------------------------------------------------------------------------------------------- the host side


def _gather(tmp_path, monkeypatch, run):
    """librechat_files_info's reading of a deploy-compose.yml deployment in tmp_path, its commands answered by run."""
    (tmp_path / "deploy-compose.yml").write_text(DEPLOY_COMPOSE)
    monkeypatch.setattr(files_info, "run", run)
    settings = {key: _settings()[key] for key in files_info.DEPLOYMENT_SPEC} | {
        "dir": str(tmp_path),
        "compose_dir": str(tmp_path),
        "env_path": str(tmp_path / ".env"),
    }
    return files_info.gather(settings)


def test_the_host_reads_compose_files_config_files_and_who_reads_env(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(ENV)
    calls = []

    def run(argv, cwd=None):
        calls.append(argv)
        if argv[:2] == ["docker", "ps"]:
            return {"rc": 0, "stdout": "", "stderr": ""}
        if argv[:2] == ["docker", "compose"] and "ps" in argv:
            return {"rc": 0, "stdout": "4f2c9e\n", "stderr": ""}
        if argv[:2] == ["docker", "compose"]:
            return {"rc": 0, "stdout": json.dumps({"services": {"api": SERVICE}}), "stderr": ""}
        return {"rc": 0, "stdout": "::self\n0\n0\n0\nroot\n", "stderr": ""}

    raw = _gather(tmp_path, monkeypatch, run)
    assert raw["compose_files"] == [str(tmp_path / "deploy-compose.yml")]
    # the configuration and the running container, asked of Compose at once (in either order)
    compose = ["docker", "compose", "-f", str(tmp_path / "deploy-compose.yml")]
    assert sorted(calls[1:3]) == [[*compose, "config", "--format", "json"], [*compose, "ps", "--quiet", "api"]]
    assert [entry["path"] for entry in raw["files"]] == [str(tmp_path / ".env"), str(tmp_path / "deploy-compose.yml")]
    # both ways .env may reach LibreChat are read: env_file (the user running compose) and the container's process
    script = raw["env_reader"]["script"]
    assert script.startswith("echo ::self; id -u") and "::proc" in script
    # no user: in the service, so the image's USER decides
    assert "::image" in script
    # the container Compose named is the one whose process is read: Compose is not asked again
    assert "cid=4f2c9e; " in script and script.count("docker compose") == 0
    assert raw["reader_inputs"]["container"] == "4f2c9e"
    assert len(calls) == 4


def test_when_compose_cannot_list_the_containers_the_reader_asks_it_itself(tmp_path, monkeypatch):
    def run(argv, cwd=None):
        if argv[:2] == ["docker", "compose"] and "ps" in argv:
            return {"rc": 1, "stdout": "", "stderr": "Cannot connect to the Docker daemon"}
        if argv[:2] == ["docker", "compose"]:
            return {"rc": 0, "stdout": json.dumps({"services": {"api": SERVICE}}), "stderr": ""}
        return {"rc": 0, "stdout": "", "stderr": ""}

    raw = _gather(tmp_path, monkeypatch, run)
    assert raw["reader_inputs"]["container"] is None
    assert "cid=$(docker compose -f " in raw["env_reader"]["script"]


# ------------------------------------------------------------------------------------------- LibreChat, observed


def _observe_settings(**overrides):
    return {
        "restart": "docker_compose",
        "dir": DIR,
        "compose_dir": DIR,
        "compose_service": "api",
        "compose_files": [f"{DIR}/deploy-compose.yml"],
        "systemd_unit": "librechat",
        "container_path": "/app/librechat.yaml",
        "yaml_path": None,
        "wait": 0,
        "process_script": "",
        "process_variables": [],
    } | overrides


def test_compose_is_observed_in_one_run(tmp_path, monkeypatch):
    yaml_file = tmp_path / "librechat.yaml"
    yaml_file.write_text("version: 1.3.17\n")
    sha = "d" * 64
    calls = []

    def run(argv, cwd=None, merged=False):
        calls.append((argv, merged))
        if "logs" in argv:
            return {"rc": 0, "stdout": "info: Custom config file loaded:\n{secret}", "stderr": ""}
        if "sha256sum" in argv:
            return {"rc": 0, "stdout": f"{sha}  /app/librechat.yaml", "stderr": ""}
        if "ps" in argv:
            return {"rc": 0, "stdout": "abc123", "stderr": ""}
        if argv[:3] == ["docker", "container", "inspect"]:
            return {"rc": 0, "stdout": "true 2026-12-04T10:00:00.1Z", "stderr": ""}
        return {"rc": 0, "stdout": json.dumps({"uid": 1000, "gid": 1000, "cwd": "/app", "secret": "x"}), "stderr": ""}

    monkeypatch.setattr(files_info, "run", run)
    observed = files_info.observe(
        _observe_settings(yaml_path=str(yaml_file), process_script="js", process_variables=["BEDROCK_SONNET_ARN"])
    )
    # Compose is asked once, for the running container; the rest is plain Docker by its ID, the log with stderr
    # in the same stream (as `docker compose logs` prints it), the other three at once once the log is read
    assert calls[0] == (["docker", "compose", "-f", f"{DIR}/deploy-compose.yml", "ps", "--quiet", "api"], False)
    assert calls[1] == (["docker", "logs", "abc123"], True)
    assert sorted(argv for argv, _merged in calls[2:]) == [
        ["docker", "container", "inspect", "--format", "{{.State.Running}} {{.State.StartedAt}}", "abc123"],
        ["docker", "exec", "abc123", "node", "-e", "js", "--", "BEDROCK_SONNET_ARN"],
        ["docker", "exec", "abc123", "sha256sum", "/app/librechat.yaml"],
    ]
    judged = deployment.observation(observed)
    assert judged["log"] == {"state": "loaded", "line": LOG_LOADED}
    assert judged["container_sha"] == sha and judged["started"] == "2026-12-04T10:00:00.1Z"
    assert judged["host_sha"] == hashlib.sha256(b"version: 1.3.17\n").hexdigest()
    assert judged["process"]["status"] == "read" and judged["process"]["uid"] == 1000
    # neither the log nor anything else the process printed is kept
    assert "secret" not in json.dumps(judged)


def test_without_a_running_container_compose_says_why(monkeypatch):
    calls = []

    def run(argv, cwd=None, merged=False):
        calls.append(argv)
        if "ps" in argv or "logs" in argv:
            return {"rc": 0, "stdout": "", "stderr": ""}
        return {"rc": 1, "stdout": "", "stderr": 'service "api" is not running'}

    monkeypatch.setattr(files_info, "run", run)
    judged = deployment.observation(files_info.observe(_observe_settings(process_script="js")))
    compose = ["docker", "compose", "-f", f"{DIR}/deploy-compose.yml"]
    assert calls[1] == [*compose, "logs", "--no-color", "--no-log-prefix", "api"]
    # asked again after the wait, for a container that started meanwhile: still none
    assert calls[2] == [*compose, "ps", "--quiet", "api"]
    assert sorted(calls[3:]) == [
        [*compose, "exec", "-T", "api", "node", "-e", "js", "--"],
        [*compose, "exec", "-T", "api", "sha256sum", "/app/librechat.yaml"],
    ]
    assert judged["process"] == {"status": "not_running", "reason": 'service "api" is not running'}
    assert judged["container_error"] == 'service "api" is not running'
    assert judged["started"] == "" and judged["log"]["state"] == "unknown"


def test_a_container_replaced_since_compose_named_it_is_found_by_compose_again(monkeypatch):
    calls = []

    def run(argv, cwd=None, merged=False):
        calls.append(argv)
        if argv[:2] == ["docker", "logs"]:
            return {"rc": 1, "stdout": "Error response from daemon: No such container: abc123", "stderr": ""}
        if "ps" in argv:
            return {"rc": 0, "stdout": "abc123" if len(calls) == 1 else "def456", "stderr": ""}
        if "logs" in argv:
            return {"rc": 0, "stdout": "info: Custom config file loaded:", "stderr": ""}
        if argv[:3] == ["docker", "container", "inspect"]:
            return {"rc": 0, "stdout": "true 2026-12-04T11:00:00Z", "stderr": ""}
        return {"rc": 0, "stdout": "d" * 64 + "  /app/librechat.yaml", "stderr": ""}

    monkeypatch.setattr(files_info, "run", run)
    judged = deployment.observation(files_info.observe(_observe_settings()))
    compose = ["docker", "compose", "-f", f"{DIR}/deploy-compose.yml"]
    # docker logs failed: Compose reads the log and runs the exec, and names the container that runs now
    assert calls[2] == [*compose, "logs", "--no-color", "--no-log-prefix", "api"]
    assert calls[3] == [*compose, "ps", "--quiet", "api"]
    assert [*compose, "exec", "-T", "api", "sha256sum", "/app/librechat.yaml"] in calls
    assert ["docker", "container", "inspect", "--format", "{{.State.Running}} {{.State.StartedAt}}", "def456"] in calls
    assert judged["log"]["state"] == "loaded" and judged["started"] == "2026-12-04T11:00:00Z"
    # and a container gone when its process is asked is not running, whichever command asked
    gone = {"rc": 1, "stdout": "", "stderr": "Error response from daemon: No such container: abc123"}
    assert deployment.process_state(gone)["status"] == "not_running"


def test_a_container_that_stopped_has_no_start_time(monkeypatch):
    def run(argv, cwd=None, merged=False):
        if "ps" in argv:
            return {"rc": 0, "stdout": "abc123", "stderr": ""}
        if argv[:3] == ["docker", "container", "inspect"]:
            return {"rc": 0, "stdout": "false 2026-12-04T10:00:00.1Z", "stderr": ""}
        return {"rc": 0, "stdout": "info: Custom config file loaded:", "stderr": ""}

    monkeypatch.setattr(files_info, "run", run)
    assert deployment.observation(files_info.observe(_observe_settings()))["started"] == ""


LABELS = '{{.State.Running}} {{index .Config.Labels "com.docker.compose.service"}}'
STATE = "{{.State.Running}} {{.State.StartedAt}}"


def _given_container_run(calls, given):
    """A Docker whose service container is def456, and the container a reading found answers `given` (None: gone)."""

    def run(argv, cwd=None, merged=False):
        calls.append(argv)
        if argv[:4] == ["docker", "container", "inspect", "--format"] and argv[4] == LABELS:
            if given is None:
                return {"rc": 1, "stdout": "", "stderr": "Error: No such object: abc123"}
            return {"rc": 0, "stdout": given, "stderr": ""}
        if argv[:4] == ["docker", "container", "inspect", "--format"]:
            return {"rc": 0, "stdout": f"true 2026-12-04T1{0 if argv[-1] == 'abc123' else 1}:00:00Z", "stderr": ""}
        if "ps" in argv:
            return {"rc": 0, "stdout": "def456", "stderr": ""}
        if "sha256sum" in argv:
            return {"rc": 0, "stdout": "d" * 64 + "  /app/librechat.yaml", "stderr": ""}
        return {"rc": 0, "stdout": "info: Custom config file loaded:", "stderr": ""}

    return run


def test_a_container_the_reading_found_is_read_without_asking_compose(monkeypatch):
    calls = []
    monkeypatch.setattr(files_info, "run", _given_container_run(calls, "true api"))
    judged = deployment.observation(files_info.observe(_observe_settings(container="abc123", wait=30)))
    # no Compose at all: whether it still runs as the service's, its log, then the file and the start by the ID
    assert calls[:2] == [["docker", "container", "inspect", "--format", LABELS, "abc123"], ["docker", "logs", "abc123"]]
    assert sorted(calls[2:]) == [
        ["docker", "container", "inspect", "--format", STATE, "abc123"],
        ["docker", "exec", "abc123", "sha256sum", "/app/librechat.yaml"],
    ]
    assert judged["log"]["state"] == "loaded" and judged["started"] == "2026-12-04T10:00:00Z"


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("false api", id="stopped"),
        pytest.param(None, id="removed"),
        pytest.param("true worker", id="another service's"),
        pytest.param("true", id="without a compose label"),
    ],
)
def test_a_container_the_reading_found_that_no_longer_runs_as_the_service_is_not_read(monkeypatch, given):
    calls = []
    monkeypatch.setattr(files_info, "run", _given_container_run(calls, given))
    judged = deployment.observation(files_info.observe(_observe_settings(container="abc123", wait=30)))
    # Compose names the container that runs the service now, before any log is read, and only that one is read
    ps = ["docker", "compose", "-f", f"{DIR}/deploy-compose.yml", "ps", "--quiet", "api"]
    assert calls[:3] == [
        ["docker", "container", "inspect", "--format", LABELS, "abc123"],
        ps,
        ["docker", "logs", "def456"],
    ]
    assert not [argv for argv in calls[1:] if "abc123" in argv]
    assert judged["started"] == "2026-12-04T11:00:00Z"


def test_the_log_is_read_again_until_librechat_says_something_of_its_config(monkeypatch):
    logs = iter(["starting", "starting", "Custom config file missing or YAML format invalid."])
    monkeypatch.setattr(files_info.time, "sleep", lambda seconds: None)

    def run(argv, cwd=None):
        if argv[0] == "journalctl":
            return {"rc": 0, "stdout": next(logs), "stderr": ""}
        return {
            "rc": 0,
            "stdout": "ActiveEnterTimestamp=@1764842400" if "--timestamp=unix" in argv else "inv1",
            "stderr": "",
        }

    monkeypatch.setattr(files_info, "run", run)
    observed = files_info.observe(_observe_settings(restart="systemd", wait=60))
    judged = deployment.observation(observed)
    assert judged["log"]["state"] == "missing" and judged["started"] == "@1764842400"
    assert judged["container_sha"] == "" and judged["process"]["status"] == "not_asked"


def test_nothing_is_observed_where_the_restart_method_hides_librechat():
    judged = deployment.observation({})
    assert judged["log"]["state"] == "unknown" and judged["process"]["status"] == "not_asked"
    assert judged["started"] == "" and judged["host_sha"] == ""


def test_the_recreate_command_names_the_deployment_s_files_and_the_override_to_come():
    described, _environment = _describe(_compose_raw({"services": {"api": SERVICE}}), _settings())
    assert described["recreate"] == {
        "files": [f"{DIR}/deploy-compose.yml"],
        "command": [
            *("docker", "compose", "-f", f"{DIR}/deploy-compose.yml"),
            *("up", "--detach", "--force-recreate", "--no-deps", "api"),
        ],
    }
    assert deployment.restart_command(_settings(), described) == " ".join(described["recreate"]["command"])
    assert deployment.restart_command(_settings(restart="systemd"), {}) == "systemctl restart librechat"
    service = {**SERVICE, "volumes": [{"type": "bind", "source": f"{DIR}/.env", "target": "/app/.env"}]}
    raw = _compose_raw(
        {"services": {"api": service}}, files=(f"{DIR}/docker-compose.yml",), texts=("services:\n  api: {}\n",)
    )
    described, _environment = _describe(raw, _settings(compose_override=True))
    assert described["recreate"]["files"] == [f"{DIR}/docker-compose.yml", f"{DIR}/docker-compose.override.yml"]


def test_the_override_of_a_librechat_not_run_by_compose_is_read_for_its_mount():
    raw = {
        "method": "command",
        "files": [_entry(f"{DIR}/.env", ENV), _entry(f"{DIR}/package.json")],
        "override_file": _entry(
            f"{DIR}/docker-compose.override.yml",
            "services:\n  api:\n    volumes: ['./librechat.yaml:/app/librechat.yaml:ro']\n",
        ),
    }
    described, _environment = _describe(raw, _settings(restart="command", compose_override=True))
    assert described["override"] == {"exists": True, "mounted": True}
    assert described["recreate"] == {"files": [], "command": []}
    raw["override_file"] = _entry(f"{DIR}/docker-compose.override.yml", "services:\n  api: {}\n")
    assert _describe(raw, _settings(restart="command"))[0]["override"] == {"exists": True, "mounted": False}
    raw.pop("override_file")
    assert _describe(raw, _settings(restart="command"))[0]["override"] == {"exists": False, "mounted": False}


def test_another_region_is_a_problem_with_strict_regions():
    raw = _compose_raw({"services": {"api": SERVICE}})
    assert _describe(raw, _settings())[0]["problems"] == []
    problems = _describe(raw, _settings(strict_regions=True))[0]["problems"]
    assert problems == [
        "librechat_config_available_regions=['us-east-1', 'us-west-2'] with librechat_config_strict_regions: true: "
        + deployment.regions_message(["us-west-2"], "us-east-1", False)
    ]
    assert "a user who picks us-west-2 in LibreChat's region picker gets an error" in problems[0]
    # no profile variable, no mapped ARN sent elsewhere
    assert _describe(raw, _settings(strict_regions=True, variables=[]))[0]["problems"] == []
