"""The Bedrock calls moto lacks: inference profiles and their tags, foundation models, their availability and
agreements, the model invocation logging configuration (validated against moto's IAM, CloudWatch Logs and S3),
and bedrock-runtime's Converse and ConverseStream, which write invocation log records and publish the AWS/Bedrock
runtime metrics (metrics.py) as Bedrock does."""

from __future__ import annotations

import base64
import datetime
import fnmatch
import hashlib
import json
import re
import string
import threading
import uuid
from dataclasses import dataclass, field

from moto.iam.models import iam_backends
from moto.logs.models import logs_backends
from moto.s3.models import s3_backends

from . import metrics
from .api import ApiError, not_found, validation_error
from .catalogue import FOUNDATION_MODELS, SYSTEM_PROFILES, destination_regions, foundation_model_arn, region_set

GOOD_AVAILABILITY = {
    "agreement": "AVAILABLE",
    "authorization": "AUTHORIZED",
    "entitlement": "AVAILABLE",
    "region": "AVAILABLE",
}
AVAILABILITY_VALUES = {
    "agreement": ("AVAILABLE", "PENDING", "NOT_AVAILABLE", "ERROR"),
    "authorization": ("AUTHORIZED", "NOT_AUTHORIZED"),
    "entitlement": ("AVAILABLE", "NOT_AVAILABLE"),
    "region": ("AVAILABLE", "NOT_AVAILABLE"),
}
LOG_STREAM = "aws/bedrock/modelinvocations"
# Converse's metrics.latencyMs and the InvocationLatency metric: a function of the answer, not of the clock
LATENCY_BASE_MS = 40
LATENCY_PER_TOKEN_MS = 2
# The fields of the Anthropic use-case form, as the public examples (Terraform's and Pulumi's
# aws_bedrock_use_case_for_model_access) send them.
USE_CASE_FORM_FIELDS = (
    "companyName",
    "companyWebsite",
    "intendedUsers",
    "industryOption",
    "otherIndustryOption",
    "useCases",
)
SETTLED_USE_CASE_FORM = {
    "companyName": "Emulated account",
    "companyWebsite": "https://example.com",
    "intendedUsers": "0",
    "industryOption": "Technology",
    "otherIndustryOption": "",
    "useCases": "The emulator's settled account: the form was submitted before.",
}
# What Converse answers for an Anthropic model before the account submitted the form (obot-platform/obot#6747).
USE_CASE_MISSING = (
    "Model use case details have not been submitted for this account. Fill out the Anthropic use case details "
    "form before using the model. If you have already filled out the form, try again in 15 minutes."
)
_PROFILE_ARN = re.compile(
    r"^arn:aws:bedrock:(?P<region>[a-z0-9-]*):(?P<account>\d{12}):(?P<kind>application-inference-profile|inference-profile)/(?P<id>.+)$"
)
_FM_ARN = re.compile(r"^arn:aws:bedrock:(?P<region>[a-z0-9-]*)::foundation-model/(?P<id>.+)$")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass
class Settings:
    """The knobs a test turns (see README.md): all off by default, so the emulator answers like a settled AWS."""

    # Counted, never timed, so a test sees the same sequence on a fast machine and a slow one (FIDELITY.md):
    consistency_reads: int = 0  # a new application profile is missing from the first N Get/List that would show it
    iam_propagation_attempts: int = 0  # the first N logging-configuration Puts naming a new IAM role fail
    log_delivery_reads: int = 0  # an invocation record reaches FilterLogEvents only after N reads of its group
    # a new model agreement stays PENDING for the first N GetFoundationModelAvailability calls after its creation
    agreement_propagation_checks: int = 0
    # when true, an account has the Anthropic use-case form only once it has called PutUseCaseForModelAccess;
    # off (the default) every account has submitted it, like a settled AWS account
    use_case_form_required: bool = False
    page_size: int = 100  # list pages are at most this long, whatever maxResults asks
    # whether a second application profile may take a name already taken: "conflict" (ConflictException) or
    # "allow"; AWS does not document which (FIDELITY.md), so the collection must be safe either way
    duplicate_profile_names: str = "conflict"
    application_profile_quota: int = 0  # with N > 0, creating the N+1th profile of a region is refused (quota)

    def update(self, values: dict) -> None:
        for key, value in values.items():
            if key not in self.__dataclass_fields__:
                raise ValueError(f"unknown setting {key!r}; known: {', '.join(self.__dataclass_fields__)}")
            setattr(self, key, type(getattr(self, key))(value))


@dataclass
class Context:
    account: str
    region: str
    request_id: str
    settings: Settings


@dataclass
class AppProfile:
    arn: str
    profile_id: str
    name: str
    description: str | None
    models: list[str]
    created_at: datetime.datetime
    tags: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def view(self) -> dict:
        return {
            "inferenceProfileName": self.name,
            "description": self.description,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
            "inferenceProfileArn": self.arn,
            "models": [{"modelArn": arn} for arn in self.models],
            "inferenceProfileId": self.profile_id,
            "status": "ACTIVE",
            "type": "APPLICATION",
        }


@dataclass
class Agreement:
    offer_token: str
    # GetFoundationModelAvailability calls that saw it since its creation: it is PENDING while this is below
    # the agreement_propagation_checks knob (counted, never timed, so a test runs the same on any machine)
    checks: int = 0


class Bedrock:
    """All of Bedrock's state the emulator keeps, for every account and region."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.profiles: dict[str, AppProfile] = {}
            self.tokens: dict[tuple[str, str, str], tuple[str, str]] = {}
            self.availability: dict[tuple[str, str], dict[str, str]] = {}
            self.agreements: dict[tuple[str, str, str], Agreement] = {}
            self.use_case_forms: dict[str, bytes] = {}  # account -> the form JSON it submitted (account-wide)
            self.logging: dict[tuple[str, str], dict] = {}
            self.invocations = 0
            # eventual consistency: profile ARN -> Get/List answers it was missing from (new profiles only)
            self.hidden_reads: dict[str, int] = {}
            # IAM propagation: (account, role ARN, role creation time) -> Puts that named it
            self.role_puts: dict[tuple[str, str, str], int] = {}
            # asynchronous delivery: records not yet in CloudWatch Logs, with the reads of their group since
            self.pending_records: list[dict] = []
            # prompt caching: the cached prefixes seen, so the second request reads what the first wrote
            self.cache_prefixes: set[tuple[str, str, str, str]] = set()
            # how many profiles of each (account, region, name) were created: the next one's ID depends on it
            self.created: dict[tuple[str, str, str], int] = {}

    # ------------------------------------------------------------------------- lookups
    def _app_profiles(self, ctx: Context, visible_only: bool = True) -> list[AppProfile]:
        prefix = f"arn:aws:bedrock:{ctx.region}:{ctx.account}:application-inference-profile/"
        return [
            p for p in self.profiles.values() if p.arn.startswith(prefix) and (not visible_only or self._visible(p))
        ]

    def _visible(self, profile: AppProfile) -> bool:
        """Eventual consistency, counted: a profile created while consistency_reads is set is missing from the
        first consistency_reads Get/List answers that would have shown it. Each call here is one such answer.
        The knob is read as it is now, so setting it back to 0 settles every profile at once."""
        hidden = self.hidden_reads.get(profile.arn)
        if hidden is None or hidden >= self.settings.consistency_reads:
            return True
        self.hidden_reads[profile.arn] = hidden + 1
        return False

    def _system_profile(self, ctx: Context, identifier: str):
        found = _PROFILE_ARN.match(identifier)
        if found:
            if found["kind"] != "inference-profile" or found["region"] != ctx.region:
                return None
            identifier = found["id"]
        profile = SYSTEM_PROFILES.get(identifier)
        return profile if profile is not None and profile.visible_in(ctx.region) else None

    def _system_view(self, ctx: Context, profile) -> dict:
        return {
            "inferenceProfileName": profile.name,
            "description": profile.description,
            "createdAt": datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc),
            "updatedAt": datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc),
            "inferenceProfileArn": f"arn:aws:bedrock:{ctx.region}:{ctx.account}:inference-profile/{profile.profile_id}",
            "models": [{"modelArn": arn} for arn in profile.model_arns(ctx.region)],
            "inferenceProfileId": profile.profile_id,
            "status": "ACTIVE",
            "type": "SYSTEM_DEFINED",
        }

    def _app_profile(self, ctx: Context, identifier: str, visible_only: bool = True) -> AppProfile | None:
        # Find it first, then ask whether it is visible: a Get hides only the profile it names.
        for profile in self._app_profiles(ctx, visible_only=False):
            if identifier in (profile.arn, profile.profile_id):
                return profile if not visible_only or self._visible(profile) else None
        return None

    def _foundation_model(self, ctx: Context, identifier: str):
        found = _FM_ARN.match(identifier)
        if found:
            if found["region"] != ctx.region:
                return None
            identifier = found["id"]
        model = FOUNDATION_MODELS.get(identifier)
        return model if model is not None and ctx.region in model.regions else None

    # ------------------------------------------------------------------------- inference profiles
    def list_inference_profiles(self, ctx: Context, params: dict) -> dict:
        # Without typeEquals Bedrock answers SYSTEM_DEFINED profiles only (aws/aws-cli#9728, reproduced by AWS):
        # application profiles are listed only when asked for by name.
        wanted = params.get("typeEquals") or "SYSTEM_DEFINED"
        with self.lock:
            items = []
            if wanted == "SYSTEM_DEFINED":
                items += [self._system_view(ctx, p) for p in SYSTEM_PROFILES.values() if p.visible_in(ctx.region)]
            if wanted == "APPLICATION":
                items += [p.view() for p in sorted(self._app_profiles(ctx), key=lambda p: p.created_at)]
        return self._page(items, params, "inferenceProfileSummaries")

    def _page(self, items: list, params: dict, key: str) -> dict:
        size = min(params.get("maxResults") or 1000, self.settings.page_size)
        start = 0
        if params.get("nextToken"):
            try:
                start = int(params["nextToken"].removeprefix("page-"))
            except ValueError as e:
                raise validation_error("Invalid pagination token") from e
        result = {key: items[start : start + size]}
        if start + size < len(items):
            result["nextToken"] = f"page-{start + size}"
        return result

    def get_inference_profile(self, ctx: Context, params: dict) -> dict:
        identifier = params["inferenceProfileIdentifier"]
        with self.lock:
            system = self._system_profile(ctx, identifier)
            if system is not None:
                return self._system_view(ctx, system)
            profile = self._app_profile(ctx, identifier)
            if profile is not None:
                return profile.view()
        raise not_found(f"Inference profile {identifier} not found.")

    def create_inference_profile(self, ctx: Context, params: dict) -> dict:
        source = params["modelSource"].get("copyFrom")
        if not source:
            raise validation_error("modelSource.copyFrom is required")
        tags = _tag_dict(params.get("tags") or [])
        fingerprint = json.dumps(
            [params["inferenceProfileName"], params.get("description"), source, tags], sort_keys=True
        )
        token = params.get("clientRequestToken")
        with self.lock:
            if token:
                # botocore: "if this token matches a previous request, Amazon Bedrock ignores the request". How
                # long AWS remembers a token is undocumented; the emulator takes the strictest reading: for ever
                # (until a reset), so a repeated token gets the original ARN even when that profile was deleted.
                earlier = self.tokens.get((ctx.account, ctx.region, token))
                if earlier is not None:
                    if earlier[1] != fingerprint:
                        raise ApiError(
                            "ConflictException", "The client request token was already used with different parameters."
                        )
                    return {"inferenceProfileArn": earlier[0], "status": "ACTIVE"}
            models = self._models_of_source(ctx, source)
            name = params["inferenceProfileName"]
            held = self._app_profiles(ctx, visible_only=False)
            if self.settings.duplicate_profile_names != "allow" and any(p.name == name for p in held):
                raise ApiError("ConflictException", f"An inference profile named {name} already exists.")
            if 0 < self.settings.application_profile_quota <= len(held):
                raise ApiError(
                    "ServiceQuotaExceededException",
                    "You have reached the maximum number of application inference profiles for this account.",
                )
            key = (ctx.account, ctx.region, name)
            profile_id = _profile_id(*key, self.created.get(key, 0))
            self.created[key] = self.created.get(key, 0) + 1
            now = utcnow()
            profile = AppProfile(
                arn=f"arn:aws:bedrock:{ctx.region}:{ctx.account}:application-inference-profile/{profile_id}",
                profile_id=profile_id,
                name=name,
                description=params.get("description"),
                models=models,
                created_at=now,
                tags=tags,
                source=source,
            )
            self.profiles[profile.arn] = profile
            if self.settings.consistency_reads > 0:
                self.hidden_reads[profile.arn] = 0
            if token:
                self.tokens[(ctx.account, ctx.region, token)] = (profile.arn, fingerprint)
        return {"inferenceProfileArn": profile.arn, "status": "ACTIVE"}

    def _models_of_source(self, ctx: Context, source: str) -> list[str]:
        found = _PROFILE_ARN.match(source)
        if found and found["kind"] == "inference-profile":
            if found["account"] != ctx.account:
                raise not_found(f"The source {source} belongs to another account.")
            system = self._system_profile(ctx, source)
            if system is None:
                raise not_found(f"The inference profile {source} does not exist in {ctx.region}.")
            return [m["modelArn"] for m in self._system_view(ctx, system)["models"]]
        if _FM_ARN.match(source):
            if self._foundation_model(ctx, source) is None:
                raise not_found(f"The foundation model {source} does not exist in {ctx.region}.")
            return [source]
        raise validation_error(
            f"modelSource.copyFrom must be a foundation model or inference profile ARN, got {source}"
        )

    def delete_inference_profile(self, ctx: Context, params: dict) -> dict:
        identifier = params["inferenceProfileIdentifier"]
        with self.lock:
            if self._system_profile(ctx, identifier) is not None:
                raise validation_error("System-defined inference profiles cannot be deleted.")
            profile = self._app_profile(ctx, identifier, visible_only=False)
            if profile is None:
                raise not_found(f"Inference profile {identifier} not found.")
            del self.profiles[profile.arn]
        return {}

    # ------------------------------------------------------------------------- tags
    def _taggable(self, ctx: Context, arn: str) -> AppProfile:
        profile = self.profiles.get(arn)
        if profile is None or not arn.startswith(f"arn:aws:bedrock:{ctx.region}:{ctx.account}:"):
            raise not_found(f"The resource {arn} was not found.")
        return profile

    def tag_resource(self, ctx: Context, params: dict) -> dict:
        with self.lock:
            profile = self._taggable(ctx, params["resourceARN"])
            merged = profile.tags | _tag_dict(params["tags"])
            if len(merged) > 200:
                raise ApiError("TooManyTagsException", f"The resource {profile.arn} would have more than 200 tags.")
            profile.tags = merged
        return {}

    def untag_resource(self, ctx: Context, params: dict) -> dict:
        with self.lock:
            profile = self._taggable(ctx, params["resourceARN"])
            for key in params["tagKeys"]:
                profile.tags.pop(key, None)
        return {}

    def list_tags_for_resource(self, ctx: Context, params: dict) -> dict:
        with self.lock:
            profile = self._taggable(ctx, params["resourceARN"])
            return {"tags": [{"key": k, "value": v} for k, v in profile.tags.items()]}

    # ------------------------------------------------------------------------- foundation models
    def _model_view(self, ctx: Context, model) -> dict:
        return {
            "modelArn": foundation_model_arn(ctx.region, model.model_id),
            "modelId": model.model_id,
            "modelName": model.name,
            "providerName": model.provider,
            "inputModalities": list(model.input_modalities),
            "outputModalities": list(model.output_modalities),
            "responseStreamingSupported": "EMBEDDING" not in model.output_modalities,
            "customizationsSupported": [],
            # Newer models are invoked only through an inference profile: they list no ON_DEMAND.
            "inferenceTypesSupported": ["ON_DEMAND"] if model.on_demand else [],
            "modelLifecycle": {"status": "ACTIVE"},
        }

    def get_foundation_model(self, ctx: Context, params: dict) -> dict:
        model = self._foundation_model(ctx, params["modelIdentifier"])
        if model is None:
            raise not_found(f"The model {params['modelIdentifier']} is not available in {ctx.region}.")
        return {"modelDetails": self._model_view(ctx, model)}

    def list_foundation_models(self, ctx: Context, params: dict) -> dict:
        models = [m for m in FOUNDATION_MODELS.values() if ctx.region in m.regions]
        if params.get("byProvider"):
            models = [m for m in models if m.provider.lower() == params["byProvider"].lower()]
        if params.get("byOutputModality"):
            models = [m for m in models if params["byOutputModality"] in m.output_modalities]
        if params.get("byInferenceType") == "ON_DEMAND":
            models = [m for m in models if m.on_demand]
        return {"modelSummaries": [self._model_view(ctx, m) for m in models]}

    def availability_of(self, ctx: Context, model_id: str, check: bool = False) -> dict[str, str]:
        """The four statuses of one model for the caller's account and region, agreements taken into account.
        `check` counts the call against a new agreement's propagation (GetFoundationModelAvailability does)."""
        model = FOUNDATION_MODELS.get(model_id)
        if model is None:
            raise not_found(f"The model {model_id} does not exist.")
        state = dict(GOOD_AVAILABILITY)
        if ctx.region not in model.regions:
            state["region"] = "NOT_AVAILABLE"
        state |= self.availability.get((ctx.region, model_id), {})
        agreement = self.agreements.get((ctx.account, ctx.region, model_id))
        if agreement is not None and state["agreement"] in ("NOT_AVAILABLE", "PENDING"):
            pending = agreement.checks < self.settings.agreement_propagation_checks
            if check:
                agreement.checks += 1
            state["agreement"] = "PENDING" if pending else "AVAILABLE"
        return state

    def get_foundation_model_availability(self, ctx: Context, params: dict) -> dict:
        with self.lock:
            state = self.availability_of(ctx, params["modelId"], check=True)
        agreement = {"status": state["agreement"]}
        if state["agreement"] == "ERROR":
            agreement["errorMessage"] = "The agreement could not be processed. Contact AWS Support."
        return {
            "modelId": params["modelId"],
            "agreementAvailability": agreement,
            "authorizationStatus": state["authorization"],
            "entitlementAvailability": state["entitlement"],
            "regionAvailability": state["region"],
        }

    def list_foundation_model_agreement_offers(self, ctx: Context, params: dict) -> dict:
        model = FOUNDATION_MODELS.get(params["modelId"])
        if model is None:
            raise not_found(f"The model {params['modelId']} does not exist.")
        offers = []
        if model.offers_agreement:
            offers.append(
                {
                    "offerId": f"offer-{_digest(model.model_id)[:16]}",
                    "offerToken": _offer_token(ctx, model.model_id),
                    "termDetails": {
                        "usageBasedPricingTerm": {
                            "rateCard": [
                                {"dimension": "input tokens", "price": "0.003", "unit": "1K", "currency": "USD"}
                            ]
                        },
                        "legalTerm": {
                            "url": f"https://aws.amazon.com/marketplace/eula/{model.provider.lower().replace(' ', '-')}"
                        },
                        "supportTerm": {"refundPolicyDescription": "No refunds for usage already billed."},
                    },
                }
            )
        return {"modelId": model.model_id, "offers": offers}

    def create_foundation_model_agreement(self, ctx: Context, params: dict) -> dict:
        model_id = params["modelId"]
        model = FOUNDATION_MODELS.get(model_id)
        if model is None:
            raise not_found(f"The model {model_id} does not exist.")
        if not model.offers_agreement or params["offerToken"] != _offer_token(ctx, model_id):
            raise validation_error(f"The offer token is not valid for {model_id}.")
        with self.lock:
            key = (ctx.account, ctx.region, model_id)
            if key in self.agreements:
                raise ApiError("ConflictException", f"An agreement for {model_id} already exists.")
            self.agreements[key] = Agreement(params["offerToken"])
        return {"modelId": model_id}

    # ------------------------------------------------------------------------- Anthropic use-case form
    def _has_use_case_form(self, ctx: Context) -> bool:
        return ctx.account in self.use_case_forms or not self.settings.use_case_form_required

    def get_use_case_for_model_access(self, ctx: Context, params: dict) -> dict:
        with self.lock:
            form = self.use_case_forms.get(ctx.account)
            if form is None and self._has_use_case_form(ctx):
                form = json.dumps(SETTLED_USE_CASE_FORM).encode()
        if form is None:
            # Terraform's acceptance tests skip on exactly this error when no form was submitted
            raise not_found("Use case form not found.")
        # The SDK hands back the form base64-encoded once more (Terraform's provider decodes it again), so the
        # wire carries it base64-encoded twice.
        return {"formData": base64.b64encode(base64.b64encode(form)).decode()}

    def put_use_case_for_model_access(self, ctx: Context, params: dict) -> dict:
        try:
            form = base64.b64decode(params["formData"], validate=True)
        except ValueError as e:
            raise ApiError("SerializationException", "formData is not base64") from e
        if not 10 <= len(form) <= 16384:
            raise validation_error(
                "Value at 'formData' failed to satisfy constraint: Member must have length between 10 and 16384"
            )
        try:
            data = json.loads(form)
        except ValueError:
            data = None
        # AWS answers "Invalid form data." to a form it cannot read; which fields it requires is not public, so
        # the emulator asks for the six the public examples send.
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in USE_CASE_FORM_FIELDS):
            raise validation_error("Invalid form data.")
        with self.lock:
            self.use_case_forms[ctx.account] = form
        return {}

    # ------------------------------------------------------------------------- invocation logging
    def put_model_invocation_logging_configuration(self, ctx: Context, params: dict) -> dict:
        config = params["loggingConfig"]
        if not config.get("cloudWatchConfig") and not config.get("s3Config"):
            raise validation_error("At least one of cloudWatchConfig and s3Config must be given.")
        cloudwatch = config.get("cloudWatchConfig")
        if cloudwatch:
            self._check_cloudwatch(ctx, cloudwatch)
        if config.get("s3Config"):
            self._check_bucket(ctx, config["s3Config"]["bucketName"])
            self._check_bucket_policy(ctx, config["s3Config"])
        with self.lock:
            self.logging[(ctx.account, ctx.region)] = json.loads(json.dumps(config))
        return {}

    def _check_cloudwatch(self, ctx: Context, cloudwatch: dict) -> None:
        group, role_arn = cloudwatch["logGroupName"], cloudwatch["roleArn"]
        failure = validation_error(
            f"Failed to validate permissions for log group: {group}, with role: {role_arn}. "
            "Verify the IAM role permissions are correct."
        )
        if group not in logs_backends[ctx.account][ctx.region].groups:
            raise failure
        try:
            role = iam_backends[ctx.account]["aws"].get_role_by_arn(role_arn)
        except Exception:  # moto's own NotFound: the role does not exist
            raise failure from None
        if not _trusts_bedrock(role.assume_role_policy_document):
            raise failure
        # IAM propagation, counted: the first iam_propagation_attempts Puts that name a role (this incarnation of
        # it: a role deleted and created again propagates again) fail as Bedrock fails them until the role has
        # propagated. Counting attempts, not seconds, gives every machine the same sequence.
        key = (ctx.account, role_arn, str(role.create_date))
        with self.lock:
            attempts = self.role_puts.get(key, 0)
            self.role_puts[key] = attempts + 1
        if attempts < self.settings.iam_propagation_attempts:
            raise failure
        group_arn = f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{group}:log-stream:{LOG_STREAM}"
        documents = _role_documents(role)
        if not all(_allows(documents, action, group_arn) for action in ("logs:CreateLogStream", "logs:PutLogEvents")):
            raise failure
        large = cloudwatch.get("largeDataDeliveryS3Config")
        if large:
            self._check_bucket(ctx, large["bucketName"])
            prefix = large.get("keyPrefix") or ""
            key = f"arn:aws:s3:::{large['bucketName']}/{prefix}AWSLogs/{ctx.account}/BedrockModelInvocationLogs/x"
            if not _allows(documents, "s3:PutObject", key):
                raise validation_error(
                    f"Failed to validate permissions for S3 bucket: {large['bucketName']}, with role: {role_arn}. "
                    "Verify the IAM role permissions are correct."
                )

    @staticmethod
    def _check_bucket(ctx: Context, bucket: str) -> None:
        if bucket not in s3_backends[ctx.account]["aws"].buckets:
            raise validation_error(
                f"Failed to validate permissions for S3 bucket: {bucket}. The bucket does not exist."
            )

    @staticmethod
    def _check_bucket_policy(ctx: Context, s3_config: dict) -> None:
        """An S3 destination needs a bucket policy that lets bedrock.amazonaws.com put the records under
        <prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/ (AWS's invocation-logging guide). That Put checks
        it at once is an assumption (see FIDELITY.md); it keeps a missing policy from passing unseen here."""
        bucket_name, prefix = s3_config["bucketName"], s3_config.get("keyPrefix") or ""
        policy = s3_backends[ctx.account]["aws"].buckets[bucket_name].policy
        tail = f"AWSLogs/{ctx.account}/BedrockModelInvocationLogs/x"
        keys = {f"arn:aws:s3:::{bucket_name}/{prefix}{tail}", f"arn:aws:s3:::{bucket_name}/{prefix.rstrip('/')}/{tail}"}
        statements = [
            st
            for st in _statements(policy.decode() if policy else None)
            if "bedrock.amazonaws.com" in _as_list((st.get("Principal") or {}).get("Service", []))
        ]
        if not any(_allows([{"Statement": statements}], "s3:PutObject", key) for key in keys):
            raise validation_error(
                f"Failed to validate permissions for S3 bucket: {bucket_name}. The bucket policy must allow "
                "bedrock.amazonaws.com s3:PutObject on the log prefix."
            )

    def get_model_invocation_logging_configuration(self, ctx: Context, params: dict) -> dict:
        with self.lock:
            config = self.logging.get((ctx.account, ctx.region))
        # Bedrock answers a deleted configuration with an empty one, and a never-set one with nothing.
        return {} if config is None else {"loggingConfig": config}

    def delete_model_invocation_logging_configuration(self, ctx: Context, params: dict) -> dict:
        with self.lock:
            if (ctx.account, ctx.region) in self.logging:
                self.logging[(ctx.account, ctx.region)] = {}
        return {}

    # ------------------------------------------------------------------------- bedrock-runtime
    def converse(self, ctx: Context, params: dict) -> dict:
        return self._answer(ctx, params, "Converse")

    def converse_stream(self, ctx: Context, params: dict) -> dict:
        """ConverseStream: Converse's answer as an event stream (metrics.converse_stream encodes it)."""
        return {"stream": metrics.converse_stream(self._answer(ctx, params, "ConverseStream"))}

    def _answer(self, ctx: Context, params: dict, operation: str) -> dict:
        """Answer a Converse or ConverseStream request, log it and publish its runtime metrics. A request for a
        model the emulator cannot resolve fails before Bedrock accepts it and publishes nothing; an error after
        that (the use-case form, access denied) counts as an invocation and a client error, as AWS counts them
        (FIDELITY.md, "Runtime metrics")."""
        model_id = params["modelId"]
        with self.lock:
            model_arns = self._invocable(ctx, model_id)
            self.invocations += 1
            chosen = model_arns[self.invocations % len(model_arns)]
            foundation_id = chosen.rsplit("/", 1)[1]
            try:
                self._check_access(ctx, foundation_id)
            except ApiError as error:
                metrics.publish_error(ctx.account, ctx.region, model_id, error.status or 400)
                raise
            config = self.logging.get((ctx.account, ctx.region)) or {}
        inference_region = chosen.split(":")[3]
        prompt = " ".join(
            block.get("text", "") for message in params.get("messages", []) for block in message.get("content", [])
        )
        answer = f"Hello from {FOUNDATION_MODELS[foundation_id].name} in {inference_region}."
        usage = self._usage(ctx, params, prompt, answer)
        # Latency is a function of the answer, never of the clock, so a test can assert the average exactly.
        latency_ms = LATENCY_BASE_MS + LATENCY_PER_TOKEN_MS * usage["outputTokens"]
        output = {
            "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
            "stopReason": "end_turn",
            "usage": usage,
            "metrics": {"latencyMs": latency_ms},
        }
        if config.get("cloudWatchConfig"):
            self._log_invocation(ctx, config, model_id, inference_region, params, output, operation)
        metrics.publish_success(ctx.account, ctx.region, model_id, usage, latency_ms)
        return output

    def _check_access(self, ctx: Context, foundation_id: str) -> None:
        if FOUNDATION_MODELS[foundation_id].provider == "Anthropic" and not self._has_use_case_form(ctx):
            raise not_found(USE_CASE_MISSING)
        state = self.availability_of(ctx, foundation_id)
        if state != GOOD_AVAILABILITY:
            raise ApiError(
                "AccessDeniedException",
                "Model access is denied due to IAM user or service role is not authorized to perform the required "
                "AWS Marketplace actions (aws-marketplace:ViewSubscriptions, aws-marketplace:Subscribe) to enable "
                "access to this model. Refer to the Amazon Bedrock documentation for further details. Your AWS "
                "Marketplace subscription for this model cannot be completed at this time. If you recently fixed "
                "this issue, try again after 15 minutes.",
            )

    def throttled(self, account: str, region: str, raw_path: str) -> None:
        """A bedrock-runtime request was answered with ThrottlingException (the throttle_every knob): count it
        as InvocationThrottles under its model, and as nothing else."""
        metrics.publish_throttle(account, region, raw_path)

    def _usage(self, ctx: Context, params: dict, prompt: str, answer: str) -> dict:
        """Token counts, one per word. Words before a cachePoint block are the cached prefix: written to the
        cache the first time that prefix is seen (cacheWriteInputTokens), read from it afterwards
        (cacheReadInputTokens), and not counted again in inputTokens (as Bedrock reports prompt caching)."""
        cached = []
        for message in params.get("messages", []):
            for index, block in enumerate(message.get("content", [])):
                if "cachePoint" in block:
                    cached = [b.get("text", "") for b in message["content"][:index]]
        cached_words = len(" ".join(cached).split())
        usage = {"inputTokens": max(1, len(prompt.split()) - cached_words), "outputTokens": len(answer.split())}
        if cached_words:
            key = (ctx.account, ctx.region, params["modelId"], _digest(" ".join(cached)))
            with self.lock:
                seen = key in self.cache_prefixes
                self.cache_prefixes.add(key)
            usage["cacheReadInputTokens" if seen else "cacheWriteInputTokens"] = cached_words
        usage["totalTokens"] = (
            usage["inputTokens"]
            + usage["outputTokens"]
            + usage.get("cacheReadInputTokens", 0)
            + usage.get("cacheWriteInputTokens", 0)
        )
        return usage

    def _invocable(self, ctx: Context, model_id: str) -> list[str]:
        """The foundation-model ARNs a request for `model_id` may run on, or the error Bedrock answers."""
        system = self._system_profile(ctx, model_id)
        if system is not None:
            return _routable([m["modelArn"] for m in self._system_view(ctx, system)["models"]])
        profile = self._app_profile(ctx, model_id, visible_only=False)
        if profile is not None:
            return _routable(profile.models)
        model = self._foundation_model(ctx, model_id)
        if model is not None:
            if not model.on_demand:
                raise validation_error(
                    f"Invocation of model ID {model.model_id} with on-demand throughput isn't supported. Retry your "
                    "request with the ID or ARN of an inference profile that contains this model."
                )
            return [foundation_model_arn(ctx.region, model.model_id)]
        if _PROFILE_ARN.match(model_id):
            raise not_found(f"The inference profile {model_id} was not found in {ctx.region}.")
        raise validation_error("The provided model identifier is invalid.")

    def _log_invocation(
        self, ctx: Context, config: dict, model_id: str, inference_region: str, params, output, operation: str
    ) -> None:
        group = config["cloudWatchConfig"]["logGroupName"]
        logs = logs_backends[ctx.account][ctx.region]
        if group not in logs.groups:
            return  # Bedrock drops records it cannot deliver
        record = {
            "schemaType": "ModelInvocationLog",
            "schemaVersion": "1.0",
            "timestamp": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
            "accountId": ctx.account,
            "identity": {"arn": f"arn:aws:iam::{ctx.account}:user/emulated"},
            "region": ctx.region,
            "requestId": ctx.request_id,
            "operation": operation,
            "modelId": model_id,
            "input": {
                "inputContentType": "application/json",
                "inputTokenCount": output["usage"]["inputTokens"],
                # the record counts prompt-cache tokens on the input side, 0 when nothing was cached
                "cacheReadInputTokenCount": output["usage"].get("cacheReadInputTokens", 0),
                "cacheWriteInputTokenCount": output["usage"].get("cacheWriteInputTokens", 0),
            },
            "output": {"outputContentType": "application/json", "outputTokenCount": output["usage"]["outputTokens"]},
            "inferenceRegion": inference_region,
        }
        if config.get("textDataDeliveryEnabled"):
            record["input"]["inputBodyJson"] = {"messages": params.get("messages", [])}
            record["output"]["outputBodyJson"] = {"output": output["output"], "stopReason": output["stopReason"]}
        event = {"timestamp": int(utcnow().timestamp() * 1000), "message": json.dumps(record)}
        with self.lock:
            if self.settings.log_delivery_reads > 0:
                # Delivery is asynchronous: the record waits until its group has been read log_delivery_reads times.
                self.pending_records.append(
                    {"account": ctx.account, "region": ctx.region, "group": group, "event": event, "reads": 0}
                )
                return
        _deliver(ctx.account, ctx.region, group, event)

    def read_log_group(self, account: str, region: str, group: str) -> None:
        """A FilterLogEvents/GetLogEvents read of `group` is about to be answered: deliver the records that have
        waited log_delivery_reads reads (the knob as it is now, so setting it to 0 delivers everything), and
        count this read for the others."""
        with self.lock:
            due, waiting = [], []
            for pending in self.pending_records:
                if (pending["account"], pending["region"], pending["group"]) != (account, region, group):
                    waiting.append(pending)
                elif pending["reads"] >= self.settings.log_delivery_reads:
                    due.append(pending)
                else:
                    pending["reads"] += 1
                    waiting.append(pending)
            self.pending_records = waiting
        for pending in due:
            _deliver(account, region, group, pending["event"])

    # ------------------------------------------------------------------------- control
    def set_availability(self, region: str, model_id: str, values: dict) -> dict:
        if model_id not in FOUNDATION_MODELS:
            raise ValueError(f"unknown foundation model {model_id!r}")
        if region not in region_set():
            raise ValueError(f"unknown region {region!r}")
        for key, value in values.items():
            if key not in AVAILABILITY_VALUES:
                raise ValueError(f"unknown availability field {key!r}; known: {', '.join(AVAILABILITY_VALUES)}")
            if value not in AVAILABILITY_VALUES[key]:
                raise ValueError(f"{key} must be one of {', '.join(AVAILABILITY_VALUES[key])}, got {value!r}")
        with self.lock:
            self.availability[(region, model_id)] = self.availability.get((region, model_id), {}) | values
            return dict(self.availability[(region, model_id)])

    def snapshot(self) -> dict:
        """Everything held, for tests to assert on independently of the API."""
        with self.lock:
            return {
                "application_inference_profiles": [
                    p.view()
                    | {"tags": dict(p.tags), "copyFrom": p.source, "createdAt": p.created_at.isoformat()}
                    | {"updatedAt": p.created_at.isoformat()}
                    # how many Get/List answers eventual consistency hid it from (consistency_reads)
                    | {"hiddenReads": self.hidden_reads.get(p.arn, 0)}
                    for p in self.profiles.values()
                ],
                "pending_invocation_records": len(self.pending_records),
                "agreements": [{"account": a, "region": r, "modelId": m} for (a, r, m) in self.agreements],
                "use_case_forms": [{"account": a, "formData": json.loads(f)} for a, f in self.use_case_forms.items()],
                "logging": [{"account": a, "region": r, "loggingConfig": c} for (a, r), c in self.logging.items()],
            }


HANDLERS = {
    "bedrock": {
        "ListInferenceProfiles": Bedrock.list_inference_profiles,
        "GetInferenceProfile": Bedrock.get_inference_profile,
        "CreateInferenceProfile": Bedrock.create_inference_profile,
        "DeleteInferenceProfile": Bedrock.delete_inference_profile,
        "TagResource": Bedrock.tag_resource,
        "UntagResource": Bedrock.untag_resource,
        "ListTagsForResource": Bedrock.list_tags_for_resource,
        "GetFoundationModel": Bedrock.get_foundation_model,
        "ListFoundationModels": Bedrock.list_foundation_models,
        "GetFoundationModelAvailability": Bedrock.get_foundation_model_availability,
        "ListFoundationModelAgreementOffers": Bedrock.list_foundation_model_agreement_offers,
        "CreateFoundationModelAgreement": Bedrock.create_foundation_model_agreement,
        "GetUseCaseForModelAccess": Bedrock.get_use_case_for_model_access,
        "PutUseCaseForModelAccess": Bedrock.put_use_case_for_model_access,
        "PutModelInvocationLoggingConfiguration": Bedrock.put_model_invocation_logging_configuration,
        "GetModelInvocationLoggingConfiguration": Bedrock.get_model_invocation_logging_configuration,
        "DeleteModelInvocationLoggingConfiguration": Bedrock.delete_model_invocation_logging_configuration,
    },
    "bedrock-runtime": {"Converse": Bedrock.converse, "ConverseStream": Bedrock.converse_stream},
}


# ----------------------------------------------------------------------------- helpers
def _routable(model_arns: list[str]) -> list[str]:
    """Regional ARNs a request may run on: a global profile's region-less ARN stands for every global region."""
    found = [foundation_model_arn(r, arn.rsplit("/", 1)[1]) for arn in model_arns for r in destination_regions(arn)]
    return list(dict.fromkeys(found))


def _deliver(account: str, region: str, group: str, event: dict) -> None:
    logs = logs_backends[account][region]
    if group not in logs.groups:
        return  # Bedrock drops records it cannot deliver
    logs.ensure_log_stream(group, LOG_STREAM)
    logs.put_log_events(group, LOG_STREAM, [event])


def _profile_id(account: str, region: str, name: str, generation: int) -> str:
    """12 characters as AWS gives them, but repeatable: a fresh emulator given the same requests hands out the
    same ARNs (so the demo can run again without changing LibreChat's files), while a profile created again
    under a deleted one's name gets a new ID, as on AWS."""
    number = int(_digest(f"{account}/{region}/{name}/{generation}"), 16)
    alphabet = string.ascii_lowercase + string.digits
    return "".join(alphabet[(number >> (6 * i)) % len(alphabet)] for i in range(12))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _offer_token(ctx: Context, model_id: str) -> str:
    return "offer-token-" + _digest(f"{ctx.account}/{ctx.region}/{model_id}")[:48]


def _tag_dict(tags: list[dict]) -> dict[str, str]:
    return {t["key"]: t["value"] for t in tags}


def _statements(document) -> list[dict]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    found = (document or {}).get("Statement", [])
    return [found] if isinstance(found, dict) else list(found)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _trusts_bedrock(document) -> bool:
    for statement in _statements(document):
        if statement.get("Effect") != "Allow":
            continue
        services = _as_list((statement.get("Principal") or {}).get("Service", []))
        actions = _as_list(statement.get("Action", []))
        if "bedrock.amazonaws.com" in services and any(fnmatch.fnmatch("sts:AssumeRole", a) for a in actions):
            return True
    return False


def _role_documents(role) -> list:
    documents = list(role.policies.values())
    for policy in role.managed_policies.values():
        documents += [v.document for v in getattr(policy, "versions", []) if getattr(v, "is_default", False)]
    return documents


def _allows(documents: list, action: str, resource: str) -> bool:
    """Whether an Allow statement grants `action` on `resource` (wildcards as IAM matches them; no Deny here)."""
    for document in documents:
        for statement in _statements(document):
            if statement.get("Effect") != "Allow":
                continue
            actions = [a.lower() for a in _as_list(statement.get("Action", []))]
            resources = _as_list(statement.get("Resource", []))
            if any(fnmatch.fnmatchcase(action.lower(), a) for a in actions) and any(
                fnmatch.fnmatchcase(resource, r) for r in resources
            ):
                return True
    return False


def request_id() -> str:
    return str(uuid.uuid4())
