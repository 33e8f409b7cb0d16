"""Who reads LibreChat's .env (env_access.resolve, from what the deployment and the host say), and the owner, group
and mode the file is written with so that user keeps reading it and nobody else need (env_access.access); the
verify row's rule (env_access.readable). The bug this guards against: LibreChat's docker-compose.yml runs the
container as ${UID}:${GID} and its dotenv reads the bind-mounted .env as that user, skipping silently a file it
cannot read; dropping the world bits of a file that user read only through them left LibreChat without its
secrets."""

from __future__ import annotations

import pytest

from ansible_collections.librechat.bedrock.plugins.plugin_utils import env_access

ENV = "/srv/librechat/.env"
NODE = {"uid": 1000, "gid": 1000, "groups": [1000], "name": "node", "source": "the running container's process"}
ROOT = {"uid": 0, "gid": 0, "groups": [0], "name": "root", "source": env_access.FROM_ENV_FILE, "writes": True}
COMPOSE = {
    "method": "docker_compose",
    "env_file": False,
    "compose_ok": True,
    "service_exists": True,
    "compose_files": ["/srv/librechat/docker-compose.yml", "/srv/librechat/docker-compose.override.yml"],
    "service": "api",
    "service_user": "",
    "image": "ghcr.io/danny-avila/librechat-dev:latest",
}


def _stat(mode="0600", uid=0, gid=0, owner="root", group="root"):
    return {"exists": True, "isreg": True, "mode": mode, "uid": uid, "gid": gid, "pw_name": owner, "gr_name": group}


NEW = {"exists": False}


def _out(**sections):
    return "".join(
        f"::{tag.replace('__', ':')}\n" + "".join(f"{line}\n" for line in lines) for tag, lines in sections.items()
    )


# -------------------------------------------------------------------------------------------- who reads .env


def test_env_file_is_read_by_the_user_running_docker_compose():
    inputs = COMPOSE | {"env_file": True}
    first = env_access.resolve(inputs)
    assert first["reader"] is None and first["run"] == []
    assert first["script"] == "echo ::self; id -u && id -g && id -G && id -un"
    reader = env_access.resolve(inputs, _out(self=["0", "0", "0", "root"]))["reader"]
    assert reader == {
        "uid": 0,
        "gid": 0,
        "groups": [0],
        "name": "root",
        "source": "compose env_file (docker compose, as the user running it)",
        "writes": True,
    }
    # a template hands booleans over as text
    assert env_access.resolve(inputs | {"env_file": "True"}, _out(self=["0", "0", "0", "root"]))["reader"]["uid"] == 0
    assert "::proc" in env_access.resolve(inputs | {"env_file": "False"})["script"]


def test_a_mounted_env_is_read_by_the_running_containers_process():
    script = env_access.script(COMPOSE)
    # the compose files, quoted; the container's pid; the kernel's answer from /proc on the host
    assert (
        "cid=$(docker compose -f /srv/librechat/docker-compose.yml -f /srv/librechat/docker-compose.override.yml "
        "ps --quiet api 2>/dev/null | head -n 1)"
    ) in script
    assert 'docker inspect --format "{""{.State.Pid}}" "$cid"' in script
    assert 'grep -E "^(Uid|Gid|Groups):" "/proc/$pid/status"' in script
    # without user: in the compose files, the image's USER is read too (in case the container is not running)
    assert 'docker image inspect --format "user={""{.Config.User}}" ghcr.io/danny-avila/librechat-dev:latest' in script
    # nothing in it is a template to Ansible
    assert "{{" not in script and "{%" not in script and "{#" not in script
    status = ["Uid:\t1000\t1000\t1000\t1000", "Gid:\t1000\t1000\t1000\t1000", "Groups:\t1000 27 "]
    reader = env_access.resolve(COMPOSE, _out(proc=status, image=["user=node"]))["reader"]
    assert reader == {
        "uid": 1000,
        "gid": 1000,
        "groups": [1000, 27],
        "name": "1000:1000",
        "source": "the running container's process",
        "writes": False,
    }


def test_a_container_the_reading_found_is_read_without_asking_compose_again():
    # the reading asked Compose for the running container already (at once with `docker compose config`)
    script = env_access.script(COMPOSE | {"container": "4f2c9e"})
    assert "docker compose" not in script
    assert 'cid=4f2c9e; if [ -n "$cid" ]; then pid=$(docker inspect --format "{""{.State.Pid}}" "$cid"' in script
    # none running: nothing to inspect, and the image's USER is still read
    script = env_access.script(COMPOSE | {"container": ""})
    assert "cid=''; " in script and "docker compose" not in script
    assert 'docker image inspect --format "user={""{.Config.User}}"' in script
    # an ID is data to the shell, never code
    assert "cid='x; rm -rf /'; " in env_access.script(COMPOSE | {"container": "x; rm -rf /"})


def test_the_filesystem_ids_of_the_process_decide():
    status = ["Uid:\t0\t1001\t1001\t1002", "Gid:\t0\t1001\t1001\t1003", "Groups:"]
    assert env_access.parse_proc_status(status) == {"uid": 1002, "gid": 1003, "groups": [], "name": ""}
    assert env_access.parse_proc_status(["Uid:\t1"]) is None


def test_a_stopped_container_is_read_from_user_in_the_compose_files():
    inputs = COMPOSE | {"service_user": "1000:1000"}
    assert "::image" not in env_access.script(inputs)
    found = env_access.resolve(inputs, _out(proc=[]))
    assert found["reader"]["uid"] == 1000 and found["reader"]["gid"] == 1000
    assert found["reader"]["source"] == "the api container's user 1000:1000 (user: in the compose files)"
    assert found["run"] == []


def test_a_user_name_is_resolved_by_docker_in_a_throwaway_container():
    inputs = COMPOSE | {"service_user": "node"}
    found = env_access.resolve(inputs, _out(proc=[]))
    assert found["reader"] is None
    assert found["run"] == [
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
        "node",
        "--entrypoint",
        "id",
        "ghcr.io/danny-avila/librechat-dev:latest",
    ]
    reader = env_access.resolve(inputs, _out(proc=[]), "uid=1000(node) gid=1000(node) groups=1000(node),10(wheel)\n")[
        "reader"
    ]
    assert (reader["uid"], reader["gid"], reader["groups"], reader["name"]) == (1000, 1000, [1000, 10], "node")
    failed = env_access.resolve(inputs, _out(proc=[]), "docker: Error response from daemon: No such image\n")
    assert failed["reader"] is None
    assert failed["note"] == (
        "Docker could not tell who user node of ghcr.io/danny-avila/librechat-dev:latest is (docker: Error response "
        "from daemon: No such image)"
    )


def test_the_images_user_decides_without_user_in_the_compose_files():
    # no USER: root
    root = env_access.resolve(COMPOSE, _out(proc=[], image=["user="]))["reader"]
    assert root["uid"] == 0 and root["source"].startswith("the image's user root")
    numeric = env_access.resolve(COMPOSE, _out(proc=[], image=["user=1000:1000"]))["reader"]
    assert numeric["uid"] == 1000 and numeric["source"].startswith("the image's user 1000:1000 (Config.User of")
    named = env_access.resolve(COMPOSE, _out(proc=[], image=["user=node"]))
    assert named["run"][-5:] == ["--user", "node", "--entrypoint", "id", COMPOSE["image"]]
    gone = env_access.resolve(COMPOSE, _out(proc=[], image=[]))
    assert gone["reader"] is None and "not on the host" in gone["note"]


def test_a_broken_compose_deployment_reads_nothing():
    assert env_access.script(COMPOSE | {"compose_ok": False}) == ""
    assert env_access.resolve(COMPOSE | {"service_exists": "False"})["reader"] is None


def test_systemd_units_user_group_and_supplementary_groups():
    inputs = {"method": "systemd", "unit_user": "librechat", "unit_group": "", "unit_supplementary_groups": "docker 44"}
    script = env_access.script(inputs)
    assert "(id -u librechat && id -g librechat && id -G librechat && id -un librechat) 2>/dev/null" in script
    assert "getent group docker" in script and "getent group 44" not in script
    read = _out(user__librechat=["998", "998", "998", "librechat"], group__docker=["docker:x:999:librechat"])
    reader = env_access.resolve(inputs, read)["reader"]
    assert reader == {
        "uid": 998,
        "gid": 998,
        "groups": [998, 999, 44],
        "name": "librechat",
        "source": "the systemd unit's User=",
        "writes": False,
    }
    with_group = env_access.resolve(inputs | {"unit_group": "docker"}, read)["reader"]
    assert with_group["gid"] == 999
    # no User=: root
    assert env_access.resolve({"method": "systemd"})["reader"]["uid"] == 0
    assert env_access.resolve(inputs, "")["note"] == "the unit's User=librechat is not a user of the host"
    dynamic = env_access.resolve(inputs | {"unit_dynamic_user": "yes"})
    assert dynamic["reader"] is None and "DynamicUser=yes" in dynamic["note"] and dynamic["script"] == ""


@pytest.mark.parametrize("method", ["command", "none"])
def test_command_and_none_are_unknown_unless_named(method):
    assert env_access.resolve({"method": method}) == {
        "reader": None,
        "script": "",
        "run": [],
        "owner": None,
        "group": None,
        "note": "",
    }
    named = env_access.resolve({"method": method, "override": "1000:1000"})["reader"]
    assert named == {
        "uid": 1000,
        "gid": 1000,
        "groups": [1000],
        "name": "1000:1000",
        "source": "librechat_config_env_reader",
        "writes": False,
    }


def test_librechat_config_env_reader_overrides_detection_everywhere():
    inputs = COMPOSE | {"env_file": True, "override": "librechat"}
    assert env_access.script(inputs).startswith("echo ::user:librechat; (id -u librechat")
    reader = env_access.resolve(inputs, _out(user__librechat=["1001", "1001", "1001 44", "librechat"]))["reader"]
    assert (reader["uid"], reader["groups"], reader["source"]) == (1001, [1001, 44], "librechat_config_env_reader")
    unknown = env_access.resolve(inputs, "")
    assert unknown["reader"] is None
    assert unknown["note"].startswith("librechat_config_env_reader=librechat: the host has no such user")
    assert "give them as uid:gid" in unknown["note"]
    bad = env_access.resolve(inputs | {"override": "1000:x"})
    assert bad["reader"] is None and "neither a user name nor uid[:gid]" in bad["note"]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("", True),
        ("node", True),
        ("1000", True),
        ("1000:1000", True),
        ("_svc$", True),
        ("1000:", False),
        ("a b", False),
    ],
)
def test_the_spec_of_librechat_config_env_reader(value, ok):
    assert (env_access.spec_error(value) == "") is ok


def test_owner_and_group_names_are_resolved_on_the_host():
    inputs = COMPOSE | {"owner": "librechat", "group": "docker"}
    script = env_access.script(inputs)
    assert "::user:librechat" in script and "getent group docker" in script
    read = _out(user__librechat=["998", "998", "998", "librechat"], group__docker=["docker:x:999:"])
    found = env_access.resolve(inputs, read)
    assert (found["owner"], found["group"]) == (998, 999)
    assert env_access.resolve(COMPOSE | {"owner": "0", "group": "1000"})[("owner")] == 0
    assert "getent" not in env_access.script(COMPOSE | {"owner": "0", "group": "1000"})
    # without a reader to protect, nothing is looked up
    assert env_access.script({"method": "none", "owner": "librechat"}) == ""


def test_names_are_quoted_for_the_shell():
    script = env_access.script(COMPOSE | {"compose_files": ["/srv/my lib/docker-compose.yml"], "image": "x;y"})
    assert "-f '/srv/my lib/docker-compose.yml'" in script and "'x;y'" in script


def test_id_output():
    assert env_access.parse_id("uid=0(root) gid=0(root) groups=0(root),1(daemon)") == {
        "uid": 0,
        "gid": 0,
        "groups": [0, 1],
        "name": "root",
    }
    assert env_access.parse_id("uid=1234 gid=1234 groups=1234") == {
        "uid": 1234,
        "gid": 1234,
        "groups": [1234],
        "name": "",
    }
    assert env_access.parse_id("id: unknown user") is None


# -------------------------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("reader", [None, ROOT])
def test_root_or_an_unknown_reader_keeps_the_plain_rule(reader):
    verdict = env_access.access(ENV, reader, _stat("0644", 1000, 1000, "node", "node"))
    assert (verdict["mode"], verdict["group"], verdict["errors"]) == ("0640", None, [])
    assert verdict["warnings"] == [
        f"{ENV} was mode 0644, readable by every user of the host, and holds secrets: it is written 0640 "
        "(world bits dropped)"
    ]
    assert env_access.access(ENV, reader, NEW)["mode"] == "0600"
    assert env_access.access(ENV, reader, _stat("0644"), "0600")["mode"] == "0600"


def test_the_owner_keeps_read_access_and_loses_the_world_bits():
    # LibreChat's local layout: .env of the clone's owner (1000), `cp .env.example .env` left it 0644
    verdict = env_access.access(ENV, NODE, _stat("0644", 1000, 1000, "node", "node"))
    assert (verdict["mode"], verdict["group"], verdict["errors"]) == ("0640", None, [])
    granted = env_access.access(ENV, NODE, _stat("0200", 1000, 0, "node", "root"))
    assert granted["mode"] == "0600" and "which needs that read bit" in granted["warnings"][-1]
    denied = env_access.access(ENV, NODE, _stat("0600", 1000, 0, "node", "root"), "0200")
    assert denied["errors"] and denied["errors"][0].startswith("librechat_config_env_file_mode=0200 would leave")


def test_a_member_of_the_files_group_keeps_or_gets_group_read():
    verdict = env_access.access(ENV, NODE, _stat("0600", 0, 1000, "root", "node"))
    assert (verdict["mode"], verdict["group"], verdict["errors"]) == ("0640", None, [])
    assert verdict["warnings"] == [
        f"{ENV} is written 0640: LibreChat reads it as node (1000:1000), the running container's process, through "
        "its group 1000, which needs that read bit"
    ]
    kept = env_access.access(ENV, NODE, _stat("0644", 0, 1000, "root", "node"))
    assert kept["mode"] == "0640" and len(kept["warnings"]) == 1  # only the world bits' warning
    # through a supplementary group
    assert env_access.access(ENV, NODE | {"groups": [1000, 44]}, _stat("0640", 0, 44))["errors"] == []


def test_an_explicit_mode_that_would_deny_the_reader_is_refused():
    verdict = env_access.access(ENV, NODE, _stat("0640", 0, 1000, "root", "node"), "0600")
    assert verdict["errors"] == [
        f"librechat_config_env_file_mode=0600 would leave {ENV} unreadable to LibreChat's user node (1000:1000), "
        "the running container's process, which reads it through its group 1000: LibreChat would start without "
        "every secret in it (dotenv skips a file it cannot read). Use 0640, or leave "
        "librechat_config_env_file_mode empty to let the role keep the file readable to that user and no one else"
    ]
    assert env_access.access(ENV, NODE, _stat("0640", 0, 1000), "0640")["errors"] == []
    assert env_access.access(ENV, NODE, _stat("0640", 0, 1000), 0o440)["errors"] == []  # YAML 1.1's integer
    # a symbolic mode: only copy can tell
    assert env_access.access(ENV, NODE, _stat("0640", 0, 1000), "u=rw,g=")["errors"] == []


def test_an_existing_file_the_reader_reads_only_through_the_world_bits_is_refused():
    verdict = env_access.access(ENV, NODE, _stat("0644"))
    assert verdict["errors"] == [
        f"LibreChat reads {ENV} as node (1000:1000), the running container's process, and {ENV} is root:root 0644: "
        "it reads the file today only through the world bits, which the role drops from a file of secrets. "
        "LibreChat's dotenv skips a file it cannot read, and LibreChat would start without every secret in it. "
        f"Give that user's group read access: `chgrp 1000 {ENV} && chmod 0640 {ENV}`, or set "
        "librechat_config_group: 1000 (the role then writes the file with that group, 0640); or, if LibreChat runs "
        "as another user, set librechat_config_env_reader to it"
    ]
    unreadable = env_access.access(ENV, NODE, _stat("0600"))
    assert "root:root 0600: it cannot read the file." in unreadable["errors"][0]


def test_librechat_config_group_of_the_reader_is_the_grant():
    for group in ("1000", 1000):
        verdict = env_access.access(ENV, NODE, _stat("0644"), group=group)
        assert (verdict["mode"], verdict["group"], verdict["errors"]) == ("0640", None, [])
    # by name, when it is the file's group already
    assert env_access.access(ENV, NODE, _stat("0600", 0, 1000, "root", "node"), group="node")["mode"] == "0640"
    other = env_access.access(ENV, NODE, _stat("0644"), group="50")
    assert "(librechat_config_group=50 is not one of its groups)" in other["errors"][0]


def test_a_new_file_is_created_with_the_readers_group():
    verdict = env_access.access(ENV, NODE, NEW)
    assert (verdict["mode"], verdict["group"], verdict["errors"]) == ("0640", "1000", [])
    assert env_access.access(ENV, NODE, NEW, "0640")["group"] == "1000"
    refused = env_access.access(ENV, NODE, NEW, "0600")
    assert refused["errors"] and "Use 0640" in refused["errors"][0]
    # the reader creates it (compose env_file as a user of the docker group): it owns it
    assert env_access.access(ENV, NODE | {"writes": True}, NEW)["mode"] == "0600"
    # the owner given is the reader
    owned = env_access.access(ENV, NODE, NEW, owner="1000")
    assert (owned["mode"], owned["group"]) == ("0600", None)
    grant = env_access.access(ENV, NODE, NEW, group="1000")
    assert (grant["mode"], grant["group"], grant["errors"]) == ("0640", None, [])
    denied = env_access.access(ENV, NODE, NEW, group="50")
    assert denied["errors"][0].startswith(
        f"librechat_config_group=50 is not a group of LibreChat's user node (1000:1000), the running container's "
        f"process, so the new {ENV}"
    )
    assert "Set librechat_config_group: 1000" in denied["errors"][0]


@pytest.mark.parametrize(
    ("stat", "reader"),
    [
        (_stat("0666", 1000, 1000), NODE),
        (_stat("0604", 0, 1000), NODE),
        (_stat("0647", 1000, 0), NODE),
        (NEW, NODE),
        (_stat("0777", 0, 0), None),
        (_stat("0666", 5, 5), ROOT),
    ],
)
def test_a_file_of_secrets_never_stays_world_readable(stat, reader):
    verdict = env_access.access(ENV, reader, stat)
    assert not verdict["errors"] and int(verdict["mode"], 8) & 0o007 == 0


@pytest.mark.parametrize(
    ("uid", "gid", "mode", "how"),
    [
        (1000, 0, "0600", "owner"),
        (1000, 0, "0200", ""),
        (0, 1000, "0640", "group"),
        (0, 44, "0640", "group"),  # a supplementary group
        (0, 1000, "0600", ""),
        (0, 0, "0644", "world"),
        (0, 0, "0640", ""),
        (1000, 1000, "0044", ""),  # the owner's bits decide for the owner, as the kernel checks
    ],
)
def test_readable_as_the_kernel_decides(uid, gid, mode, how):
    assert env_access.readable(NODE | {"groups": [1000, 44]}, uid, gid, mode) == how
    assert env_access.readable(ROOT, uid, gid, mode) == "root"
