"""What the module_utils tests share: a boto3 client of the emulator that takes the aws_retry keyword the
amazon.aws wrapper adds, and records the calls made through it."""

from __future__ import annotations

import botocore.loaders
import botocore.session
import pytest


class Retrying:
    """The aws_retry keyword the amazon.aws wrapper adds, over a plain boto3 client; `calls` holds what
    record(name, keyword arguments) makes of each call (its name unless told otherwise)."""

    def __init__(self, client, record=lambda name, kwargs: name):
        self.client = client
        self.record = record
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(*args, aws_retry=False, **kwargs):
            self.calls.append(self.record(name, kwargs))
            return method(*args, **kwargs)

        return call


@pytest.fixture
def bedrock_client(client):
    return Retrying(client("bedrock"))


@pytest.fixture
def recording_client(client):
    """Also keeps each listing's typeEquals."""
    return Retrying(client("bedrock"), record=lambda name, kwargs: (name, kwargs.get("typeEquals")))


@pytest.fixture(autouse=True)
def separate_data_loaders(monkeypatch):
    """bedrock_client() lets the botocore sessions of a module run share one data loader, for the rest of the
    process (module_utils/bedrock.py, share_data_loader): here each test starts with botocore's own factory."""
    monkeypatch.setattr(botocore.session, "create_loader", botocore.loaders.create_loader)
