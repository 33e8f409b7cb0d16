"""`.env` read as LibreChat's dotenv 16 reads it (lib/main.js): a byte-order mark before the first key, CRLF and
lone CR line breaks (also inside quoted values), keys with non-ASCII letters (not read at all). Every case is
cross-checked against the pinned npm dotenv (tests/librechat_schema) when Node.js is here. And the values the
collection writes read the same to docker compose's env_file, cross-checked with docker compose itself when it
is here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from librechat_schema import node

from ansible_collections.librechat.bedrock.plugins.plugin_utils import deployment, dotenv_file

ROOT = Path(__file__).resolve().parents[4]

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


# -------------------------------------------------------------------------------------------- Compose's reading

# Read the same by LibreChat's dotenv and by docker compose's env_file once written by quote(): plain text as it
# is, anything else in single quotes (the only quoting both parsers leave alone).
ALIKE = {
    "ab$cd/+#x": "'ab$cd/+#x'",  # measured: unquoted, Compose reads ab/+#x and dotenv ab$cd/+
    "ab#c": "'ab#c'",  # unquoted, Compose keeps the # (no space before it), dotenv cuts there
    "${HOME}": "'${HOME}'",
    "$$": "'$$'",
    "a b": "'a b'",
    " lead": "' lead'",
    "tab\there": "'tab\there'",
    'a"b': "'a\"b'",
    "a\\nb": "'a\\nb'",
    "`tick`": "'`tick`'",  # dotenv strips backticks, Compose keeps them
    "héllo": "'héllo'",
    "it's": "it's",  # a single quote inside plain text is plain to both
    "x'": "x'",
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123": (
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
    ),
    "a=b,c@d+e": "a=b,c@d+e",
    "": "",
}


def test_the_measured_example_reads_alike_once_single_quoted():
    # unquoted, the two readings differ: dotenv cuts at # and keeps $cd, Compose interpolates $cd (unset) away
    assert dotenv_file.parse("A=ab$cd/+#x\n") == {"A": "ab$cd/+"}
    assert dotenv_file.quote("A", "ab$cd/+#x") == "'ab$cd/+#x'"
    assert dotenv_file.parse(dotenv_file.edit("", {"A": "ab$cd/+#x"})) == {"A": "ab$cd/+#x"}


@pytest.mark.parametrize("value", list(ALIKE))
def test_values_are_written_so_both_readers_read_them_alike(value):
    assert dotenv_file.quote("K", value) == ALIKE[value]
    assert dotenv_file.parse(f"K={ALIKE[value]}\n") == {"K": value}


@pytest.mark.parametrize("value", ["'abc", "it's a", "it's$", "a#'", "line\nbreak", "cr\rhere"])
def test_values_no_form_carries_alike_are_refused_naming_the_key_only(value):
    with pytest.raises(dotenv_file.EnvError) as raised:
        dotenv_file.quote("BEDROCK_AWS_SECRET_ACCESS_KEY", value)
    assert "BEDROCK_AWS_SECRET_ACCESS_KEY" in str(raised.value)
    assert value not in str(raised.value)


def test_readings_differ_names_the_bedrock_keys_only():
    text = "BEDROCK_AWS_SECRET_ACCESS_KEY=ab$cd/+#x\nBEDROCK_X='a$b'\nENDPOINTS=bedrock\nOTHER=a$b\nMY_ARN=a#b\n"
    compose = {"BEDROCK_AWS_SECRET_ACCESS_KEY": "ab/+#x", "BEDROCK_X": "a$b", "ENDPOINTS": "x", "OTHER": "a"}
    assert dotenv_file.readings_differ(text, compose, {}, ["MY_ARN"]) == [
        "BEDROCK_AWS_SECRET_ACCESS_KEY",
        "ENDPOINTS",
        "MY_ARN",  # Compose does not have it at all
    ]
    # environment: sets ENDPOINTS: the shadowing check's business
    assert dotenv_file.readings_differ(text, compose, {"ENDPOINTS": "x"}) == ["BEDROCK_AWS_SECRET_ACCESS_KEY"]
    # not through env_file: nothing to compare
    assert dotenv_file.readings_differ(text, {}) == []


def _compose_binary():
    candidates = [os.environ.get("DOCKER_CONFIG", ""), str(ROOT / ".cache" / "docker" / "config")]
    for base in candidates:
        path = Path(base) / "cli-plugins" / "docker-compose"
        if base and path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return shutil.which("docker-compose")


def _compose_config(binary, project):
    """`docker compose config --format json` of the project directory, as JSON."""
    found = subprocess.run(
        [binary, "config", "--format", "json"],
        cwd=project,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(project)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(found.stdout)


def test_cross_checked_with_docker_compose(tmp_path):
    """What quote() writes, read by docker compose's env_file (`docker compose config` needs no engine)."""
    binary = _compose_binary()
    if not binary:
        pytest.skip("docker compose is not here (bootstrap puts it in .cache/docker/config/cli-plugins)")
    values = {f"K{n}": value for n, value in enumerate(ALIKE)}
    (tmp_path / ".env").write_text(dotenv_file.edit("", values), encoding="utf-8")
    (tmp_path / "compose.yml").write_text("services:\n  api:\n    image: x\n    env_file: [.env]\n")
    service = deployment.compose_service(_compose_config(binary, tmp_path), "api")
    assert {key: service["environment"].get(key) for key in values} == values
    assert (
        dotenv_file.readings_differ(
            (tmp_path / ".env").read_text(encoding="utf-8"), service["environment"], {}, list(values)
        )
        == []
    )
    # and the measured example, unquoted, differs
    (tmp_path / ".env").write_text("BEDROCK_AWS_SECRET_ACCESS_KEY=ab$cd/+#x\n")
    environment = deployment.compose_service(_compose_config(binary, tmp_path), "api")["environment"]
    assert environment["BEDROCK_AWS_SECRET_ACCESS_KEY"] == "ab/+#x"
    assert dotenv_file.readings_differ("BEDROCK_AWS_SECRET_ACCESS_KEY=ab$cd/+#x\n", environment) == [
        "BEDROCK_AWS_SECRET_ACCESS_KEY"
    ]
