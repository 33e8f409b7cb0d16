"""What Bedrock offers: foundation models, the regions that serve them, and the SYSTEM_DEFINED (cross-region)
inference profiles that route to them. Shaped after Bedrock's real catalogue; small enough to read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# Where each geography's cross-region profiles may run a request.
GEOGRAPHIES = {
    "us": ("us-east-1", "us-east-2", "us-west-2"),
    "eu": ("eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1"),
    "apac": ("ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2"),
}
# A global profile may run a request in any commercial region; the catalogue lists these.
GLOBAL_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "ap-northeast-1")
GEO_LABELS = {"us": "US", "eu": "EU", "apac": "APAC", "global": "Global"}
RELEASED = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


@dataclass(frozen=True)
class FoundationModel:
    model_id: str
    provider: str
    name: str
    profiles: tuple[str, ...]  # geographies with a SYSTEM_DEFINED profile: "us", "eu", "apac", "global"
    on_demand: bool = False  # invocable by its model ID; the newer models only through an inference profile
    input_modalities: tuple[str, ...] = ("TEXT",)
    output_modalities: tuple[str, ...] = ("TEXT",)
    offers_agreement: bool = True  # sold through AWS Marketplace: has an agreement offer to accept

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions that serve the model: those its profiles route to, plus the on-demand home regions."""
        found: list[str] = ["us-east-1", "us-west-2"] if self.on_demand else []
        for geo in self.profiles:
            found += GLOBAL_REGIONS if geo == "global" else GEOGRAPHIES[geo]
        return tuple(dict.fromkeys(found))


_TEXT_IMAGE = ("TEXT", "IMAGE")

FOUNDATION_MODELS = {
    m.model_id: m
    for m in (
        FoundationModel(
            "anthropic.claude-3-haiku-20240307-v1:0",
            "Anthropic",
            "Claude 3 Haiku",
            ("us", "eu", "apac"),
            True,
            _TEXT_IMAGE,
        ),
        FoundationModel("anthropic.claude-3-5-haiku-20241022-v1:0", "Anthropic", "Claude 3.5 Haiku", ("us",)),
        FoundationModel(
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "Anthropic",
            "Claude 3.5 Sonnet",
            ("us", "eu", "apac"),
            True,
            _TEXT_IMAGE,
        ),
        FoundationModel(
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
            "Anthropic",
            "Claude 3.5 Sonnet v2",
            ("us", "apac"),
            False,
            _TEXT_IMAGE,
        ),
        FoundationModel(
            "anthropic.claude-3-7-sonnet-20250219-v1:0",
            "Anthropic",
            "Claude 3.7 Sonnet",
            ("us", "eu", "apac"),
            False,
            _TEXT_IMAGE,
        ),
        FoundationModel(
            "anthropic.claude-sonnet-4-20250514-v1:0",
            "Anthropic",
            "Claude Sonnet 4",
            ("us", "eu", "apac", "global"),
            False,
            _TEXT_IMAGE,
        ),
        FoundationModel(
            "anthropic.claude-opus-4-20250514-v1:0", "Anthropic", "Claude Opus 4", ("us",), False, _TEXT_IMAGE
        ),
        FoundationModel(
            "anthropic.claude-opus-4-1-20250805-v1:0", "Anthropic", "Claude Opus 4.1", ("us",), False, _TEXT_IMAGE
        ),
        FoundationModel(
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Anthropic",
            "Claude Sonnet 4.5",
            ("us", "eu", "apac", "global"),
            False,
            _TEXT_IMAGE,
        ),
        FoundationModel(
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            "Anthropic",
            "Claude Haiku 4.5",
            ("us", "eu", "apac", "global"),
            False,
            _TEXT_IMAGE,
        ),
        FoundationModel(
            "anthropic.claude-opus-4-5-20251101-v1:0",
            "Anthropic",
            "Claude Opus 4.5",
            ("us", "eu", "global"),
            False,
            _TEXT_IMAGE,
        ),
        FoundationModel(
            "amazon.nova-micro-v1:0", "Amazon", "Nova Micro", ("us", "eu", "apac"), True, offers_agreement=False
        ),
        FoundationModel(
            "amazon.nova-lite-v1:0",
            "Amazon",
            "Nova Lite",
            ("us", "eu", "apac"),
            True,
            _TEXT_IMAGE,
            offers_agreement=False,
        ),
        FoundationModel(
            "amazon.nova-pro-v1:0",
            "Amazon",
            "Nova Pro",
            ("us", "eu", "apac"),
            True,
            _TEXT_IMAGE,
            offers_agreement=False,
        ),
        FoundationModel(
            "amazon.nova-premier-v1:0", "Amazon", "Nova Premier", ("us",), False, _TEXT_IMAGE, offers_agreement=False
        ),
        FoundationModel(
            "amazon.titan-embed-text-v2:0",
            "Amazon",
            "Titan Text Embed V2",
            (),
            True,
            ("TEXT",),
            ("EMBEDDING",),
            offers_agreement=False,
        ),
        FoundationModel("meta.llama3-1-8b-instruct-v1:0", "Meta", "Llama 3.1 8B", ("us",)),
        FoundationModel("meta.llama3-1-70b-instruct-v1:0", "Meta", "Llama 3.1 70B", ("us",)),
        FoundationModel("meta.llama3-2-1b-instruct-v1:0", "Meta", "Llama 3.2 1B", ("us", "eu")),
        FoundationModel("meta.llama3-2-3b-instruct-v1:0", "Meta", "Llama 3.2 3B", ("us", "eu")),
        FoundationModel("meta.llama3-2-11b-instruct-v1:0", "Meta", "Llama 3.2 11B", ("us",), False, _TEXT_IMAGE),
        FoundationModel("meta.llama3-2-90b-instruct-v1:0", "Meta", "Llama 3.2 90B", ("us",), False, _TEXT_IMAGE),
        FoundationModel("meta.llama3-3-70b-instruct-v1:0", "Meta", "Llama 3.3 70B", ("us",)),
        FoundationModel(
            "meta.llama4-scout-17b-instruct-v1:0", "Meta", "Llama 4 Scout 17B", ("us",), False, _TEXT_IMAGE
        ),
        FoundationModel(
            "meta.llama4-maverick-17b-instruct-v1:0", "Meta", "Llama 4 Maverick 17B", ("us",), False, _TEXT_IMAGE
        ),
        FoundationModel(
            "mistral.pixtral-large-2502-v1:0", "Mistral AI", "Pixtral Large", ("us", "eu"), False, _TEXT_IMAGE
        ),
        FoundationModel("mistral.mistral-large-2402-v1:0", "Mistral AI", "Mistral Large", (), True),
        FoundationModel("deepseek.r1-v1:0", "DeepSeek", "DeepSeek-R1", ("us",)),
        FoundationModel("writer.palmyra-x5-v1:0", "Writer", "Palmyra X5", ("us",)),
        FoundationModel("cohere.command-r-plus-v1:0", "Cohere", "Command R+", (), True),
    )
}


@dataclass(frozen=True)
class SystemProfile:
    profile_id: str  # e.g. us.anthropic.claude-3-7-sonnet-20250219-v1:0
    geography: str
    model: FoundationModel

    @property
    def name(self) -> str:
        # AWS names these "US Anthropic Claude 3.7 Sonnet", which breaks its own model's pattern for
        # inferenceProfileName; the emulator answers within the model.
        return f"{GEO_LABELS[self.geography]} {self.model.provider} {self.model.name}".replace(".", "-")

    @property
    def regions(self) -> tuple[str, ...]:
        return GLOBAL_REGIONS if self.geography == "global" else GEOGRAPHIES[self.geography]

    @property
    def description(self) -> str:
        return f"Routes requests to {self.model.provider} {self.model.name} in {' and '.join(self.regions)}."

    def model_arns(self, source_region: str) -> list[str]:
        """The `models` GetInferenceProfile lists when called in `source_region`. A geography's profile lists a
        regional foundation-model ARN per destination region (the source first). A global profile lists the
        source region's ARN and the region-less arn:aws:bedrock:::foundation-model/<id>, which stands for "any
        commercial region" (the ARN AWS's IAM examples for global inference grant under aws:RequestedRegion
        "unspecified"; FIDELITY.md)."""
        model_id = self.model.model_id
        if self.geography == "global":
            return [foundation_model_arn(source_region, model_id), foundation_model_arn("", model_id)]
        regions = self.regions
        ordered = (
            [source_region, *(r for r in regions if r != source_region)] if source_region in regions else list(regions)
        )
        return [foundation_model_arn(r, model_id) for r in ordered[:5]]

    def visible_in(self, region: str) -> bool:
        """A geography's profiles are offered in its own regions; global profiles wherever the catalogue runs."""
        return region in self.regions or (self.geography == "global" and region in region_set())


SYSTEM_PROFILES = {
    f"{geo}.{m.model_id}": SystemProfile(f"{geo}.{m.model_id}", geo, m)
    for m in FOUNDATION_MODELS.values()
    for geo in m.profiles
}


def region_set() -> set[str]:
    return {r for regions in GEOGRAPHIES.values() for r in regions} | set(GLOBAL_REGIONS)


def foundation_model_arn(region: str, model_id: str) -> str:
    """A foundation model's ARN; region "" gives the region-less ARN a global profile lists."""
    return f"arn:aws:bedrock:{region}::foundation-model/{model_id}"


def destination_regions(model_arn: str) -> tuple[str, ...]:
    """Where a request routed to this foundation-model ARN may run: its region, or for the region-less ARN of a
    global profile any region of the global catalogue."""
    region = model_arn.split(":")[3]
    return (region,) if region else GLOBAL_REGIONS
