#!/usr/bin/python

# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: model_invocation
version_added: 0.1.0
short_description: Send one short Converse request to each Bedrock model or inference profile and report the answer
description:
  - Proves that the credentials in use can invoke each target, the way LibreChat does (C(bedrock-runtime)
    Converse), and reports per target whether it answered, the error Bedrock gave otherwise, the stop reason,
    tokens and latency.
  - Each request is billed like any other. In check mode no request is sent and every target is reported as
    skipped.
  - A target that gives no answer at all (a timeout, no connection to the endpoint) is reported like one that
    answers with an error, and the other targets are still tried.
  - This module changes nothing in AWS.
author:
  - librechat.bedrock maintainers (@librechat-bedrock)
options:
  targets:
    description:
      - Model IDs, inference profile IDs or ARNs (application inference profile ARNs included) to invoke.
    type: list
    elements: str
    required: true
  prompt:
    description: The user message sent.
    type: str
    default: Reply with the single word OK.
  max_tokens:
    description: The most output tokens each answer may use (keeps the cost of a check to a few tokens).
    type: int
    default: 16
  fail_on_error:
    description: Fail when a target does not answer, rather than only reporting it in RV(invocations).
    type: bool
    default: false
extends_documentation_fragment:
  - librechat.bedrock.aws
  - librechat.bedrock.attributes
  - librechat.bedrock.attributes.info_module
attributes:
  check_mode:
    support: partial
    details:
      - No request is sent; every target is reported as skipped.
  idempotent:
    details:
      - This action does not modify state; each run sends (and is billed for) its requests again.
seealso:
  - module: librechat.bedrock.inference_profile_info
  - module: librechat.bedrock.invocation_logs_info
requirements:
  - boto3 >= 1.38.43
  - botocore >= 1.38.43
"""

EXAMPLES = r"""
- name: Check that LibreChat's profile answers with the credentials LibreChat uses
  librechat.bedrock.model_invocation:
    region: us-east-1
    targets:
      - arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcd1234efgh
    fail_on_error: true
"""

RETURN = r"""
invocations:
  description: One entry per target, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    target:
      description: The target as given.
      type: str
    ok:
      description: Whether the target answered.
      type: bool
    skipped:
      description: Whether no request was sent (check mode).
      type: bool
    answer:
      description: The text of the answer.
      type: str
      returned: when ok
    stop_reason:
      description: Why the answer stopped, as Bedrock says (C(end_turn), C(max_tokens), ...).
      type: str
      returned: when ok
    input_tokens:
      description: Input tokens billed.
      type: int
      returned: when ok
    output_tokens:
      description: Output tokens billed.
      type: int
      returned: when ok
    latency_ms:
      description: The latency Bedrock reports.
      type: int
      returned: when ok
    error_code:
      description: The error code Bedrock answered with, such as C(AccessDeniedException); when no answer came,
        the botocore error's name, such as C(ReadTimeoutError), C(EndpointConnectionError) or C(NoCredentialsError).
      type: str
      returned: when not ok and not skipped
    error:
      description: Bedrock's error message, or botocore's when no answer came.
      type: str
      returned: when not ok and not skipped
failed_targets:
  description: The targets that did not answer.
  returned: always
  type: list
  elements: str
  sample: []
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    # AnsibleAWSModule fails early when botocore is missing; these only keep the module importable.
    class ClientError(Exception):
        pass

    class BotoCoreError(Exception):
        pass


from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.librechat.bedrock.plugins.module_utils.bedrock import bedrock_client


def invoke(client, target, prompt, max_tokens):
    try:
        response = client.converse(
            modelId=target,
            messages=[{"role": "user", "content": [{"text": prompt}]}],
            inferenceConfig={"maxTokens": max_tokens},
            aws_retry=True,
        )
    except ClientError as e:
        error = e.response.get("Error", {})
        return {
            "target": target,
            "ok": False,
            "skipped": False,
            "error_code": error.get("Code"),
            "error": error.get("Message"),
        }
    except BotoCoreError as e:
        # No answer at all (a read timeout, no connection to the endpoint, no credentials): this target's
        # result says so, and the other targets are still tried, instead of a traceback that hides them.
        return {
            "target": target,
            "ok": False,
            "skipped": False,
            "error_code": type(e).__name__,
            "error": str(e),
        }
    content = response.get("output", {}).get("message", {}).get("content", [])
    usage = response.get("usage", {})
    return {
        "target": target,
        "ok": True,
        "skipped": False,
        "answer": "".join(block.get("text", "") for block in content),
        "stop_reason": response.get("stopReason"),
        "input_tokens": usage.get("inputTokens"),
        "output_tokens": usage.get("outputTokens"),
        "latency_ms": response.get("metrics", {}).get("latencyMs"),
    }


def main():
    argument_spec = dict(
        targets=dict(type="list", elements="str", required=True),
        prompt=dict(type="str", default="Reply with the single word OK."),
        max_tokens=dict(type="int", default=16, no_log=False),
        fail_on_error=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    empty = [i for i, t in enumerate(params["targets"]) if not (t or "").strip()]
    if not params["targets"] or empty:
        module.fail_json(msg=f"targets must be a non-empty list of model IDs or profile ARNs; empty entries at {empty}")
    if params["max_tokens"] < 1:
        module.fail_json(msg=f"max_tokens={params['max_tokens']} must be 1 or more")
    if module.check_mode:
        module.exit_json(
            changed=False,
            failed_targets=[],
            invocations=[{"target": t, "ok": False, "skipped": True} for t in params["targets"]],
        )
    client = bedrock_client(module, "bedrock-runtime")
    results = [invoke(client, target, params["prompt"], params["max_tokens"]) for target in params["targets"]]
    failed = [r["target"] for r in results if not r["ok"]]
    outcome = dict(changed=False, invocations=results, failed_targets=failed)
    if failed and params["fail_on_error"]:
        details = "; ".join(f"{r['target']}: {r['error_code']}: {r['error']}" for r in results if not r["ok"])
        module.fail_json(msg=f"{len(failed)} of {len(results)} targets did not answer: {details}", **outcome)
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
