"""Fixtures shared by the unit tests: one in-process emulator for the whole run, reset before each test that
uses it, and boto3 clients pointed at it through AWS_ENDPOINT_URL, as the collection's modules are."""

from __future__ import annotations

import boto3
import pytest

from emulator import Control, Emulator

ACCOUNT = "123456789012"  # the account moto gives the dummy credentials
REGION = "us-east-1"


@pytest.fixture(scope="session")
def emulator_endpoint():
    with Emulator() as emulator:
        yield emulator.endpoint


@pytest.fixture
def control(emulator_endpoint) -> Control:
    control = Control(emulator_endpoint)
    control.reset()
    return control


@pytest.fixture
def aws_env(emulator_endpoint, control, monkeypatch):
    """The environment a module sees when a user points it at the emulator."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    values = {
        "AWS_ENDPOINT_URL": emulator_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        "AWS_MAX_ATTEMPTS": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def client(aws_env):
    """client("bedrock", region="us-west-2") → a boto3 client talking to the emulator."""

    def make(service: str, region: str = REGION):
        return boto3.session.Session().client(service, region_name=region)

    return make
