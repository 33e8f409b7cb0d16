# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # LibreChat's two files, as the modules that read or write them on a host take them.
    DOCUMENTATION = r"""
options:
  config_path:
    description: The path of C(librechat.yaml) on the host.
    type: path
    required: true
  env_path:
    description: The path of C(.env) on the host.
    type: path
    required: true
  process_environment:
    description:
      - The variables LibreChat's process already has from its service definition (compose C(environment:),
        systemd C(Environment=)/C(EnvironmentFile=)). C(dotenv) never overrides a variable the process has, so
        the checks judge these values rather than the C(.env) ones, and a Bedrock variable they shadow is
        reported.
      - The librechat_config role reads them from the deployment (C(docker compose config), C(systemctl show)).
    type: dict
    default: {}
  files:
    description:
      - "Both files as they were already read in this run, by path, as entries of
        M(librechat.bedrock.librechat_files_info) (content included; the secret part of
        M(librechat.bedrock.librechat_deployment_info)'s C(environment.files)). When it holds both paths, the host
        is not asked for them again."
    type: dict
    default: {}
"""
