"""scripts/shared_specs.py: the shared librechat_bedrock_* options are written once (meta/shared_argument_specs.yml)
and copied into each role's argument specs; a stale copy or a definition outside the copy is reported."""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import shared_specs  # noqa: E402

SOURCE = {
    "librechat_bedrock_region": {
        "spec": {"description": ["The region."], "type": "str", "required": True},
        "roles": {"demo": "Here: where the demo runs."},
    },
    "librechat_bedrock_tags": {"spec": {"description": ["The tags."], "type": "dict", "default": {"A": "B"}}},
}


def role_spec(block: str, extra: str = "") -> str:
    return (
        "---\nargument_specs:\n  main:\n    short_description: Demo\n    options:\n"
        + block
        + "      demo_option:\n        description: Its own.\n        type: str\n"
        + extra
    )


def test_the_copy_is_written_between_the_markers_with_the_role_note():
    stale = (
        shared_specs.begin_line(["librechat_bedrock_region", "librechat_bedrock_tags"], 6)
        + "      # END shared options\n"
    )
    text, problems = shared_specs.rewrite(role_spec(stale), SOURCE, "demo")
    assert problems == []
    options = yaml.safe_load(text)["argument_specs"]["main"]["options"]
    assert options["librechat_bedrock_region"] == {
        "description": ["The region.", "Here: where the demo runs."],
        "type": "str",
        "required": True,
    }
    assert options["librechat_bedrock_tags"] == SOURCE["librechat_bedrock_tags"]["spec"]
    assert options["demo_option"]["description"] == "Its own."
    # current: a second run changes nothing
    assert shared_specs.rewrite(text, SOURCE, "demo") == (text, [])
    # a hand edit inside the copy is undone (and --check reports the difference)
    edited = text.replace("The tags.", "Edited by hand.")
    assert shared_specs.rewrite(edited, SOURCE, "demo")[0] == text


def test_a_shared_variable_documented_outside_the_copy_is_reported():
    block = shared_specs.begin_line(["librechat_bedrock_region"], 6) + "      # END shared options\n"
    stray = "      librechat_bedrock_tags:\n        description: A second copy.\n        type: dict\n"
    unknown = "      librechat_bedrock_other:\n        description: Nowhere else.\n        type: str\n"
    _text, problems = shared_specs.rewrite(role_spec(block, stray + unknown), SOURCE, "demo")
    assert problems == [
        "demo: librechat_bedrock_other is not in meta/shared_argument_specs.yml: document it there and name it on the "
        "role's BEGIN shared options line",
        "demo: librechat_bedrock_tags is documented outside the shared block: name it on the BEGIN shared options "
        "line instead",
    ]


def test_a_note_for_a_variable_the_role_does_not_take_and_an_unknown_name_are_reported():
    block = (
        shared_specs.begin_line(["librechat_bedrock_tags", "librechat_bedrock_nope"], 6)
        + "      # END shared options\n"
    )
    _text, problems = shared_specs.rewrite(role_spec(block), SOURCE, "demo")
    assert problems == [
        "demo: librechat_bedrock_nope is not in meta/shared_argument_specs.yml",
        "demo: meta/shared_argument_specs.yml has a note for librechat_bedrock_region, which the role does not take",
    ]


def test_the_roles_copies_are_current():
    source = yaml.safe_load(shared_specs.SOURCE.read_text())
    for spec_file in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        text = spec_file.read_text()
        assert shared_specs.rewrite(text, source, spec_file.parent.parent.name) == (text, []), spec_file
