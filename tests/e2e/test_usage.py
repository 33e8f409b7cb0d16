"""End to end: the demo's usage path (site, a few chats and streaming chats through LibreChat per model, then the
usage playbook) against the local AWS emulator. Asserts that the usage report's calls and tokens per profile are
the ones LibreChat's answers counted, each profile named by the model LibreChat lists, in the printed tables, the
JSON and the CSV; that the report took one GetMetricData call and no AWS write; and that check mode reads the
same figures."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import demo  # noqa: E402
from devtools import CommandFailed  # noqa: E402

PROFILES = 3  # the demo inventory's models with a profile
# The widest label of a profile's usage table ("LibreChat model"), which sets the column's width
LABEL_WIDTH = 15


def cell(label: str, value) -> str:
    """One line of a profile's usage table as the debug output quotes it."""
    return f'"{label:<{LABEL_WIDTH}}  {value}"'


@pytest.fixture
def sent(setup):
    """The demo's site run and chats through LibreChat; what LibreChat's answers counted per profile ARN (the
    model without a profile is left out: it has no profile to report)."""
    control, directory, env = setup
    demo.playbook("site", env, "--skip-tags", "verify", echo=False, capture=True)
    tally = {key: t for key, t in demo.send_requests(env, directory).items() if t["arn"]}
    return control, env, tally


def test_the_usage_report_shows_the_calls_and_tokens_the_demo_sent(sent, tmp_path):
    control, env, tally = sent
    assert len(tally) == PROFILES
    per_profile = demo.CONVERSE_PER_PROFILE + demo.STREAM_PER_PROFILE
    assert {t["calls"] for t in tally.values()} == {per_profile}

    json_path, csv_path = tmp_path / "out" / "usage.json", tmp_path / "out" / "usage.csv"
    control.clear_calls()
    output = demo.playbook("usage", env, *demo.usage_args(json_path, csv_path), capture=True, echo=False)
    calls = control.calls()
    assert calls["writes"] == 0
    assert [c["operation"] for c in calls["calls"]].count("GetMetricData") == 1

    report = json.loads(json_path.read_text())
    assert demo.usage_mismatches(report, tally) == []
    by_arn = {p["arn"]: p for p in report["profiles"]}
    assert set(by_arn) == set(tally)
    for arn, sent_tally in tally.items():
        usage = by_arn[arn]["usage"]
        assert usage["invocations"] == sent_tally["calls"] == per_profile
        assert usage["input_tokens"] == sent_tally["input_tokens"]
        assert usage["output_tokens"] == sent_tally["output_tokens"]
        assert usage["throttles"] == usage["client_errors"] == usage["server_errors"] == 0
        # the printed table of the profile carries the same figures
        table = cell("profile", by_arn[arn]["name"])
        assert table in output
        block = output.split(table, 1)[1].split("]", 1)[0]
        assert cell("LibreChat model", sent_tally["model"]) in block
        assert cell("calls", sent_tally["calls"]) in block
        assert cell("tokens in", sent_tally["input_tokens"]) in block
        assert cell("tokens out", sent_tally["output_tokens"]) in block
    total_calls = sum(t["calls"] for t in tally.values())
    assert report["totals"]["invocations"] == total_calls
    assert report["totals"]["input_tokens"] == sum(t["input_tokens"] for t in tally.values())
    assert report["totals_by_tag"]["Application"]["LibreChat"]["invocations"] == total_calls
    assert "ManagedBy" not in output.split("Show the totals", 1)[1]

    with csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["profile"] for r in rows][-1] == "all profiles"
    for row in rows[:-1]:
        assert int(row["invocations"]) == tally[row["arn"]]["calls"]
        assert row["librechat_model"] == tally[row["arn"]]["model"]
        assert int(row["input_tokens"]) == tally[row["arn"]]["input_tokens"]
        assert int(row["output_tokens"]) == tally[row["arn"]]["output_tokens"]
    assert int(rows[-1]["invocations"]) == total_calls


def test_check_mode_reads_the_same_figures_and_writes_no_file(sent, tmp_path):
    control, env, tally = sent
    json_path = tmp_path / "check" / "usage.json"
    demo.playbook("usage", env, *demo.usage_args(tmp_path / "real.json", tmp_path / "real.csv"), capture=True)
    control.clear_calls()
    output = demo.playbook(
        "usage", env, "--check", "-e", f"usage_report_json_path={json_path}", capture=True, echo=False
    )
    assert control.calls()["writes"] == 0
    assert not json_path.exists()
    real = json.loads((tmp_path / "real.json").read_text())
    for profile in real["profiles"]:
        assert cell("calls", profile["usage"]["invocations"]) in output
    assert demo.usage_mismatches(real, tally) == []


def test_bad_input_fails_before_any_aws_call(sent):
    control, env, _tally = sent
    control.clear_calls()
    with pytest.raises(CommandFailed):
        demo.playbook("usage", env, "-e", "usage_window=24", capture=True, echo=False)
    assert control.calls()["count"] == 0
