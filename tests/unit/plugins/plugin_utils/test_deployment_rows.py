"""The verify role's rows of a LibreChat deployment (plugins/plugin_utils/deployment_rows.py): the reading, what
LibreChat said of itself (its log, the file in its container, its process), against what the role maps."""

import json

from ansible_collections.librechat.bedrock.plugins.plugin_utils import deployment, deployment_rows, librechat_action

DIR = "/srv/librechat"


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
        "process": deployment.process_state(answer()),
        "expected": EXPECTED,
    }
    rows = {r["check"]: r for r in deployment_rows.deployment_rows("h", good)}
    assert {r["status"] for r in rows.values()} == {"PASS"} and len(rows) == 9
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
        "container_aws_dir": "/home/node/.aws",
        "service": "api",
        "regions": {"home": "us-east-1", "other": ["us-west-2"], "strict": True},
        "env_file": good["env_file"] | {"gid": 0, "group": "root"},
        "env_readings_differ": ["BEDROCK_AWS_SECRET_ACCESS_KEY"],
        "process": deployment.process_state(
            answer(
                envFile=ENV_FILE | {"readable": False, "loaded": False, "error": "EACCES"},
                region="us-west-2",
                credentials={"method": "profile", "set": ["BEDROCK_AWS_PROFILE"]},
            )
        ),
    }
    rows = deployment_rows.deployment_rows("h", bad)
    assert [r["status"] for r in rows] == ["FAIL"] * 11
    assert "sends the us-east-1 application profile ARN" in rows[-1]["detail"]
    by_check = {r["check"]: r["detail"] for r in rows}
    assert by_check["h: LibreChat's user can read .env"].startswith(
        f"node (1000:1000) (the running container's process) cannot read it ({DIR}/.env is root:root 0640)"
    )
    assert f"chgrp 1000 {DIR}/.env && chmod 0640 {DIR}/.env" in by_check["h: LibreChat's user can read .env"]
    assert by_check["h: Compose and dotenv read the Bedrock keys of .env alike"].startswith(
        "docker compose (env_file) reads BEDROCK_AWS_SECRET_ACCESS_KEY otherwise"
    )
    systemd = deployment_rows.deployment_rows("h", {"method": "systemd", "log": {"state": "loaded"}})
    assert [r["check"] for r in systemd] == [
        "h: LibreChat loaded librechat.yaml",
        "h: no Bedrock variable is shadowed by the process environment",
        "h: LibreChat's user can read .env",
    ]
    assert systemd[-1]["status"] == "SKIP"
    skipped = deployment_rows.deployment_rows("h", {"method": "command"})
    assert skipped[0]["status"] == "SKIP"
    assert skipped[-1]["detail"] == (
        "restart method command: who runs LibreChat is not known to the role; set librechat_config_env_reader to the "
        "user LibreChat runs as"
    )
    # world-readable: it reads, and the row says how to let the role drop the world bits
    world = deployment_rows.deployment_rows("h", bad | {"env_file": bad["env_file"] | {"mode": "0644"}})
    world_row = next(r for r in world if r["check"] == "h: LibreChat's user can read .env")
    assert world_row["status"] == "PASS" and "only through the world bits" in world_row["detail"]
    # .env through the bind mount only: Compose does not read it
    mounted = deployment_rows.deployment_rows("h", good | {"env_via_env_file": False})
    assert next(r for r in mounted if "alike" in r["check"])["status"] == "SKIP"


# ------------------------------------------------------------------------------------------ LibreChat's process

ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
ENV_FILE = {"path": "/app/.env", "exists": True, "readable": True, "loaded": True, "error": None, "mounted": True}
EXPECTED = {"region": "us-east-1", "auth": "default_chain", "variables": {"BEDROCK_PROFILE_X": ARN}}
READS, HOLDS, USES = (
    "h: LibreChat's process reads .env",
    "h: LibreChat's process holds the region and each profile ARN",
    "h: LibreChat's process uses credentials: ",
)


def answer(rc=0, stderr="", **fields):
    """A registered result of the verify role's `docker compose exec ... node -e` run."""
    state = {
        "uid": 1000,
        "gid": 1000,
        "cwd": "/app",
        "envFile": ENV_FILE,
        "credentials": {"method": "default_chain", "set": []},
        "BEDROCK_AWS_DEFAULT_REGION": "us-east-1",
        "ENDPOINTS": None,
        "profiles": {"BEDROCK_PROFILE_X": ARN},
    }
    if "region" in fields:
        fields["BEDROCK_AWS_DEFAULT_REGION"] = fields.pop("region")
    state |= fields
    return {"rc": rc, "stdout": json.dumps(state) + "\n", "stderr": stderr}


def process_rows(process, **reading):
    d = {"env_file": {"path": f"{DIR}/.env"}, "env_via_env_file": False, "expected": EXPECTED} | reading
    rows = deployment_rows.process_rows("h: ", d | {"process": deployment.process_state(process)})
    return {r["check"]: r for r in rows}


def test_process_state_keeps_only_the_known_fields():
    noisy = answer(
        secret="s3cr3t",
        credentials={"method": "static", "set": ["BEDROCK_AWS_ACCESS_KEY_ID", "BEDROCK_AWS_SECRET_ACCESS_KEY", "X"]},
        profiles={"BEDROCK_PROFILE_X": ARN, "BEDROCK_AWS_SECRET_ACCESS_KEY": "s3cr3t"},
        envFile=ENV_FILE | {"keys": ["A"]},
    )
    # a dotenv 17 log line before the JSON line
    noisy["stdout"] = "[dotenv@17.2.0] injecting env (3) from .env\n" + noisy["stdout"]
    state = deployment.process_state(noisy)
    assert "s3cr3t" not in json.dumps(state)
    assert state == {
        "status": "read",
        "reason": "",
        "uid": 1000,
        "gid": 1000,
        "cwd": "/app",
        "env_file": ENV_FILE,
        "dotenv_error": "",
        "region": "us-east-1",
        "endpoints": None,
        "profiles": {"BEDROCK_PROFILE_X": ARN},
        "credentials": {"method": "static", "set": ["BEDROCK_AWS_ACCESS_KEY_ID", "BEDROCK_AWS_SECRET_ACCESS_KEY"]},
    }
    assert deployment.process_state(answer(credentials={"method": "other"}))["credentials"]["method"] == "unknown"


def test_process_state_says_why_nothing_was_read():
    # what docker compose 2.40 and the engine print (measured)
    assert deployment.process_state({"rc": 1, "stdout": "", "stderr": 'service "api" is not running\n'}) == {
        "status": "not_running",
        "reason": 'service "api" is not running',
    }
    no_node = (
        'OCI runtime exec failed: exec failed: unable to start container process: exec: "node": executable file '
        "not found in $PATH: unknown"
    )
    assert deployment.process_state({"rc": 126, "stdout": "", "stderr": no_node})["status"] == "no_node"
    assert deployment.process_state({"rc": 1, "stdout": "", "stderr": "no such service: web"})["status"] == "error"
    assert deployment.process_state({"rc": 2, "stdout": "{not json", "stderr": ""}) == {
        "status": "error",
        "reason": "rc 2",
    }
    assert deployment.process_state({"skipped": True})["status"] == "not_asked"
    assert deployment.process_state({})["status"] == "not_asked"


def test_process_rows_pass():
    rows = process_rows(answer())
    assert [r["status"] for r in rows.values()] == ["PASS"] * 3
    assert (
        rows[READS]["detail"]
        == f"LibreChat's user 1000:1000 reads /app/.env (mounted from {DIR}/.env) and dotenv loaded it"
    )
    assert rows[HOLDS]["detail"] == "BEDROCK_AWS_DEFAULT_REGION us-east-1 and BEDROCK_PROFILE_X as the role maps them"
    assert rows[USES + "default_chain"]["detail"] == "as librechat_config_auth says (no BEDROCK_AWS_* credential set)"
    static = process_rows(
        answer(credentials={"method": "static", "set": ["BEDROCK_AWS_ACCESS_KEY_ID", "BEDROCK_AWS_SECRET_ACCESS_KEY"]}),
        expected=EXPECTED | {"auth": "static"},
    )
    assert static[USES + "static"]["status"] == "PASS"
    # librechat_config_profile_refs: arn asks for no variable
    arn_refs = process_rows(answer(profiles={}))
    assert arn_refs[HOLDS]["status"] == "PASS" and "no profile variable" in arn_refs[HOLDS]["detail"]


def test_process_rows_env_file():
    # env_file only: the image's own .env, not a mount; the process environment comes from compose
    rows = process_rows(answer(envFile=ENV_FILE | {"mounted": False}), env_via_env_file=True)
    assert rows[READS]["status"] == "SKIP"
    assert rows[READS]["detail"].startswith(f"{DIR}/.env is not mounted at /app/.env (env_file only)")
    # neither mounted nor in env_file: LibreChat never reads it
    rows = process_rows(answer(envFile=ENV_FILE | {"mounted": False}))
    assert rows[READS]["status"] == "FAIL" and "never reads it" in rows[READS]["detail"]
    # mounted and unreadable to the container's user: named with its uid:gid and the fix
    rows = process_rows(answer(uid=1000, gid=1001, envFile=ENV_FILE | {"readable": False, "loaded": False}))
    assert rows[READS]["status"] == "FAIL"
    detail = rows[READS]["detail"]
    assert detail.startswith(f"LibreChat's user 1000:1001 cannot read the mounted /app/.env ({DIR}/.env on the host)")
    assert f"`chgrp 1001 {DIR}/.env && chmod 0640 {DIR}/.env`" in detail and "librechat_config_group: 1001" in detail
    # a mount whose source was missing: Docker made a directory, which dotenv cannot load
    rows = process_rows(answer(envFile=ENV_FILE | {"loaded": False, "error": "EISDIR"}), env_via_env_file=True)
    assert rows[READS]["status"] == "FAIL"
    assert rows[READS]["detail"].startswith("LibreChat's dotenv did not load /app/.env (EISDIR) (compose's env_file")
    rows = process_rows(answer(envFile=ENV_FILE | {"exists": False, "readable": False, "loaded": False}))
    assert rows[READS]["status"] == "FAIL" and rows[READS]["detail"].startswith("there is no /app/.env")


def test_process_rows_values_name_the_variable_and_both_values():
    rows = process_rows(
        answer(region="us-west-2", profiles={"BEDROCK_PROFILE_X": None}),
        shadowed=["BEDROCK_AWS_DEFAULT_REGION"],
        restart_command="docker compose -f d.yml up --detach --force-recreate --no-deps api",
    )
    assert rows[HOLDS]["status"] == "FAIL"
    assert rows[HOLDS]["detail"].startswith(
        "BEDROCK_AWS_DEFAULT_REGION is 'us-west-2', not us-east-1 (librechat_bedrock_region) (set by compose "
        f"environment:); BEDROCK_PROFILE_X is unset, not {ARN}: "
    )
    assert rows[HOLDS]["detail"].endswith("(docker compose -f d.yml up --detach --force-recreate --no-deps api)")
    other = ARN.replace("abc", "old")
    rows = process_rows(answer(profiles={"BEDROCK_PROFILE_X": other}))
    assert rows[HOLDS]["detail"].startswith(f"BEDROCK_PROFILE_X is '{other}', not {ARN}: ")
    # a profile the role knows no ARN for
    rows = process_rows(answer(), expected=EXPECTED | {"variables": {"BEDROCK_PROFILE_X": None}})
    assert rows[HOLDS]["status"] == "FAIL" and "no profile ARN is known for it" in rows[HOLDS]["detail"]


def test_process_rows_credentials():
    rows = process_rows(answer(credentials={"method": "static", "set": ["BEDROCK_AWS_ACCESS_KEY_ID"]}))
    row = rows[USES + "static"]
    assert row["status"] == "FAIL"
    assert row["detail"].startswith(
        "LibreChat's process uses static (BEDROCK_AWS_ACCESS_KEY_ID set), and librechat_config_auth is default_chain"
    )
    rows = process_rows(
        answer(credentials={"method": "unpaired", "set": ["BEDROCK_AWS_SECRET_ACCESS_KEY"]}),
        expected=EXPECTED | {"auth": "static"},
    )
    assert rows[USES + "unpaired"]["status"] == "FAIL"
    assert rows[USES + "unpaired"]["detail"].startswith(
        "LibreChat's process uses unpaired (BEDROCK_AWS_SECRET_ACCESS_KEY set), and librechat_config_auth is static "
        "(only one of BEDROCK_AWS_ACCESS_KEY_ID and BEDROCK_AWS_SECRET_ACCESS_KEY: every request fails): "
    )


def test_process_rows_skip_when_the_process_cannot_be_asked():
    for result, start in (
        ({"rc": 1, "stdout": "", "stderr": 'service "api" is not running'}, "the LibreChat container is not running"),
        ({"rc": 126, "stdout": "", "stderr": 'exec: "node": executable file not found in $PATH'}, "node is not in"),
        ({"rc": 1, "stdout": "", "stderr": "boom"}, "running node in the LibreChat container failed: boom"),
        (answer(dotenvError="MODULE_NOT_FOUND", cwd="/"), "LibreChat's dotenv cannot be loaded from / (MODULE_"),
    ):
        rows = process_rows(result, expected=EXPECTED | {"auth": "bearer"})
        assert list(rows) == [READS, HOLDS, USES + "bearer"]
        assert {r["status"] for r in rows.values()} == {"SKIP"}
        assert rows[READS]["detail"].startswith(start), rows[READS]["detail"]


def test_observed_rows_merge_what_the_role_maps():
    reading = {"method": "docker_compose", "env_file": {"path": f"{DIR}/.env"}}
    observation = {
        "process": deployment.process_state(answer(region="eu-west-1")),
        "restart_command": "docker compose up",
    }
    expected = {"region": "us-east-1", "variables": {}, "auth": "default_chain"}
    rows = {r["check"]: r for r in deployment_rows.observed_rows("h", reading, observation, expected)}
    assert rows[HOLDS]["status"] == "FAIL" and rows[HOLDS]["detail"].endswith("(docker compose up)")
    assert rows[USES + "default_chain"]["status"] == "PASS"


def test_backups_split_keeps_the_newest():
    found = [{"path": f"/x/.env.{n}~", "mtime": n} for n in (1, 5, 3, 4)]
    assert librechat_action.backups_split(found, 3) == {
        "keep": ["/x/.env.5~", "/x/.env.4~", "/x/.env.3~"],
        "drop": ["/x/.env.1~"],
    }
