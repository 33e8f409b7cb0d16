# Copyright: Contributors to the librechat.bedrock project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The LibreChat guide's "Debugging checklist" and "Verify your configuration", as rows of one report.

Every function takes what the verify role gathered (plain data from the collection's modules) and returns
rows `{check, status, detail}`: status PASS, FAIL or SKIP, and detail says what was seen and what to do."""

import re
from datetime import datetime, timezone

from ansible_collections.librechat.bedrock.plugins.plugin_utils.models import normalize_models
from ansible_collections.librechat.bedrock.plugins.plugin_utils.restart_methods import OBSERVED_METHODS

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
RUN_LIBRECHAT = "run the librechat playbook (librechat.bedrock.librechat) to write it"


def row(check, status, detail):
    return {"check": check, "status": status, "detail": detail}


def _mapped(models):
    return [m["id"] for m in normalize_models(models) if m["env_var"]]


def config_rows(host, info, models, region):
    """Checks 1-3 of the guide's checklist on one LibreChat host, from librechat_config_info."""
    where = f"{host}: "
    if not info.get("config_exists"):
        return [row(where + "librechat.yaml exists", FAIL, f"{info.get('config_path')} is missing: {RUN_LIBRECHAT}")]
    mapped = _mapped(models)
    listed = info.get("models") or []
    keys = list((info.get("inference_profiles") or {}).keys())
    rows = []
    missing = [m for m in mapped if m not in listed]
    rows.append(
        row(
            where + "every mapped model is in models",
            FAIL if missing else PASS,
            f"endpoints.bedrock.models lacks {', '.join(missing)}: {RUN_LIBRECHAT}"
            if missing
            else f"{len(mapped)} mapped of {len(listed)} listed",
        )
    )
    problems = []
    for key in keys:
        if key not in listed:
            near = [m for m in listed if m.lower() == str(key).lower()]
            hint = f" (models has {near[0]}; the match is exact, case included)" if near else ""
            problems.append(f"key {key} is not in models{hint}")
    problems += [f"{m} has no entry, so LibreChat sends the model ID, not the profile" for m in mapped if m not in keys]
    rows.append(
        row(
            where + "inferenceProfiles keys match models exactly",
            FAIL if problems else PASS,
            "; ".join(problems) + f": {RUN_LIBRECHAT}" if problems else f"{len(keys)} keys, all in models",
        )
    )
    unset = info.get("unset_variables") or []
    env_problems = [f"{name} is not set in {info.get('env_path')}" for name in unset]
    if not info.get("endpoints_lists_bedrock", True):
        env_problems.append("ENDPOINTS does not list bedrock, so LibreChat hides the endpoint")
    # LibreChat sends a ${VAR} outside inferenceProfiles values literally; one key of the static pair fails
    # every request (packages/api/src/endpoints/bedrock/initialize.ts, credentials.ts).
    env_problems += list(info.get("literal_variables") or [])
    if info.get("auth") == "unpaired":
        env_problems.append(
            "only one of BEDROCK_AWS_ACCESS_KEY_ID and BEDROCK_AWS_SECRET_ACCESS_KEY is set, so every request fails"
        )
    if region and info.get("region") != region:
        env_problems.append(f"BEDROCK_AWS_DEFAULT_REGION is {info.get('region')!r}, not {region}")
    rows.append(
        row(
            where + "every ${VAR} is set in .env",
            FAIL if env_problems else PASS,
            "; ".join(env_problems) + f": {RUN_LIBRECHAT}"
            if env_problems
            else f"credentials: {info.get('auth')}, region {info.get('region')}",
        )
    )
    if info.get("file_errors"):
        rows.append(row(where + "LibreChat accepts librechat.yaml", FAIL, "; ".join(info["file_errors"])))
    return rows


def profile_rows(host, info, profile_arns):
    """Every ARN LibreChat will send is an application profile that exists ("Profile not found")."""
    resolved = info.get("profile_arns") or {}
    if not resolved:
        return []
    gone = [f"{model} → {arn}" for model, arn in resolved.items() if arn not in profile_arns and "${" not in arn]
    return [
        row(
            f"{host}: every profile ARN exists in AWS",
            FAIL if gone else PASS,
            f"not found: {'; '.join(gone)}: run the profiles playbook (librechat.bedrock.profiles), then the "
            "librechat playbook"
            if gone
            else f"{len(resolved)} profiles found",
        )
    ]


def _started(restart):
    text = str(restart.get("started") or "").strip()
    if text.startswith("@"):  # systemctl --timestamp=unix
        return float(text[1:])
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$", text)
    if not match:
        return None
    stamp = datetime.fromisoformat(match.group(1)).replace(tzinfo=timezone.utc)
    fraction = float("0" + match.group(2)) if match.group(2) else 0.0
    return stamp.timestamp() + fraction


def restart_row(host, info, restart):
    """LibreChat (re)started after its configuration last changed, where the restart method lets us see it."""
    check = f"{host}: LibreChat restarted after the last change"
    method = restart.get("method")
    if method not in OBSERVED_METHODS:
        return row(check, SKIP, f"restart method {method}: the start time of LibreChat is not visible to the role")
    started = _started(restart)
    if started is None:
        return row(check, FAIL, f"could not read when LibreChat started ({restart.get('error') or 'not running'})")
    changed = max([t for t in (info.get("config_mtime"), info.get("env_mtime")) if t] or [0])
    if started + 1 < changed:
        how = restart.get("command") or (
            "docker compose up -d --force-recreate api" if method == "docker_compose" else "systemctl restart"
        )
        return row(check, FAIL, f"started {changed - started:.0f}s before its files last changed: restart it ({how})")
    return row(check, PASS, f"started {started - changed:.0f}s after the last change")


def availability_rows(availability):
    if not availability:
        return [row("every model is AVAILABLE", SKIP, "model availability was not checked (verify_check_access)")]
    rows = []
    for model in availability.get("models") or []:
        problems = "; ".join(model.get("problems") or [])
        rows.append(
            row(
                f"{model['model_id']} is AVAILABLE",
                PASS if model.get("available") else FAIL,
                problems or "agreement, authorization, entitlement and region OK",
            )
        )
    return rows


def invocation_rows(invocations):
    if not invocations:
        return [row("each profile answers a request", SKIP, "set verify_invoke: true (one billed request per profile)")]
    rows = []
    for result in invocations.get("invocations") or []:
        if result.get("skipped"):
            rows.append(row(f"{result['target']} answers", SKIP, "check mode sends no request"))
        elif result.get("ok"):
            rows.append(
                row(f"{result['target']} answers", PASS, f"{result.get('stop_reason')}, {result.get('latency_ms')} ms")
            )
        else:
            hint = ""
            if (
                result.get("error_code") == "AccessDeniedException"
                and "marketplace" in str(result.get("error")).lower()
            ):
                hint = ": the model's access agreement is missing or still propagating; wait a few minutes"
            rows.append(
                row(f"{result['target']} answers", FAIL, f"{result.get('error_code')}: {result.get('error')}{hint}")
            )
    return rows


def _tokens(entry):
    """The token totals of a summary entry, prompt-cache reads and writes included (they are billed too)."""
    parts = [
        f"{entry.get('input_token_count') or 0} in",
        f"{entry.get('output_token_count') or 0} out",
    ]
    cached = [
        f"{entry.get(key) or 0} cache {label}"
        for key, label in (("cache_read_input_token_count", "read"), ("cache_write_input_token_count", "write"))
        if entry.get(key)
    ]
    return ", ".join(parts + cached)


def log_rows(models, profile_arns_by_model, logs, since, invoked=()):
    """The guide's success indicators: records carry the profile ARN in modelId, and where they ran.

    Records reach CloudWatch Logs some time after the request, so the role reads for a while (the module's
    `waited`, `timed_out`, `missing_model_ids`). A profile that verify itself sent a request to (`invoked`, the
    targets that answered) and that still has no record failed: the record never arrived."""
    if logs is None:
        return [row("invocation logs show the profiles", SKIP, "invocation logs were not read (verify_logs)")]
    if logs.get("error"):
        return [row("invocation logs show the profiles", SKIP, logs["error"])]
    summary = logs.get("summary") or {}
    waited = logs.get("waited") or 0
    after = f", after waiting {waited:.0f}s for delivery (verify_invocation_logs_wait)" if logs.get("timed_out") else ""
    rows = []
    for model_id in _mapped(models):
        arn = profile_arns_by_model.get(model_id)
        through = summary.get(arn) if arn else None
        raw = summary.get(model_id)
        check = f"{model_id} requests use its profile"
        if raw:
            rows.append(
                row(
                    check,
                    FAIL,
                    f"{raw['count']} request(s) in the last {since} named the model ID, not the profile: LibreChat "
                    "is not mapping it (inferenceProfiles key and ${VAR}, then restart LibreChat)",
                )
            )
        elif through:
            regions = ", ".join(through.get("inference_regions") or []) or "unknown regions"
            rows.append(
                row(
                    check,
                    PASS,
                    f"{through['count']} request(s) through the profile, served in {regions}; tokens "
                    f"{_tokens(through)}",
                )
            )
        elif arn and arn in invoked:
            rows.append(
                row(
                    check,
                    FAIL,
                    f"verify's request through {arn} answered, but no invocation record arrived{after}: check the "
                    "logging configuration (the logging playbook), or raise verify_invocation_logs_wait",
                )
            )
        else:
            rows.append(
                row(check, SKIP, f"no request in the last {since}{after}: use the model in LibreChat, then verify")
            )
    return rows


def failed(rows):
    return [r for r in rows if r["status"] == FAIL]


def report(hosts, models, region, aws):
    """Every row of the verify role's report: for each LibreChat host (`hosts`: each host's part, as
    librechat_deployment_info's observation returns it: {host, info (librechat_config_info), restart {method,
    command, started, error}, rows}) its librechat.yaml and .env checks, its profile ARNs against the profiles
    that exist, and its restart; then model availability, the test invocations and the invocation log records
    (`aws`: {profile_arns, availability, invocations, logs, log_since}, each None when not gathered); then each
    host's own rows (what LibreChat itself said)."""
    rows = []
    published = {}
    for entry in hosts or []:
        info = entry.get("info") or {}
        rows += config_rows(entry["host"], info, models, region)
        rows += profile_rows(entry["host"], info, aws.get("profile_arns") or [])
        rows.append(restart_row(entry["host"], info, entry.get("restart") or {}))
        for model, arn in (info.get("profile_arns") or {}).items():
            published.setdefault(model, arn)
    rows += availability_rows(aws.get("availability"))
    rows += invocation_rows(aws.get("invocations"))
    answered = [r["target"] for r in (aws.get("invocations") or {}).get("invocations") or [] if r.get("ok")]
    rows += log_rows(models, published, aws.get("logs"), aws.get("log_since"), invoked=answered)
    for entry in hosts or []:
        rows += entry.get("rows") or []
    return rows
