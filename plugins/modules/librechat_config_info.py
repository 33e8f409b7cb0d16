#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: librechat_config_info
version_added: 0.1.0
short_description: Report what LibreChat will do with Bedrock, from its librechat.yaml and .env
description:
  - Reads C(librechat.yaml) and C(.env) on the host and reports the C(endpoints.bedrock) section, the profile
    ARN each mapped model resolves to, the C(${VAR}) references C(.env) leaves unset, the credentials LibreChat
    will pick (by its order of precedence), and every problem the M(librechat.bedrock.librechat_config) checks find.
  - "Runs on the controller (an action plugin), reading both files in one run of
    M(librechat.bedrock.librechat_files_info); the host needs nothing but Python. No secret value is returned:
    only variable names, the region and profile ARNs."
  - This module is read-only and supports check mode.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
extends_documentation_fragment:
  - librechat.bedrock.librechat_files
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.action
  - librechat.bedrock.attributes.info_module
options:
  region:
    description: The region every profile ARN should be in (C(librechat_bedrock_region)).
    type: str
  librechat_version:
    description: The LibreChat release that reads the files (V(v0.8.6)); empty assumes the current one. Before
      v0.8.6, C(${VAR}) in C(guardrailConfig) is reported as sent literally.
    type: str
seealso:
  - module: librechat.bedrock.librechat_config
requirements:
  - PyYAML >= 6.0 on the controller, where the action plugin reads and writes the files
"""

EXAMPLES = r"""
- name: Read what LibreChat will do with Bedrock
  librechat.bedrock.librechat_config_info:
    config_path: /opt/librechat/librechat.yaml
    env_path: /opt/librechat/.env
    region: us-east-1
  register: librechat

- name: Fail when a model's profile reference is not set
  ansible.builtin.assert:
    that: librechat.unset_variables | length == 0
    fail_msg: "Set {{ librechat.unset_variables | join(', ') }} in .env"
"""

RETURN = r"""
config_exists:
  description: Whether C(librechat.yaml) exists.
  returned: always
  type: bool
env_exists:
  description: Whether C(.env) exists.
  returned: always
  type: bool
config_mtime:
  description: When C(librechat.yaml) last changed (seconds since the epoch); null when it does not exist.
  returned: always
  type: float
env_mtime:
  description: When C(.env) last changed (seconds since the epoch); null when it does not exist.
  returned: always
  type: float
bedrock:
  description: The C(endpoints.bedrock) section as the file has it (empty when there is none).
  returned: always
  type: dict
models:
  description: C(endpoints.bedrock.models).
  returned: always
  type: list
  elements: str
inference_profiles:
  description: C(endpoints.bedrock.inferenceProfiles), as written (with C(${VAR}) references).
  returned: always
  type: dict
profile_arns:
  description: Each C(inferenceProfiles) key and the value LibreChat will send, its C(${VAR}) resolved from C(.env)
    (left as written when unset).
  returned: always
  type: dict
unset_variables:
  description: The C(${VAR}) names C(inferenceProfiles) uses that C(.env) does not set.
  returned: always
  type: list
  elements: str
region:
  description: C(BEDROCK_AWS_DEFAULT_REGION) from C(.env).
  returned: always
  type: str
auth:
  description: The credentials LibreChat will use, by its precedence (V(unpaired) is one key of the static pair
    without the other, which fails every request).
  returned: always
  type: str
  choices: [user_provided, bearer, unpaired, static, profile, default_chain]
endpoints_lists_bedrock:
  description: Whether C(ENDPOINTS) is unset, empty (every endpoint) or lists C(bedrock) (otherwise LibreChat
    hides the endpoint).
  returned: always
  type: bool
literal_variables:
  description: The C(${VAR}) references of C(endpoints.bedrock) that LibreChat sends literally (outside
    C(inferenceProfiles) values and, from v0.8.6, C(guardrailConfig)'s identifier and version).
  returned: always
  type: list
  elements: str
file_errors:
  description: Why LibreChat would not use C(librechat.yaml), judged as LibreChat does (js-yaml, then
    C(configSchema.strict())); a YAML error makes it start without the file, a schema error makes it exit.
  returned: always
  type: list
  elements: str
errors:
  description: What LibreChat would reject or misread (RV(file_errors) and the mapping checks), each naming the
    key, the value and the fix.
  returned: always
  type: list
  elements: str
warnings:
  description: What LibreChat accepts but probably does not do what was meant.
  returned: always
  type: list
  elements: str
"""
