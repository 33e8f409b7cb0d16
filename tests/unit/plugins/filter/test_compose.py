"""How the roles read a LibreChat deployment: compose files, mounts, CONFIG_PATH, process environment, version, and
LibreChat's own log lines (packages/api/src/app/loader.ts)."""

from ansible_collections.librechat.bedrock.plugins.filter import compose

DIR = "/srv/librechat"


def test_compose_files_follow_the_running_label_then_the_layout():
    label = f"{DIR}/deploy-compose.yml"
    present = ["deploy-compose.yml", "docker-compose.yml"]
    # a git clone has both files: the running container's label decides
    assert compose.compose_files(present, DIR, label) == [label]
    # without a running container, both present: what a bare `docker compose` reads
    assert compose.compose_files(present, DIR, "") == [f"{DIR}/docker-compose.yml"]
    assert compose.compose_files(["deploy-compose.yml"], DIR) == [f"{DIR}/deploy-compose.yml"]
    assert compose.compose_files(["docker-compose.yml", "docker-compose.override.yml"], DIR) == [
        f"{DIR}/docker-compose.yml",
        f"{DIR}/docker-compose.override.yml",
    ]
    assert compose.compose_files([], DIR, "a.yml,b.yml") == [f"{DIR}/a.yml", f"{DIR}/b.yml"]
    assert compose.compose_args(["a.yml", "b.yml"]) == ["-f", "a.yml", "-f", "b.yml"]


def test_config_path_through_the_deepest_bind_mount():
    mounts = [
        {"type": "bind", "source": f"{DIR}/config", "target": "/app/config"},
        {"type": "bind", "source": f"{DIR}/special.yaml", "target": "/app/config/special.yaml"},
    ]
    assert compose.host_path("/app/config/librechat.yaml", mounts) == f"{DIR}/config/librechat.yaml"
    assert compose.host_path("/app/config/special.yaml", mounts) == f"{DIR}/special.yaml"
    assert compose.host_path("/app/librechat.yaml", mounts) == ""
    assert compose.config_location("", "/app/librechat.yaml", "/app") == {
        "kind": "path",
        "path": "/app/librechat.yaml",
        "set": False,
    }
    assert compose.config_location("config/x.yaml", "/app/librechat.yaml", "/app")["path"] == "/app/config/x.yaml"
    assert compose.config_location("HTTPS://cfg.example.org/l.yaml", "", "/app")["kind"] == "url"
    assert compose.map_path("/app/config/l.yaml", {"/app/": "/srv/lc"}) == "/srv/lc/config/l.yaml"
    assert compose.map_path("/etc/l.yaml", {"/app": "/srv/lc"}) == "/etc/l.yaml"


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
    service = compose.compose_service(config, "api")
    assert service["exists"]
    assert service["mounts"] == [{"type": "bind", "source": f"{DIR}/librechat.yaml", "target": "/app/librechat.yaml"}]
    assert service["environment"] == {"HOST": "0.0.0.0", "EMPTY": ""}
    assert not compose.compose_service(config, "web")["exists"]
    assert service["user"] == ""


def test_compose_service_gives_values_and_user_as_the_process_gets_them():
    # docker compose config prints each $ of a value as $$ (measured with 2.40.3), and user: as resolved
    config = {"services": {"api": {"user": "1000:1000", "environment": {"S": "ab$$cd", "T": "$$$$x", "U": "plain"}}}}
    service = compose.compose_service(config, "api")
    assert service["environment"] == {"S": "ab$cd", "T": "$$x", "U": "plain"}
    assert service["user"] == "1000:1000"


def test_process_environment_is_what_environment_sets_not_env_file():
    raw = [
        {"services": {"api": {"environment": ["HOST=0.0.0.0", "BEDROCK_AWS_DEFAULT_REGION=us-west-2"]}}},
        {"services": {"api": {"environment": {"ENDPOINTS": "${ENDPOINTS}", "CONFIG_PATH": "${CFG:-/app/c.yaml}"}}}},
    ]
    keys = compose.compose_environment_keys(raw, "api")
    resolved = {"HOST": "0.0.0.0", "BEDROCK_AWS_DEFAULT_REGION": "us-west-2", "ENDPOINTS": "x", "CONFIG_PATH": "/app/c"}
    env = compose.process_environment(keys, resolved)
    # ENDPOINTS=${ENDPOINTS} follows .env, so it shadows nothing
    assert env == {"HOST": "0.0.0.0", "BEDROCK_AWS_DEFAULT_REGION": "us-west-2", "CONFIG_PATH": "/app/c"}
    assert compose.shadowed(env, "BEDROCK_AWS_DEFAULT_REGION=us-east-1\n", ["BEDROCK_AWS_DEFAULT_REGION"]) == [
        "BEDROCK_AWS_DEFAULT_REGION"
    ]
    assert compose.shadowed(env, "BEDROCK_AWS_DEFAULT_REGION=us-west-2\n", ["BEDROCK_AWS_DEFAULT_REGION"]) == []
    assert compose.compose_env_files(
        [{"services": {"api": {"env_file": [".env", {"path": "./extra.env"}]}}}], "api", DIR
    ) == [f"{DIR}/.env", f"{DIR}/extra.env"]


def test_systemd_show_output():
    text = (
        'Environment="GREETING=hello world" BEDROCK_AWS_PROFILE=prod\n'
        "EnvironmentFiles=/etc/librechat.env (ignore_errors=no)\n"
        "WorkingDirectory=/opt/librechat\n"
    )
    assert compose.systemd_environment(text) == {"GREETING": "hello world", "BEDROCK_AWS_PROFILE": "prod"}
    assert compose.systemd_environment_files(text) == ["/etc/librechat.env"]
    assert compose.systemd_property(text, "WorkingDirectory") == "/opt/librechat"


def test_versions_from_the_image_tag_or_package_json():
    assert compose.image_version("ghcr.io/danny-avila/librechat:v0.8.6") == "0.8.6"
    assert compose.image_version("registry.librechat.ai/librechat-ai/librechat-api:v0.8.5-rc1") == "0.8.5-rc1"
    assert compose.image_version("ghcr.io/danny-avila/librechat-dev:latest") == ""
    assert compose.image_version("localhost:5000/librechat") == ""
    assert compose.image_version("ghcr.io/danny-avila/librechat@sha256:abc") == ""
    assert compose.package_version({"name": "LibreChat", "version": "v0.8.6"}) == "0.8.6"
    assert compose.package_version(None) == ""


def test_librechat_log_lines():
    assert compose.config_log_state("x info: Custom config file loaded:\n{...}")["state"] == "loaded"
    assert compose.config_log_state("info: Custom config file missing or YAML format invalid.")["state"] == "missing"
    invalid = compose.config_log_state("error: Invalid custom config file at /app/librechat.yaml:\n[...]")
    assert invalid["state"] == "invalid" and invalid["line"].startswith("error: Invalid custom config file at")
    # a restart loop: the newest start is printed last
    assert (
        compose.config_log_state("Custom config file missing or YAML format invalid.\nCustom config file loaded:")[
            "state"
        ]
        == "loaded"
    )
    assert compose.config_log_state("Server listening")["state"] == "unknown"
    assert compose.sha256_of("a" * 64 + "  /app/librechat.yaml") == "a" * 64
    assert compose.sha256_of("sha256sum: can't open") == ""


def test_deployment_rows():
    good = {
        "method": "docker_compose",
        "compose_files": [f"{DIR}/deploy-compose.yml"],
        "mount_ok": True,
        "container_path": "/app/librechat.yaml",
        "yaml_path": f"{DIR}/librechat.yaml",
        "log": {"state": "loaded"},
        "container_sha": "a" * 64,
        "host_sha": "a" * 64,
        "shadowed": [],
        "aws_mount": None,
        "regions": {"home": "us-east-1", "other": [], "strict": False},
        "env_reader": {
            "uid": 1000,
            "gid": 1000,
            "groups": [1000],
            "name": "node",
            "source": "the running container's process",
        },
        "env_file": {
            "path": f"{DIR}/.env",
            "exists": True,
            "uid": 0,
            "gid": 1000,
            "owner": "root",
            "group": "node",
            "mode": "0640",
        },
        "env_via_env_file": True,
        "env_readings_differ": [],
    }
    rows = {r["check"]: r for r in compose.deployment_rows("h", good)}
    assert {r["status"] for r in rows.values()} == {"PASS"} and len(rows) == 6
    assert rows["h: LibreChat's user can read .env"]["detail"] == (
        f"node (1000:1000) (the running container's process) reads it through its group; {DIR}/.env is root:node 0640"
    )
    bad = good | {
        "mount_ok": False,
        "problems": ["no mount"],
        "log": {"state": "missing"},
        "container_sha": "b" * 64,
        "shadowed": ["BEDROCK_AWS_DEFAULT_REGION"],
        "aws_mount": False,
        "regions": {"home": "us-east-1", "other": ["us-west-2"], "strict": True},
        "env_file": good["env_file"] | {"gid": 0, "group": "root"},
        "env_readings_differ": ["BEDROCK_AWS_SECRET_ACCESS_KEY"],
    }
    rows = compose.deployment_rows("h", bad)
    assert [r["status"] for r in rows] == ["FAIL"] * 8
    assert "sends the us-east-1 application profile ARN" in rows[-1]["detail"]
    by_check = {r["check"]: r["detail"] for r in rows}
    assert by_check["h: LibreChat's user can read .env"].startswith(
        f"node (1000:1000) (the running container's process) cannot read it ({DIR}/.env is root:root 0640)"
    )
    assert f"chgrp 1000 {DIR}/.env && chmod 0640 {DIR}/.env" in by_check["h: LibreChat's user can read .env"]
    assert by_check["h: Compose and dotenv read the Bedrock keys of .env alike"].startswith(
        "docker compose (env_file) reads BEDROCK_AWS_SECRET_ACCESS_KEY otherwise"
    )
    systemd = compose.deployment_rows("h", {"method": "systemd", "log": {"state": "loaded"}})
    assert [r["check"] for r in systemd] == [
        "h: LibreChat loaded librechat.yaml",
        "h: no Bedrock variable is shadowed by the process environment",
        "h: LibreChat's user can read .env",
    ]
    assert systemd[-1]["status"] == "SKIP"
    skipped = compose.deployment_rows("h", {"method": "command"})
    assert skipped[0]["status"] == "SKIP"
    assert skipped[-1]["detail"] == (
        "restart method command: who runs LibreChat is not known to the role; set librechat_config_env_reader to the "
        "user LibreChat runs as"
    )
    # world-readable: it reads, and the row says how to let the role drop the world bits
    world = compose.deployment_rows("h", bad | {"env_file": bad["env_file"] | {"mode": "0644"}})
    world_row = next(r for r in world if r["check"] == "h: LibreChat's user can read .env")
    assert world_row["status"] == "PASS" and "only through the world bits" in world_row["detail"]
    # .env through the bind mount only: Compose does not read it
    mounted = compose.deployment_rows("h", good | {"env_via_env_file": False})
    assert next(r for r in mounted if "alike" in r["check"])["status"] == "SKIP"


def test_backups_split_keeps_the_newest():
    found = [{"path": f"/x/.env.{n}~", "mtime": n} for n in (1, 5, 3, 4)]
    assert compose.backups_split(found, 3) == {
        "keep": ["/x/.env.5~", "/x/.env.4~", "/x/.env.3~"],
        "drop": ["/x/.env.1~"],
    }
