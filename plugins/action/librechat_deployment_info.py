# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller side of librechat.bedrock.librechat_deployment_info: everything the deployment is made of read
on the host in one run of librechat.bedrock.librechat_files_info (its `deployment` option), then described here
(plugins/plugin_utils/deployment.py)."""

from ansible.errors import AnsibleActionFail

from ansible_collections.librechat.bedrock.plugins.module_utils.librechat_host import DEPLOYMENT_SPEC
from ansible_collections.librechat.bedrock.plugins.plugin_utils import deployment, deployment_rows
from ansible_collections.librechat.bedrock.plugins.plugin_utils.librechat_action import LibreChatAction
from ansible_collections.librechat.bedrock.plugins.plugin_utils.restart_methods import OBSERVED_METHODS, RESTART_METHODS

ARGUMENT_SPEC = dict(
    restart=dict(type="str", default="docker_compose", choices=list(RESTART_METHODS)),
    dir=dict(type="path", default="/opt/librechat"),
    yaml_path=dict(type="path"),
    env_path=dict(type="path"),
    compose_dir=dict(type="path"),
    compose_service=dict(type="str", default="api"),
    compose_files=dict(type="list", elements="str", default=[]),
    compose_target=dict(type="str", default="/app/librechat.yaml"),
    compose_override=dict(type="bool", default=False),
    container_aws_dir=dict(type="str", default="/home/node/.aws"),
    container_path_map=dict(type="dict", default={}),
    systemd_unit=dict(type="str", default="librechat"),
    env_reader=dict(type="str", default=""),
    owner=dict(type="str", default=""),
    group=dict(type="str", default=""),
    auth=dict(type="str", default="default_chain"),
    aws_profile=dict(type="str", default=""),
    region=dict(type="str"),
    available_regions=dict(type="list", elements="str", default=[]),
    strict_regions=dict(type="bool", default=False),
    variables=dict(type="list", elements="str", default=[]),
    process_environment=dict(type="bool", default=False),
    observe=dict(type="bool", default=False),
    container_path=dict(type="str", default=""),
    container=dict(type="str", default=""),
    wait=dict(type="int", default=0),
    process_script=dict(type="str", default=""),
    process_variables=dict(type="list", elements="str", default=[]),
    deployment=dict(type="dict"),
    expected=dict(type="dict"),
    info=dict(type="dict"),
)


class ActionModule(LibreChatAction):
    TRANSFERS_FILES = False
    argument_spec = ARGUMENT_SPEC

    def _run(self, args, task_vars, result):
        settings = dict(args)
        settings["compose_dir"] = settings["compose_dir"] or settings["dir"]
        settings["env_path"] = settings["env_path"] or f"{settings['dir']}/.env"
        settings["yaml_path"] = settings["yaml_path"] or f"{settings['dir']}/librechat.yaml"
        if args["observe"]:
            return self._observe(settings, task_vars, result)
        raw = self._host(settings, task_vars, observe=False)["deployment"]
        try:
            reading = deployment.read(raw, settings)
        except ValueError as e:
            raise AnsibleActionFail(str(e)) from None
        run_output = ""
        # Only for a stopped container whose user is a name (or a uid without its group): Docker resolves it
        # against the image's own /etc/passwd, as it will when it starts LibreChat. A shell command, not a module.
        if reading["reader"]["run"]:
            done = self._low_level_execute_command(deployment.run_command(reading["reader"]["run"]))
            run_output = f"{done.get('stdout', '')}{done.get('stderr', '')}"
        described, environment = deployment.describe(raw, settings, reading, run_output)
        result.update(changed=False, deployment=described)
        if args["process_environment"]:
            result["environment"] = environment
        return result

    def _observe(self, settings, task_vars, result):
        """What LibreChat itself says now (after a restart): nothing is read where the restart method hides it.
        With the deployment's reading (`deployment`), also this host's rows of the verify role's report."""
        observed = {}
        if settings["restart"] in OBSERVED_METHODS:
            observed = self._host(settings, task_vars, observe=True)["observed"]
        observation = {
            **deployment.observation(observed),
            "observed": bool(observed),
            "restart_command": deployment.restart_command(settings, settings.get("deployment") or {}),
        }
        result.update(changed=False, observation=observation)
        if settings.get("deployment") is not None:
            host = task_vars.get("inventory_hostname")
            result["rows"] = deployment_rows.observed_rows(
                host, settings["deployment"], observation, settings.get("expected")
            )
            if settings.get("info") is not None:
                # this host's whole part of the verify role's report, for its run_once step to gather from every host
                result["host"] = {
                    "host": host,
                    "info": settings["info"],
                    "restart": {
                        "method": settings["restart"],
                        "command": observation["restart_command"],
                        "started": observation["started"],
                        "error": observation["started_error"],
                    },
                    "rows": result["rows"],
                }
        return result

    def _host(self, settings, task_vars, observe):
        """One run of librechat_files_info on the host: the deployment read, or LibreChat observed."""
        done = self._execute_module(
            module_name="librechat.bedrock.librechat_files_info",
            module_args={"deployment": {key: settings[key] for key in DEPLOYMENT_SPEC}, "observe": observe},
            task_vars=task_vars,
        )
        if done.get("failed"):
            what = "observe LibreChat" if observe else "read LibreChat's deployment"
            raise AnsibleActionFail(f"Could not {what}: {done.get('msg')}")
        return done
