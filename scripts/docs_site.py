"""Build the collection's docs site (antsibull-docs + Sphinx) and check its pages in headless Chromium.

The site documents every module, filter and role from their own sources (DOCUMENTATION, the filters' YAML
sidecars, meta/argument_specs.yml), with the guides under docs/ as pages. The guides stay Markdown, written
once: antsibull-docs takes a collection's extra docs only as RST, so each build converts them with pandoc
(pypandoc-binary) into docs/docsite/rst/ of a temporary copy of the collection, with the extra-docs.yml that
lists them.

Every step treats a warning as an error: `antsibull-docs lint-collection-docs --plugin-docs`, `antsibull-docs
collection --fail-on-error`, `sphinx-build -W`. Then the index, a module, a role, a filter and a guide page are
opened in headless Chromium and screenshotted; a page that is missing, shows docutils' problematic or
system-message markup, or renders blank fails.

    python scripts/docs_site.py                 build into .cache/docs-site/ and check (make docs)
    python scripts/docs_site.py --dest DIR      build into DIR
    python scripts/docs_site.py --no-screenshots
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devtools import COLLECTIONS, ROOT, CommandFailed, base_env, run

COLLECTION = "librechat.bedrock"
DEFAULT_DEST = ROOT / ".cache" / "docs-site"
LABEL_PREFIX = f"ansible_collections.{COLLECTION}.docsite."
# docs/<name>.md, in the order the site lists them.
GUIDES = ("architecture", "awx", "troubleshooting", "performance")
# One page of each kind the site must render: the kind, and the page under html/.
PAGES = {
    "index": "index.html",
    "module": "inference_profile_module.html",
    "role": "inference_profiles_role.html",
    "filter": "profile_name_filter.html",
    "guide": "docsite/architecture.html",
}
# What docutils puts into a page for markup it could not resolve or parse.
ERROR_MARKUP = ('class="problematic"', 'class="system-message"')
# Copied into the temporary collection: what ansible-doc and antsibull-docs read.
COLLECTION_CONTENT = ("galaxy.yml", "meta", "plugins", "roles", "docs", "changelogs", "README.md", "COPYING")
CONF_PY = """\
import sys

project = "librechat.bedrock"
copyright = "the librechat.bedrock authors"
title = html_short_title = "librechat.bedrock"
extensions = ["sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {theme_options!r}
default_role = "any"
nitpicky = True

# References to the Ansible docsite and other collections: docs_site.resolve_elsewhere.
sys.path.insert(0, {scripts!r})
from docs_site import sphinx_setup as setup  # noqa: E402
"""
# pandoc: an inline HTML tag in a guide (`## <model> is AVAILABLE`) is text, not markup to drop.
RAW_HTML_AS_TEXT = """\
function RawInline(el)
  if el.format == "html" then return pandoc.Str(el.text) end
end
"""
WINDOW = (1280, 1600)
# A page with text on it varies far more than this; an empty or all-white render does not.
MIN_PIXEL_STDDEV = 8.0
# Labels of the Ansible docsite the pages refer to (the amazon.aws fragments' return values, the config page).
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/latest/"
ANSIBLE_LABELS = {
    "common_return_values": "reference_appendices/common_return_values.html",
    "ansible_configuration_settings": "reference_appendices/config.html",
    "action_plugins": "plugins/action.html",
}


def resolve_elsewhere(app, env, node, contnode):
    """Sphinx `missing-reference`: a label of the Ansible docsite or of another collection's plugin becomes a
    link to docs.ansible.com, without downloading its intersphinx inventory (the build runs offline). Any other
    unknown label, and every label of this collection (all its pages are on the site), stays an error."""
    from docutils import nodes

    target = node.get("reftarget", "")
    page = ANSIBLE_LABELS.get(target)
    parts = target.split(".")
    own = parts[1:3] == COLLECTION.split(".")
    if page is None and target.startswith("ansible_collections.") and len(parts) == 4 and not own:
        page = f"collections/{parts[1]}/{parts[2]}/{parts[3]}.html"
    if page is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=ANSIBLE_DOCS + page)
    reference += contnode
    return reference


def theme_options() -> dict:
    """The top bar links to the collection's repository and issues (galaxy.yml), not the theme's defaults."""
    import yaml

    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    links = {"Repository": galaxy.get("repository"), "Issues": galaxy.get("issues")}
    return {"topbar_links": {name: url for name, url in links.items() if url}, "show_rtd_ethical_ads": False}


def sphinx_setup(app):
    app.connect("missing-reference", resolve_elsewhere)


def collection_copy(base: Path) -> Path:
    """The collection's documented content at <base>/ansible_collections/librechat/bedrock, next to amazon.aws."""
    tree = base / "ansible_collections" / "librechat" / "bedrock"
    tree.mkdir(parents=True)
    for name in COLLECTION_CONTENT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, tree / name)
    (base / "ansible_collections" / "amazon").symlink_to(COLLECTIONS / "ansible_collections" / "amazon")
    return tree


def add_guides(tree: Path, work: Path) -> None:
    """docs/<guide>.md as extra docs: docs/docsite/rst/<guide>.rst (pandoc) and docs/docsite/extra-docs.yml.

    GitHub's reading of the Markdown is the one kept, except that text such as `<model>` stays text; no
    heading labels (antsibull-docs accepts only labels under its prefix, and the guides link to no heading)."""
    import pypandoc
    import yaml

    raw_as_text = work / "raw-html-as-text.lua"
    raw_as_text.write_text(RAW_HTML_AS_TEXT)
    rst = tree / "docs" / "docsite" / "rst"
    rst.mkdir(parents=True, exist_ok=True)
    for guide in GUIDES:
        body = pypandoc.convert_file(
            str(ROOT / "docs" / f"{guide}.md"),
            "rst",
            format="gfm-gfm_auto_identifiers",
            extra_args=["--wrap=none", f"--lua-filter={raw_as_text}"],
        )
        (rst / f"{guide}.rst").write_text(f".. _{LABEL_PREFIX}{guide}:\n\n{body}")
    index = {"sections": [{"title": "Guides", "toctree": list(GUIDES)}]}
    (tree / "docs" / "docsite" / "extra-docs.yml").write_text("---\n" + yaml.safe_dump(index, sort_keys=False))


def lint(tree: Path, env: dict[str, str]) -> None:
    """antsibull-docs lint-collection-docs over the collection and its plugins: any finding it prints fails,
    whatever its exit code."""
    cmd = [
        "antsibull-docs",
        "lint-collection-docs",
        "--plugin-docs",
        "--check-extra-docs-refs",
        "--validate-collection-refs",
        "all",
        str(tree),
    ]
    print(f"  $ {' '.join(cmd)}", flush=True)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    findings = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or findings:
        raise CommandFailed(f"antsibull-docs lint-collection-docs (exit {result.returncode}):\n{findings}")


def build(dest: Path) -> Path:
    """Build the site; return its html directory (dest/html)."""
    html = dest / "html"
    with tempfile.TemporaryDirectory(prefix="lcb-docs-") as tmp:
        work = Path(tmp)
        tree = collection_copy(work / "collections")
        add_guides(tree, work)
        # PYTHONPATH too: antsibull-docs --use-current finds a collection's files (its extra docs) through it, and
        # base_env() points it at the checkout's link, which has no docs/docsite/rst.
        collections = str(work / "collections")
        env = base_env() | {"ANSIBLE_COLLECTIONS_PATH": collections, "PYTHONPATH": collections}
        lint(tree, env)
        source = work / "rst"
        source.mkdir(mode=0o700)  # antsibull-docs writes only into a directory no one else can write to
        run(
            [
                "antsibull-docs",
                "collection",
                "--use-current",
                "--squash-hierarchy",
                "--fail-on-error",
                "--dest-dir",
                source,
                COLLECTION,
            ],
            env=env,
        )
        (work / "conf.py").write_text(
            CONF_PY.format(scripts=str(Path(__file__).resolve().parent), theme_options=theme_options())
        )
        if html.exists():
            shutil.rmtree(html)
        run(["sphinx-build", "-b", "html", "-W", "--keep-going", "-q", "-c", work, source, html], env=env)
    return html


def page_problems(html: Path) -> list[str]:
    """What is wrong with the pages the site must have: missing, or carrying docutils' error markup."""
    problems = []
    for kind, page in PAGES.items():
        path = html / page
        if not path.is_file():
            problems.append(f"{kind} page {page} is missing")
            continue
        text = path.read_text()
        problems += [f"{kind} page {page} shows {marker!r}" for marker in ERROR_MARKUP if marker in text]
    return problems


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise CommandFailed(
        "chromium is missing: install Debian's chromium package (apt-get install chromium; "
        "scripts/bootstrap.sh does it when run as root)"
    )


def screenshot(page: Path, png: Path) -> None:
    """Render the page in headless Chromium into a PNG."""
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",  # Chromium refuses to run as root with its sandbox
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={png.parent / 'chromium-profile'}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--screenshot={png}",
        page.as_uri(),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0 or not png.is_file():
        raise CommandFailed(f"chromium could not screenshot {page} (exit {result.returncode}): {result.stderr[-500:]}")


def pixel_stddev(png: Path) -> float:
    """The standard deviation of the screenshot's grey levels: near 0 for a blank page."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        return ImageStat.Stat(image.convert("L")).stddev[0]


def screenshots(html: Path, out: Path) -> dict[str, tuple[Path, float]]:
    """Screenshot each page of PAGES into out/<kind>.png; return each PNG and its pixel standard deviation."""
    out.mkdir(parents=True, exist_ok=True)
    shots = {}
    for kind, page in PAGES.items():
        png = out / f"{kind}.png"
        png.unlink(missing_ok=True)
        screenshot(html / page, png)
        shots[kind] = (png, pixel_stddev(png))
    return shots


def check(dest: Path, *, take_screenshots: bool = True) -> list[str]:
    """Build the site into dest and return what is wrong with it (empty when it is fine)."""
    html = build(dest)
    problems = page_problems(html)
    if take_screenshots and not problems:
        for kind, (png, stddev) in screenshots(html, dest / "screenshots").items():
            print(f"  {kind}: {png} (pixel stddev {stddev:.1f})")
            if stddev < MIN_PIXEL_STDDEV:
                problems.append(f"{kind} page {PAGES[kind]} renders blank ({png}, pixel stddev {stddev:.1f})")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="where to build (default: .cache/docs-site)")
    parser.add_argument("--no-screenshots", action="store_true", help="build and check the HTML only")
    args = parser.parse_args()
    try:
        problems = check(args.dest.resolve(), take_screenshots=not args.no_screenshots)
    except CommandFailed as exc:
        print(f"docs site: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"docs site: {problem}", file=sys.stderr)
    if not problems:
        print(f"docs site: {args.dest / 'html' / 'index.html'}")
    return 1 if problems else 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
