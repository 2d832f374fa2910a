"""The import layers of pyproject.toml hold, and a deliberate violation breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.manage_child import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("breachdesk", "incidents", "vendors", "integrations")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the code and its contracts, to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(tree: Path, module: str, line: str) -> None:
    path = tree / f"{module.replace('.', '/')}.py"
    path.write_text(f"{line}  # noqa\n{path.read_text()}")


def test_the_code_keeps_every_layer_contract(tree):
    result = _lint_imports(tree)

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("incidents.services.deadlines", "import incidents.views.lists", "Incidents in layers"),
        ("incidents.selectors.scope", "import incidents.services.triage", "Incidents in layers"),
        ("incidents.clocks.engine", "import django.db", "The clock engine"),
        ("vendors.selectors", "import incidents.models", "The inventory never imports incidents"),
        ("incidents.services.deadlines", "import incidents.services.reminders", "no cycle"),
    ],
)
def test_a_deliberate_violation_breaks_its_contract(tree, module, line, contract):
    _add_import(tree, module, line)

    result = _lint_imports(tree)

    assert result.returncode != 0
    assert contract in result.stdout
    assert "BROKEN" in result.stdout
