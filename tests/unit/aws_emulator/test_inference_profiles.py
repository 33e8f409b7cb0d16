"""Inference profiles through boto3 against the emulator: the catalogue, application profiles, tags, and the
shapes of what comes back (checked against botocore's own model)."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from emulator import api

SEED_PROFILES = (
    "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-opus-4-5-20251101-v1:0",
    "us.amazon.nova-pro-v1:0",
)
NOVA_ARN = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"
APP_ARN = re.compile(r"^arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/[a-z0-9]{12}$")


# AWS itself breaks its model here: a global profile's models hold arn:aws:bedrock:::foundation-model/<id>, whose
# empty region the modelArn pattern ([a-z0-9-]{1,20}) refuses. The emulator answers what AWS answers.
REGIONLESS = re.compile(r"^Value 'arn:aws:bedrock:::foundation-model/[^']+' at 'models\.\d+\.member\.modelArn'")


def assert_valid_output(operation: str, response: dict, service: str = "bedrock") -> None:
    """The response satisfies the operation's output shape in botocore's model: required members, enums,
    lengths and patterns (but for the region-less foundation-model ARN, which AWS sends)."""
    shape = api.service_model(service).operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert [e for e in api.constraint_errors(shape, body) if not REGIONLESS.match(e)] == []


def all_profiles(bedrock, **kwargs) -> list[dict]:
    return [
        p
        for page in bedrock.get_paginator("list_inference_profiles").paginate(**kwargs)
        for p in page["inferenceProfileSummaries"]
    ]


def create(bedrock, name="LibreChat-test", source=SEED_PROFILES[0], **kwargs):
    arn = bedrock.get_inference_profile(inferenceProfileIdentifier=source)["inferenceProfileArn"]
    return bedrock.create_inference_profile(inferenceProfileName=name, modelSource={"copyFrom": arn}, **kwargs)


@pytest.mark.parametrize("profile_id", SEED_PROFILES)
def test_seed_system_profiles_route_to_regional_foundation_models(client, profile_id):
    bedrock = client("bedrock")
    profile = bedrock.get_inference_profile(inferenceProfileIdentifier=profile_id)
    assert_valid_output("GetInferenceProfile", profile)
    assert profile["type"] == "SYSTEM_DEFINED"
    assert profile["inferenceProfileArn"] == f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{profile_id}"
    model_id = profile_id.split(".", 1)[1]
    arns = [m["modelArn"] for m in profile["models"]]
    assert len(arns) >= 2
    region = "" if profile_id.startswith("global.") else r"[a-z]+-[a-z]+-\d"
    assert all(
        re.fullmatch(rf"arn:aws:bedrock:({region}|us-east-1)::foundation-model/{re.escape(model_id)}", a) for a in arns
    )
    assert "arn:aws:bedrock:us-east-1::foundation-model/" + model_id in arns


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-northeast-1"])
def test_global_profiles_list_the_region_less_model_and_the_source_regions(client, region):
    """GetInferenceProfile on a global. profile (and on an application profile copying it) lists the region-less
    foundation-model ARN plus the source region's: the shape AWS's IAM examples for global inference grant."""
    bedrock = client("bedrock", region=region)
    model_id = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    profile = bedrock.get_inference_profile(inferenceProfileIdentifier=f"global.{model_id}")
    assert_valid_output("GetInferenceProfile", profile)
    expected = [
        f"arn:aws:bedrock:{region}::foundation-model/{model_id}",
        f"arn:aws:bedrock:::foundation-model/{model_id}",
    ]
    assert [m["modelArn"] for m in profile["models"]] == expected
    copy = bedrock.create_inference_profile(
        inferenceProfileName="LibreChat-global", modelSource={"copyFrom": profile["inferenceProfileArn"]}
    )
    assert [
        m["modelArn"]
        for m in bedrock.get_inference_profile(inferenceProfileIdentifier=copy["inferenceProfileArn"])["models"]
    ] == expected
    # and a request through it runs in a real region
    answer = client("bedrock-runtime", region=region).converse(
        modelId=copy["inferenceProfileArn"], messages=[{"role": "user", "content": [{"text": "hi"}]}]
    )
    assert re.search(r" in [a-z]+-[a-z]+-\d\.$", answer["output"]["message"]["content"][0]["text"])


def test_get_by_arn_equals_get_by_id(client):
    bedrock = client("bedrock")
    by_id = bedrock.get_inference_profile(inferenceProfileIdentifier=SEED_PROFILES[3])
    by_arn = bedrock.get_inference_profile(inferenceProfileIdentifier=by_id["inferenceProfileArn"])
    for key in ("inferenceProfileId", "inferenceProfileArn", "models", "type", "status"):
        assert by_arn[key] == by_id[key]


def test_list_paginates_and_filters_by_type(client, control):
    bedrock = client("bedrock")
    create(bedrock, "LibreChat-a")
    create(bedrock, "LibreChat-b")
    first = bedrock.list_inference_profiles(maxResults=3)
    assert len(first["inferenceProfileSummaries"]) == 3 and first["nextToken"]
    assert_valid_output("ListInferenceProfiles", first)
    unfiltered = all_profiles(bedrock, PaginationConfig={"PageSize": 4})
    ids = [p["inferenceProfileId"] for p in unfiltered]
    assert len(ids) == len(set(ids)) > 20
    assert set(SEED_PROFILES) <= set(ids)
    apps = all_profiles(bedrock, typeEquals="APPLICATION")
    assert sorted(p["inferenceProfileName"] for p in apps) == ["LibreChat-a", "LibreChat-b"]
    system = all_profiles(bedrock, typeEquals="SYSTEM_DEFINED")
    assert {p["type"] for p in system} == {"SYSTEM_DEFINED"}
    # Without typeEquals AWS lists SYSTEM_DEFINED profiles only (aws/aws-cli#9728): no application profile.
    assert unfiltered == system

    control.config(page_size=2)
    capped = bedrock.list_inference_profiles(maxResults=50)
    assert len(capped["inferenceProfileSummaries"]) == 2 and capped["nextToken"]


def test_system_profiles_are_regional(client):
    eu = client("bedrock", region="eu-west-1")
    ids = {p["inferenceProfileId"] for p in all_profiles(eu)}
    assert "eu.anthropic.claude-3-7-sonnet-20250219-v1:0" in ids
    assert not any(i.startswith("us.") for i in ids)
    with pytest.raises(ClientError) as error:
        eu.get_inference_profile(inferenceProfileIdentifier=SEED_PROFILES[0])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_create_copies_models_and_shapes_the_arn(client):
    bedrock = client("bedrock")
    created = create(
        bedrock,
        description="Custom inference profile for LibreChat-test",
        tags=[{"key": "Application", "value": "LibreChat"}],
    )
    assert_valid_output("CreateInferenceProfile", created)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert APP_ARN.match(created["inferenceProfileArn"])
    assert created["status"] == "ACTIVE"
    profile = bedrock.get_inference_profile(inferenceProfileIdentifier=created["inferenceProfileArn"])
    assert_valid_output("GetInferenceProfile", profile)
    source = bedrock.get_inference_profile(inferenceProfileIdentifier=SEED_PROFILES[0])
    assert profile["models"] == source["models"]
    assert profile["type"] == "APPLICATION"
    assert profile["inferenceProfileId"] == created["inferenceProfileArn"].rsplit("/", 1)[1]
    assert profile["description"] == "Custom inference profile for LibreChat-test"
    by_id = bedrock.get_inference_profile(inferenceProfileIdentifier=profile["inferenceProfileId"])
    assert by_id["inferenceProfileArn"] == created["inferenceProfileArn"]


def test_create_from_a_foundation_model_copies_one_model(client):
    bedrock = client("bedrock")
    fm = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"
    created = bedrock.create_inference_profile(inferenceProfileName="nova", modelSource={"copyFrom": fm})
    profile = bedrock.get_inference_profile(inferenceProfileIdentifier=created["inferenceProfileArn"])
    assert profile["models"] == [{"modelArn": fm}]


def test_create_conflicts_and_client_token_idempotency(client):
    bedrock = client("bedrock")
    first = create(bedrock, clientRequestToken="token-1")
    again = create(bedrock, clientRequestToken="token-1")
    assert again["inferenceProfileArn"] == first["inferenceProfileArn"]
    with pytest.raises(ClientError) as error:
        create(bedrock)
    assert error.value.response["Error"]["Code"] == "ConflictException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400  # as botocore's model says
    with pytest.raises(ClientError) as error:
        create(bedrock, description="Other parameters", clientRequestToken="token-1")
    assert error.value.response["Error"]["Code"] == "ConflictException"


def test_a_token_is_remembered_after_its_profile_is_deleted(client):
    """The strictest reading of "if this token matches a previous request, Bedrock ignores the request": a create
    after a delete that repeats the token creates nothing and answers the deleted profile's ARN."""
    bedrock = client("bedrock")
    first = create(bedrock, clientRequestToken="token-2")["inferenceProfileArn"]
    bedrock.delete_inference_profile(inferenceProfileIdentifier=first)
    again = create(bedrock, clientRequestToken="token-2")
    assert again["inferenceProfileArn"] == first and again["status"] == "ACTIVE"
    assert all_profiles(bedrock, typeEquals="APPLICATION") == []
    with pytest.raises(ClientError) as error:
        bedrock.get_inference_profile(inferenceProfileIdentifier=first)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    fresh = create(bedrock, clientRequestToken="token-3")["inferenceProfileArn"]
    assert fresh != first
    assert [p["inferenceProfileArn"] for p in all_profiles(bedrock, typeEquals="APPLICATION")] == [fresh]


def test_duplicate_names_conflict_by_default_and_may_be_allowed(client, control):
    """Whether AWS refuses a second profile of one name is undocumented: a knob plays both readings."""
    bedrock = client("bedrock")
    create(bedrock, clientRequestToken="token-a")
    with pytest.raises(ClientError) as error:
        create(bedrock, clientRequestToken="token-b")
    assert error.value.response["Error"]["Code"] == "ConflictException"
    control.config(duplicate_profile_names="allow")
    second = create(bedrock, clientRequestToken="token-b")["inferenceProfileArn"]
    names = [
        (p["inferenceProfileName"], p["inferenceProfileArn"]) for p in all_profiles(bedrock, typeEquals="APPLICATION")
    ]
    assert len(names) == 2 and {n for n, _arn in names} == {"LibreChat-test"} and second in {a for _name, a in names}


def test_the_profile_quota_refuses_with_service_quota_exceeded(client, control):
    bedrock = client("bedrock")
    control.config(application_profile_quota=1)
    create(bedrock, "LibreChat-one")
    with pytest.raises(ClientError) as error:
        create(bedrock, "LibreChat-two")
    assert error.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert [p["inferenceProfileName"] for p in all_profiles(bedrock, typeEquals="APPLICATION")] == ["LibreChat-one"]


@pytest.mark.parametrize(
    ("name", "source", "fragment"),
    [
        ("bad name!", NOVA_ARN, "inferenceProfileName"),
        ("x" * 65, NOVA_ARN, "inferenceProfileName"),
        (
            "ok",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.no-such-model-v1:0",
            "us.no-such-model-v1:0",
        ),
        # botocore's pattern for copyFrom admits foundation models and system profiles only
        (
            "ok",
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdefabcdef",
            "(inference-profile|foundation-model)",
        ),
    ],
)
def test_create_rejects_bad_input(client, name, source, fragment):
    bedrock = client("bedrock")
    with pytest.raises(ClientError) as error:
        bedrock.create_inference_profile(inferenceProfileName=name, modelSource={"copyFrom": source})
    err = error.value.response["Error"]
    assert err["Code"] in ("ValidationException", "ResourceNotFoundException")
    assert fragment in err["Message"]
    assert all_profiles(bedrock, typeEquals="APPLICATION") == []


def test_validation_message_names_field_and_constraint(client):
    bedrock = client("bedrock")
    with pytest.raises(ClientError) as error:
        bedrock.create_inference_profile(inferenceProfileName="bad name!", modelSource={"copyFrom": NOVA_ARN})
    message = error.value.response["Error"]["Message"]
    assert message.startswith("1 validation error detected: Value 'bad name!' at 'inferenceProfileName'")
    assert "regular expression pattern" in message


def test_delete_then_get_is_not_found(client):
    bedrock = client("bedrock")
    arn = create(bedrock)["inferenceProfileArn"]
    bedrock.delete_inference_profile(inferenceProfileIdentifier=arn)
    with pytest.raises(ClientError) as error:
        bedrock.get_inference_profile(inferenceProfileIdentifier=arn)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as error:
        bedrock.delete_inference_profile(inferenceProfileIdentifier=arn)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_profile_ids_repeat_after_a_reset_and_change_when_a_name_is_reused(client, control):
    bedrock = client("bedrock")
    first = create(bedrock)["inferenceProfileArn"]
    bedrock.delete_inference_profile(inferenceProfileIdentifier=first)
    second = create(bedrock)["inferenceProfileArn"]
    assert APP_ARN.match(second) and second != first, "a recreated profile gets a new ARN, as on AWS"
    control.reset()
    assert create(bedrock)["inferenceProfileArn"] == first, "a fresh emulator hands out the same ARNs"


def test_system_profiles_cannot_be_deleted_or_tagged(client):
    bedrock = client("bedrock")
    arn = bedrock.get_inference_profile(inferenceProfileIdentifier=SEED_PROFILES[0])["inferenceProfileArn"]
    with pytest.raises(ClientError) as error:
        bedrock.delete_inference_profile(inferenceProfileIdentifier=arn)
    assert error.value.response["Error"]["Code"] in ("ValidationException", "ResourceNotFoundException")
    with pytest.raises(ClientError):
        bedrock.tag_resource(resourceARN=arn, tags=[{"key": "a", "value": "b"}])


def test_tags_round_trip(client):
    bedrock = client("bedrock")
    arn = create(
        bedrock, tags=[{"key": "Application", "value": "LibreChat"}, {"key": "Environment", "value": "Production"}]
    )["inferenceProfileArn"]
    listed = bedrock.list_tags_for_resource(resourceARN=arn)
    assert_valid_output("ListTagsForResource", listed)
    assert {t["key"]: t["value"] for t in listed["tags"]} == {"Application": "LibreChat", "Environment": "Production"}
    bedrock.tag_resource(
        resourceARN=arn, tags=[{"key": "Environment", "value": "Staging"}, {"key": "Team", "value": "ai"}]
    )
    bedrock.untag_resource(resourceARN=arn, tagKeys=["Application"])
    tags = {t["key"]: t["value"] for t in bedrock.list_tags_for_resource(resourceARN=arn)["tags"]}
    assert tags == {"Environment": "Staging", "Team": "ai"}
    with pytest.raises(ClientError) as error:
        bedrock.list_tags_for_resource(resourceARN=arn.replace(arn[-12:], "abcdefabcdef"))
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_eventual_consistency_hides_new_profiles_from_a_counted_number_of_reads(client, control):
    bedrock = client("bedrock")
    control.config(consistency_reads=2)
    arn = create(bedrock)["inferenceProfileArn"]
    with pytest.raises(ClientError) as error:
        bedrock.get_inference_profile(inferenceProfileIdentifier=arn)  # read 1: not yet
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert all_profiles(bedrock, typeEquals="APPLICATION") == []  # read 2: not yet
    assert bedrock.get_inference_profile(inferenceProfileIdentifier=arn)["inferenceProfileArn"] == arn  # read 3
    assert [p["inferenceProfileArn"] for p in all_profiles(bedrock, typeEquals="APPLICATION")] == [arn]
    assert control.state()["application_inference_profiles"][0]["hiddenReads"] == 2


def test_eventual_consistency_spares_older_profiles_and_settles_when_turned_off(client, control):
    bedrock = client("bedrock")
    old = create(bedrock, "LibreChat-old")["inferenceProfileArn"]
    control.config(consistency_reads=5)
    new = create(bedrock, "LibreChat-new")["inferenceProfileArn"]
    # a Get of another profile is no read of the new one
    assert bedrock.get_inference_profile(inferenceProfileIdentifier=old)["inferenceProfileArn"] == old
    assert [p["inferenceProfileArn"] for p in all_profiles(bedrock, typeEquals="APPLICATION")] == [old]
    held = {p["inferenceProfileArn"]: p["hiddenReads"] for p in control.state()["application_inference_profiles"]}
    assert held == {old: 0, new: 1}
    control.config(consistency_reads=0)
    assert bedrock.get_inference_profile(inferenceProfileIdentifier=new)["inferenceProfileArn"] == new


def test_profiles_are_per_region_and_account(client):
    east, west = client("bedrock"), client("bedrock", region="us-west-2")
    create(east, "LibreChat-east")
    assert all_profiles(west, typeEquals="APPLICATION") == []
    assert [p["inferenceProfileName"] for p in all_profiles(east, typeEquals="APPLICATION")] == ["LibreChat-east"]
