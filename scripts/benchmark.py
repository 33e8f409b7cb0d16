"""Count the AWS calls each module makes per operation, against the local emulator (`make benchmark`).

Every scenario runs one playbook task with ansible-playbook, exactly as a user would, and reads the emulator's
call log: the number of calls per API operation, the writes, and the wall time. Call counts are deterministic;
times are only compared with each other within one run (the machine is shared). Results go to stdout as a
Markdown table; docs/performance.md records them with the targets they are held to.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import boto3
from devtools import LOCAL_PLAYBOOK, CommandFailed, emulator, emulator_env, run

from emulator import Control

PROFILE = {
    "name": "LibreChat-bench",
    "model_source": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
    "tags": {"Application": "LibreChat"},
}


def scenarios(extra_profiles: int):
    logging = {
        "cloudwatch_config": {"log_group_name": "/aws/bedrock/model-invocations", "role_arn": "{{ role_arn }}"},
    }
    return [
        ("inference_profile: create", "inference_profile", PROFILE),
        ("inference_profile: unchanged", "inference_profile", PROFILE),
        ("inference_profile: unchanged, check mode", "inference_profile", PROFILE | {"_check": True}),
        (
            "inference_profile: retag",
            "inference_profile",
            PROFILE | {"tags": {"Application": "LibreChat", "Team": "ai"}},
        ),
        (
            f"inference_profile: unchanged among {extra_profiles} other profiles",
            "inference_profile",
            PROFILE | {"tags": {"Application": "LibreChat", "Team": "ai"}, "_many": True},
        ),
        ("inference_profile: delete", "inference_profile", {"name": PROFILE["name"], "state": "absent"}),
        ("inference_profile_info: every profile", "inference_profile_info", {}),
        (
            "model_availability: 4 seed models",
            "model_availability",
            {
                "models": [
                    "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
                    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                    "global.anthropic.claude-opus-4-5-20251101-v1:0",
                    "us.amazon.nova-pro-v1:0",
                ]
            },
        ),
        ("invocation_logging: configure", "invocation_logging", logging),
        ("invocation_logging: unchanged", "invocation_logging", logging),
        ("invocation_logs_info: last hour", "invocation_logs_info", {}),
    ]


def playbook(module: str, args: dict, check: bool) -> str:
    task = {"name": module, f"librechat.bedrock.{module}": args, "check_mode": check}
    return json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [task]}])


def prepare() -> str:
    """The IAM role and log group logging needs; returns the role ARN."""
    session = boto3.session.Session()
    iam, logs = session.client("iam"), session.client("logs")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="BedrockLoggingRole", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/bedrock/model-invocations:*",
            }
        ],
    }
    iam.put_role_policy(RoleName="BedrockLoggingRole", PolicyName="logs", PolicyDocument=json.dumps(policy))
    logs.create_log_group(logGroupName="/aws/bedrock/model-invocations")
    return role


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=250, help="other application profiles in the account")
    args = parser.parse_args()
    rows = []
    with emulator() as endpoint, tempfile.TemporaryDirectory(prefix="lcb-bench-") as tmp:
        env = emulator_env(endpoint)
        control = Control(endpoint)
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
        role = prepare()
        for label, module, task_args in scenarios(args.profiles):
            task_args = dict(task_args)
            check = task_args.pop("_check", False)
            if task_args.pop("_many", False):
                prepare_many(args.profiles)
            text = playbook(module, task_args, check).replace("{{ role_arn }}", role)
            path = Path(tmp) / "play.json"
            path.write_text(text)
            control.clear_calls()
            started = time.monotonic()
            try:
                run([*LOCAL_PLAYBOOK, path], env=env)
            except CommandFailed as error:
                print(f"benchmark scenario failed: {label}: {error}", file=sys.stderr)
                return 1
            seconds = time.monotonic() - started
            log = control.calls()
            ops = collections.Counter(c["operation"] for c in log["calls"])
            rows.append((label, log["count"], log["writes"], ", ".join(f"{op} {n}" for op, n in ops.items()), seconds))
    print("\n| scenario | calls | writes | calls per operation | seconds |\n| --- | --- | --- | --- | --- |")
    for label, count, writes, ops, seconds in rows:
        print(f"| {label} | {count} | {writes} | {ops} | {seconds:.1f} |")
    return 0


def prepare_many(count: int) -> None:
    """`count` more application profiles in the account, before the one scenario that measures them."""
    bedrock = boto3.session.Session().client("bedrock")
    source = bedrock.get_inference_profile(inferenceProfileIdentifier="us.amazon.nova-pro-v1:0")["inferenceProfileArn"]
    for index in range(count):
        bedrock.create_inference_profile(inferenceProfileName=f"other-{index}", modelSource={"copyFrom": source})


if __name__ == "__main__":
    sys.exit(main())
