"""The docs site (scripts/docs_site.py) builds with every warning an error, has a module, a role, a filter and a
guide page free of docutils' error markup, and each renders in headless Chromium as a page, not a blank."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import docs_site  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    dest = tmp_path_factory.mktemp("docs-site")
    return dest, docs_site.build(dest)


def test_every_page_kind_is_built_without_error_markup(site):
    _dest, html = site
    assert docs_site.page_problems(html) == []
    pages = {kind: (html / page).read_text() for kind, page in docs_site.PAGES.items()}
    assert "librechat.bedrock.inference_profile module" in pages["module"]
    assert "Attributes" in pages["module"]
    assert "librechat.bedrock.inference_profiles role" in pages["role"]
    assert "librechat.bedrock.profile_name filter" in pages["filter"]
    assert "Architecture" in pages["guide"]
    for page in docs_site.PAGES.values():
        assert page in pages["index"] or page == "index.html"


def test_each_page_renders_as_a_page(site):
    dest, html = site
    shots = docs_site.screenshots(html, dest / "screenshots")
    assert sorted(shots) == sorted(docs_site.PAGES)
    for kind, (png, stddev) in shots.items():
        with Image.open(png) as image:
            assert image.size == docs_site.WINDOW, kind
        assert stddev >= docs_site.MIN_PIXEL_STDDEV, f"{kind} renders blank ({png}, stddev {stddev:.1f})"


def test_a_blank_page_is_told_from_a_page(tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body></body></html>")
    png = tmp_path / "blank.png"
    docs_site.screenshot(blank, png)
    assert docs_site.pixel_stddev(png) < docs_site.MIN_PIXEL_STDDEV


def test_a_missing_page_and_error_markup_are_reported(tmp_path):
    (tmp_path / "index.html").write_text('<p>fine</p><span class="problematic">`broken`_</span>')
    problems = docs_site.page_problems(tmp_path)
    assert "index page index.html shows 'class=\"problematic\"'" in problems
    assert f"module page {docs_site.PAGES['module']} is missing" in problems


@pytest.mark.parametrize(
    ("target", "uri"),
    [
        (
            "ansible_collections.amazon.aws.iam_role_module",
            "https://docs.ansible.com/projects/ansible/latest/collections/amazon/aws/iam_role_module.html",
        ),
        (
            "common_return_values",
            "https://docs.ansible.com/projects/ansible/latest/reference_appendices/common_return_values.html",
        ),
        # A page of this collection is on the site or missing: never sent elsewhere.
        ("ansible_collections.librechat.bedrock.no_such_module", None),
        ("no_such_label", None),
    ],
)
def test_only_labels_of_other_sites_resolve_outside(target, uri):
    from docutils import nodes

    resolved = docs_site.resolve_elsewhere(None, None, {"reftarget": target}, nodes.Text("text"))
    assert (resolved["refuri"] if resolved is not None else None) == uri
