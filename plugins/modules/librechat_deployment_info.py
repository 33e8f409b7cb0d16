#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: librechat_deployment_info
version_added: 0.2.0
short_description: Describe how LibreChat is deployed on a host, as LibreChat itself will see it
description:
  - Reads, in one module run on the host, everything a LibreChat deployment is made of, and describes it.
  - "With O(restart=docker_compose): which compose files LibreChat runs from (the running container's
    C(com.docker.compose.project.config_files) label, else LibreChat's layouts), the configuration
    C(docker compose config) resolves from them (the service's bind mounts, C(env_file), C(environment), image and
    user), and the compose files as written."
  - "With O(restart=systemd): the unit's C(Environment=), C(EnvironmentFile=), C(WorkingDirectory=), C(User=),
    C(Group=), C(SupplementaryGroups=) and C(DynamicUser=) (C(systemctl show)), its environment files, and
    LibreChat's C(package.json)."
  - "Then, on the controller: where LibreChat reads C(librechat.yaml) (C(CONFIG_PATH), a relative one against the
    process's working directory, a URL; in a container, the host file through the bind mounts), the LibreChat
    version (the image tag, or C(package.json)), who reads C(.env) (the user running C(docker compose) with
    C(env_file), the running container's process, the service's or image's user, the unit's C(User=)), the
    Bedrock variables the process environment sets over C(.env), whether Compose and LibreChat's dotenv read the
    Bedrock keys of C(.env) alike, and every problem that would keep LibreChat from reading what the
    M(librechat.bedrock.librechat_config) role writes, each naming its fix."
  - Read-only. Its one side effect is a throwaway C(docker run --rm --network none) container that prints C(id),
    only when a stopped LibreChat container's user is a name that only its image can resolve.
  - "No secret value is returned unless O(process_environment=true): then RV(environment) holds the values of
    the process environment (register the result with C(no_log))."
  - This module is read-only and supports check mode.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
extends_documentation_fragment:
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.action
  - librechat.bedrock.attributes.info_module
options:
  restart:
    description: How LibreChat runs (the M(librechat.bedrock.librechat_config) role's C(librechat_config_restart)).
    type: str
    choices: [docker_compose, systemd, command, none]
    default: docker_compose
  dir:
    description: LibreChat's directory on the host (its C(package.json) without a unit C(WorkingDirectory=)).
    type: path
    default: /opt/librechat
  yaml_path:
    description: The host's C(librechat.yaml) when LibreChat does not run from compose, or compose's
      docker-compose.override.yml would mount it (O(compose_override)).
    type: path
  env_path:
    description: LibreChat's C(.env) on the host.
    type: path
  compose_dir:
    description: The compose project directory. Defaults to O(dir).
    type: path
  compose_service:
    description: The compose service that runs LibreChat.
    type: str
    default: api
  compose_files:
    description:
      - The compose files, as C(docker compose -f) takes them (relative to O(compose_dir)).
      - "Empty: the files the running service container was created from; else C(deploy-compose.yml) when it
        exists and C(docker-compose.yml) does not; else C(docker-compose.yml) plus C(docker-compose.override.yml)
        when present."
    type: list
    elements: str
    default: []
  compose_target:
    description: Where LibreChat reads C(librechat.yaml) in the container without C(CONFIG_PATH).
    type: str
    default: /app/librechat.yaml
  compose_override:
    description: Whether a missing C(librechat.yaml) mount will be added by a C(docker-compose.override.yml) the
      role creates (LibreChat's local C(docker-compose.yml) layout).
    type: bool
    default: false
  container_aws_dir:
    description: Where the AWS SDK of LibreChat's container user reads C(~/.aws), checked with O(auth=profile).
    type: str
    default: /home/node/.aws
  container_path_map:
    description: C(CONFIG_PATH) as LibreChat sees it mapped to the host path, for a LibreChat not run by compose.
    type: dict
    default: {}
  systemd_unit:
    description: The systemd unit that runs LibreChat.
    type: str
    default: librechat
  env_reader:
    description: The user LibreChat reads C(.env) as (a name, or C(uid[:gid])); empty detects it.
    type: str
    default: ""
  owner:
    description: The owner the role gives C(.env), resolved to its ID on the host.
    type: str
    default: ""
  group:
    description: The group the role gives C(.env), resolved to its ID on the host.
    type: str
    default: ""
  auth:
    description: How LibreChat authenticates to Bedrock (C(librechat_config_auth)); V(profile) checks the
      O(container_aws_dir) mount.
    type: str
    default: default_chain
  aws_profile:
    description: The AWS profile named in the O(auth=profile) problem.
    type: str
    default: ""
  region:
    description: The region of the profiles (C(librechat_bedrock_region)).
    type: str
  available_regions:
    description: The regions LibreChat offers (C(librechat_config_available_regions)).
    type: list
    elements: str
    default: []
  strict_regions:
    description: Whether another region in O(available_regions) is a failure (rather than a warning).
    type: bool
    default: false
  variables:
    description: The profile variables the role writes into C(.env), compared with the process environment.
    type: list
    elements: str
    default: []
  process_environment:
    description: Whether to return RV(environment), which holds secret values.
    type: bool
    default: false
  observe:
    description:
      - "Observe LibreChat instead of reading its deployment (after a restart, or to check it runs what it should):
        its own log of its config file (C(docker compose logs) of the service, or the journal of the unit's
        current run), the sha256 of O(container_path) inside the container against O(yaml_path) on the host, when
        it last started, and with compose what its process holds (O(process_script)). One module run on the host,
        returned as RV(observation)."
      - With compose, Compose is asked once for the service's running containers (C(docker compose ps)) and the
        first it lists is read. Its log is read with C(docker logs) (as C(docker compose logs) prints it); then
        C(sha256sum) and the process script run with C(docker exec) (as C(docker compose exec -T) runs them) and
        its start is read with C(docker inspect), the three at once. Without a running container, or when
        C(docker logs) fails (the container replaced since), Compose's own C(logs) and C(exec) run and say why.
      - Give the deployment's O(compose_files) (RV(deployment.compose_files) of a reading).
      - With O(restart=command) or O(restart=none) nothing is read (LibreChat's log is not visible).
    type: bool
    default: false
  container_path:
    description: With O(observe=true), the C(librechat.yaml) LibreChat reads in the container
      (RV(deployment.container_path)); empty compares no checksum.
    type: str
    default: ""
  container:
    description: With O(observe=true) and compose, the service's running container as a reading found it
      (RV(deployment.container)). One C(docker container inspect) tells whether it still runs and carries the
      service's compose label; only where it does not (stopped, removed, recreated) is Compose asked for the
      running one, as without it.
    type: str
    default: ""
  wait:
    description: With O(observe=true), read LibreChat's log again every 2 seconds for up to this many seconds while
      it holds none of LibreChat's config lines (it is starting).
    type: int
    default: 0
  process_script:
    description: With O(observe=true) and compose, a script C(node -e) runs in the container as its user, printing
      one JSON line of what LibreChat's process holds (the verify role's C(librechat_process.js)); empty runs none.
    type: str
    default: ""
  process_variables:
    description: The arguments of O(process_script) (the profile variables to report).
    type: list
    elements: str
    default: []
  deployment:
    description: With O(observe=true), the deployment as a reading described it (RV(deployment)), to judge what
      LibreChat says against, as RV(rows).
    type: dict
  expected:
    description: With O(deployment), what LibreChat's process should hold, C(region), C(auth) (the
      M(librechat.bedrock.librechat_config) role's C(librechat_config_auth)) and C(variables) (each profile variable
      and the ARN it should hold, or null when none is known).
    type: dict
  info:
    description: With O(deployment), the host's M(librechat.bedrock.librechat_config_info) result, returned with
      the observation and RV(rows) as RV(host), this host's part of the verify role's report.
    type: dict
seealso:
  - module: librechat.bedrock.librechat_config
  - module: librechat.bedrock.librechat_config_info
requirements:
  - PyYAML >= 6.0 on the controller, where the action plugin reads the compose files
"""

EXAMPLES = r"""
- name: Describe how LibreChat is deployed
  librechat.bedrock.librechat_deployment_info:
    dir: /opt/librechat
    env_path: /opt/librechat/.env
  register: deployment

- name: Observe LibreChat (its log of its config file, and the file in its container)
  librechat.bedrock.librechat_deployment_info:
    observe: true
    dir: /opt/librechat
    compose_files: "{{ deployment.deployment.compose_files }}"
    container_path: "{{ deployment.deployment.container_path }}"
    yaml_path: "{{ deployment.deployment.yaml_path }}"
  register: observed

- name: Show where LibreChat reads librechat.yaml and what keeps it from reading it
  ansible.builtin.debug:
    msg: "{{ deployment.deployment.yaml_path }}: {{ deployment.deployment.problems }}"
"""

RETURN = r"""
deployment:
  description: The deployment, without any secret value.
  returned: always
  type: dict
  contains:
    method:
      description: O(restart).
      type: str
    service:
      description: O(compose_service).
      type: str
    container_aws_dir:
      description: O(container_aws_dir).
      type: str
    recreate:
      description: With compose, the C(files) the service is recreated from (the deployment's, and the
        C(docker-compose.override.yml) the role adds when RV(deployment.override_would_mount)), and the
        C(command) (an argv) that recreates it so it reads C(.env) again.
      type: dict
    override_path:
      description: The project's C(docker-compose.override.yml).
      type: str
    override_source:
      description: The source of the C(librechat.yaml) mount that file adds (relative to the project when
        O(yaml_path) is in it).
      type: str
    override:
      description: With O(compose_override), whether that file C(exists) and, when LibreChat does not run from
        compose, whether it C(mounted) C(librechat.yaml) at O(compose_target).
      type: dict
    compose_files:
      description: The compose files LibreChat runs from (absolute paths).
      type: list
      elements: str
    compose_ok:
      description: Whether C(docker compose config) succeeded (true without compose).
      type: bool
    container_path:
      description: Where LibreChat reads C(librechat.yaml) inside the container (empty without compose).
      type: str
    container:
      description: With compose, the ID of the service's running container when the deployment was read (empty
        when none ran, or Compose could not list them).
      type: str
    config_path_set:
      description: Whether C(CONFIG_PATH) is set.
      type: bool
    yaml_path:
      description: The host file LibreChat reads as C(librechat.yaml) (empty when none is).
      type: str
    mount_ok:
      description: Whether a bind mount puts a host file at RV(deployment.container_path).
      type: bool
    override_would_mount:
      description: Whether the role's C(docker-compose.override.yml) will add the missing mount.
      type: bool
    env_seen:
      description: Whether C(.env) reaches LibreChat (C(env_file), or mounted at C(/app/.env)).
      type: bool
    aws_mount:
      description: Whether O(container_aws_dir) is mounted (null unless compose and O(auth=profile)).
      type: bool
    image:
      description: The service's image.
      type: str
    version:
      description: The LibreChat version of the image tag or C(package.json) (empty when unknown).
      type: str
    shadowed:
      description: The Bedrock variables the process environment sets to another value than C(.env).
      type: list
      elements: str
    regions:
      description: The profiles' region, O(strict_regions), and the other regions of O(available_regions).
      type: dict
    env_reader:
      description: Who reads C(.env) (uid, gid, groups, name, source, writes), or null when unknown.
      type: dict
    env_reader_note:
      description: Why RV(deployment.env_reader) is unknown, when that needs saying.
      type: str
    env_owner:
      description: The uid of O(owner) (null when unset or unknown).
      type: int
    env_group:
      description: The gid of O(group) (null when unset or unknown).
      type: int
    env_file:
      description: C(.env)'s path, existence, uid, gid, owner, group and mode.
      type: dict
    env_via_env_file:
      description: Whether C(.env) is in the service's C(env_file) (Compose reads it).
      type: bool
    env_readings_differ:
      description: The Bedrock keys Compose reads otherwise than dotenv.
      type: list
      elements: str
    problems:
      description: What keeps LibreChat from reading what the role writes, each with its fix.
      type: list
      elements: str
observation:
  description: With O(observe=true), what LibreChat itself says. No secret (its log is not returned).
  returned: when O(observe=true)
  type: dict
  contains:
    observed:
      description: Whether LibreChat could be observed (O(restart) is V(docker_compose) or V(systemd)).
      type: bool
    log:
      description: What LibreChat's log says of its config file, C(state) (loaded, missing, invalid, unknown) and
        the C(line) it printed.
      type: dict
    container_sha:
      description: The sha256 of O(container_path) in the container (empty when unreadable or not asked).
      type: str
    container_error:
      description: Why the checksum in the container could not be read.
      type: str
    host_sha:
      description: The sha256 of O(yaml_path) on the host (empty when not asked or unreadable).
      type: str
    started:
      description: When LibreChat last started (the container's C(StartedAt), or the unit's
        C(ActiveEnterTimestamp) as C(@<seconds>)).
      type: str
    started_error:
      description: Why its start time could not be read.
      type: str
    restart_command:
      description: How to restart LibreChat, as the report names it.
      type: str
    process:
      description: What its process holds (status, uid, gid, env_file, region, profiles, credentials' method and
        the names set), only the non-secret fields O(process_script) reports.
      type: dict
rows:
  description: With O(observe=true) and O(deployment), this host's rows of the verify role's report (C(check),
    C(status) PASS, FAIL or SKIP, C(detail) with the fix).
  returned: when O(observe=true) and O(deployment) is given
  type: list
  elements: dict
host:
  description: With O(observe=true), O(deployment) and O(info), this host's part of the verify role's report,
    C(host) (the inventory name), C(info) (O(info)), C(restart) (C(method), C(command), C(started), C(error))
    and C(rows) (RV(rows)).
  returned: when O(observe=true), O(deployment) and O(info) are given
  type: dict
environment:
  description: Secret. The process environment LibreChat starts with (C(process)); with C(.env) in the
    service's C(env_file), the environment Compose gives it (C(env_file)); and C(files), C(.env) and, when it is
    the file LibreChat reads, O(yaml_path), as M(librechat.bedrock.librechat_files_info) read them (contents
    included), by path, for M(librechat.bedrock.librechat_config)'s C(files).
  returned: when O(process_environment=true)
  type: dict
"""
