#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: verify_report
version_added: 0.2.0
short_description: The verify role's report, shown as one table, failing when a check failed
description:
  - Builds the rows of the C(librechat.bedrock.verify) role's report from what it gathered, shows them as one
    table (C(check), C(status) V(PASS), V(FAIL) or V(SKIP), C(detail) with the fix), and fails when a row is
    V(FAIL) and O(fail=true), naming the failed checks, with the table in RV(table).
  - "The rows, in order: for each LibreChat host its C(librechat.yaml) and C(.env) checks, its profile ARNs
    against the profiles that exist, and its restart; then each model's availability, the test requests, and the
    invocation log records; then what each host's LibreChat itself said
    (RV(librechat.bedrock.librechat_deployment_info#module:rows))."
  - Runs on the controller only (an action plugin); reads and writes nothing.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
extends_documentation_fragment:
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
attributes:
  action:
    description: Runs as an action plugin on the controller; nothing runs on a host.
    support: full
options:
  hosts:
    description:
      - One entry per LibreChat host, RV(librechat.bedrock.librechat_deployment_info#module:host) of its
        observation, C(host), C(info) (its M(librechat.bedrock.librechat_config_info) result), C(restart)
        (C(method), C(command), C(started), C(error)) and C(rows).
    type: list
    elements: dict
    required: true
  models:
    description: C(librechat_bedrock_models), the models LibreChat lists and which of them have profiles.
    type: list
    elements: raw
    required: true
  region:
    description: C(librechat_bedrock_region), where the profiles are.
    type: str
    required: true
  aws:
    description:
      - What was read from AWS, each key null where it was not read, C(profile_arns) (the application profiles
        that exist), C(availability) (the M(librechat.bedrock.model_availability) result), C(invocations) (the
        M(librechat.bedrock.model_invocation) result), C(logs) (the M(librechat.bedrock.invocation_logs_info)
        result, or C(error)) and C(log_since).
    type: dict
    default: {}
  fail:
    description: Fail when a check failed. V(false) only reports.
    type: bool
    default: true
  return_rows:
    description: Also return the rows as data, RV(rows) (printed with the table).
    type: bool
    default: false
seealso:
  - module: librechat.bedrock.librechat_deployment_info
  - module: librechat.bedrock.librechat_config_info
"""

EXAMPLES = r"""
- name: Show the report, and fail when a check failed
  librechat.bedrock.verify_report:
    hosts: "{{ ansible_play_hosts | map('extract', hostvars, ['observed', 'host']) | list }}"
    models: "{{ librechat_bedrock_models }}"
    region: "{{ librechat_bedrock_region }}"
    aws:
      profile_arns: "{{ profiles.inference_profiles | map(attribute='inference_profile_arn') | list }}"
      availability: "{{ availability }}"
    fail: false
    return_rows: true
  run_once: true
  register: report

- name: Post the failed checks somewhere
  ansible.builtin.debug:
    msg: "{{ report.rows | selectattr('status', 'eq', 'FAIL') | map(attribute='check') | list }}"
  run_once: true
"""

RETURN = r"""
rows:
  description: Every row of the report, C(check), C(status) (V(PASS), V(FAIL) or V(SKIP)) and C(detail).
  returned: when O(return_rows=true)
  type: list
  elements: dict
msg:
  description:
    - The rows as aligned lines, a header and a rule first (a list of lines).
    - When a check failed and O(fail=true), one line naming the failed checks; the lines are then RV(table).
  returned: always
  type: raw
table:
  description: When a check failed and O(fail=true), the rows as aligned lines, as RV(msg) holds them otherwise.
  returned: on a failed check with O(fail=true)
  type: list
  elements: str
"""
