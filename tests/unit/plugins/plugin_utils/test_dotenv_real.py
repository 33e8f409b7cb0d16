"""`.env` read as LibreChat's dotenv 16 reads it (lib/main.js): a byte-order mark before the first key, CRLF and
lone CR line breaks (also inside quoted values), keys with non-ASCII letters (not read at all). Every case is
cross-checked against the pinned npm dotenv (tests/librechat_schema) when Node.js is here."""

from __future__ import annotations

import pytest
from librechat_schema import node

from ansible_collections.librechat.bedrock.plugins.plugin_utils import dotenv_file

CASES = {
    "bom before the first key": ("\ufeffMONGO_URI=mongodb://m/L\nB=2\n", {"MONGO_URI": "mongodb://m/L", "B": "2"}),
    "crlf": ("A=1\r\nB='x y'\r\n", {"A": "1", "B": "x y"}),
    "crlf inside double quotes": ('A="line1\r\nline2"\r\nB=2\r\n', {"A": "line1\nline2", "B": "2"}),
    "crlf inside single quotes": ("A='l1\r\nl2'\nB=2\n", {"A": "l1\nl2", "B": "2"}),
    "lone cr": ("A=1\rB=2\r", {"A": "1", "B": "2"}),
    "non-ascii key is not read": ("ÄPI_KEY=1\nB=2\nCLÉ=3\n", {"B": "2"}),
    "non-ascii value": ("A=héllo wörld\n", {"A": "héllo wörld"}),
    "no-break space around": ("A=\u00a0x\u00a0\n", {"A": "x"}),
    "export and colon": ("export A=1\nB: 2\n", {"A": "1", "B": "2"}),
    "later wins": ("A=1\nA=2\n", {"A": "2"}),
    "escaped newline only in double quotes": ("A=\"a\\nb\"\nB='a\\nb'\n", {"A": "a\nb", "B": "a\\nb"}),
    "hash": ("A=a#b\nB='a#b'\nC=a #b\n", {"A": "a", "B": "a#b", "C": "a"}),
    "empty": ("A=\nB=\n", {"A": "", "B": ""}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_read_as_dotenv_16(name):
    text, expected = CASES[name]
    assert dotenv_file.parse(text) == expected


def test_cross_checked_with_node_dotenv():
    names = list(CASES)
    found = node.batch(env_texts=[CASES[n][0] for n in names])["env"]
    for name, theirs in zip(names, found):
        assert dotenv_file.parse(CASES[name][0]) == theirs, name


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffBEDROCK_AWS_DEFAULT_REGION=eu-west-1\nMONGO_URI=m\n",
        'MONGO_URI=m\r\nQUOTED="a\r\nb"\r\nBEDROCK_AWS_DEFAULT_REGION=eu-west-1\r\n',
        "CLÉ=1\nBEDROCK_AWS_DEFAULT_REGION=eu-west-1\n",
        "A=1\rBEDROCK_AWS_DEFAULT_REGION=eu-west-1\r",
    ],
)
def test_edits_keep_every_other_byte_and_read_back(text):
    edited = dotenv_file.edit(text, {"BEDROCK_AWS_DEFAULT_REGION": "us-east-1"})
    before = dotenv_file.parse(text)
    after = dotenv_file.parse(edited)
    assert after == {**before, "BEDROCK_AWS_DEFAULT_REGION": "us-east-1"}
    if text.startswith("\ufeff"):
        assert edited.startswith("\ufeffBEDROCK_AWS_DEFAULT_REGION=us-east-1\n")
    for line in dotenv_file._lines(text):
        if "BEDROCK_AWS_DEFAULT_REGION" not in line:
            assert line in edited
    assert dotenv_file.edit(edited, {"BEDROCK_AWS_DEFAULT_REGION": "us-east-1"}) == edited
    found = node.batch(env_texts=[edited])["env"][0] if not node.missing() else after
    assert found == after
