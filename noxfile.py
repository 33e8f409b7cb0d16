"""`make test-matrix`: sanity, unit and integration on every cell of the version matrix, one nox session each.

The cells (scripts/devtools.py MATRIX) are the ends of the declared range: the oldest ansible-core that
meta/runtime.yml accepts with the oldest amazon.aws PyPI carries, and the newest, which is the main toolchain.
Their venvs are pinned and made by scripts/bootstrap.sh, so nox makes none (venv_backend "none"): each session
runs `scripts/test.py --cell NAME` with the toolchain's Python. `make test` runs the same cells, the newest through
its own sanity, unit and integration stages and the others through its `matrix` stage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "scripts"))

from devtools import MATRIX, VENV_BIN  # noqa: E402

nox.options.default_venv_backend = "none"
nox.options.error_on_missing_interpreters = True


@nox.session(venv_backend="none")
@nox.parametrize("cell", [cell.name for cell in MATRIX], ids=[cell.name for cell in MATRIX])
def matrix(session: nox.Session, cell: str) -> None:
    """sanity, unit and integration on one cell (`nox -s "matrix(oldest)"`)."""
    session.run(str(VENV_BIN / "python"), "scripts/test.py", "--cell", cell, *session.posargs, external=True)
