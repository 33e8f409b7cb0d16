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
    }
    rows = {r["check"]: r["status"] for r in compose.deployment_rows("h", good)}
    assert set(rows.values()) == {"PASS"} and len(rows) == 4
    bad = good | {
        "mount_ok": False,
        "problems": ["no mount"],
        "log": {"state": "missing"},
        "container_sha": "b" * 64,
        "shadowed": ["BEDROCK_AWS_DEFAULT_REGION"],
        "aws_mount": False,
        "regions": {"home": "us-east-1", "other": ["us-west-2"], "strict": True},
    }
    rows = compose.deployment_rows("h", bad)
    assert [r["status"] for r in rows] == ["FAIL"] * 6
    assert "sends the us-east-1 application profile ARN" in rows[-1]["detail"]
    systemd = compose.deployment_rows("h", {"method": "systemd", "log": {"state": "loaded"}})
    assert [r["check"] for r in systemd] == [
        "h: LibreChat loaded librechat.yaml",
        "h: no Bedrock variable is shadowed by the process environment",
    ]
    skipped = compose.deployment_rows("h", {"method": "command"})
    assert skipped[0]["status"] == "SKIP"


def test_backups_split_keeps_the_newest():
    found = [{"path": f"/x/.env.{n}~", "mtime": n} for n in (1, 5, 3, 4)]
    assert compose.backups_split(found, 3) == {
        "keep": ["/x/.env.5~", "/x/.env.4~", "/x/.env.3~"],
        "drop": ["/x/.env.1~"],
    }
