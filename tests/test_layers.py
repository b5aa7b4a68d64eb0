"""The layers of DESIGN.md hold: imports point down, and nothing below survey/ui touches Qt.

The contracts are import-linter's, in pyproject.toml ([tool.importlinter]): the layer list
is DESIGN.md's (and the README's picture), with the demo and simulate workflows at the top
beside the command line. This test runs them, so a wrong import fails the suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_of_pyproject_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is in the test group: run `uv sync`"
    proc = subprocess.run([lint_imports, "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_the_contracts_name_every_layer_of_design():
    """The layers contract lists exactly the packages of survey/ (a new one must be placed)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    named = {part.strip().removeprefix("survey.") for layer in layers for part in layer.split("|")}
    present = {
        p.stem
        for p in (ROOT / "survey").iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and p.stem not in ("__init__", "__main__"))
    }
    assert named == present


def test_headless_layers_never_load_qt():
    code = (
        "import sys, survey.cli, survey.project.store, survey.rf.interpolation, survey.scan.parsers, "
        "survey.scan.registry, survey.analysis.recommend, survey.report, survey.demo\n"
        "survey.cli.build_parser()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(loaded)\n"
        "raise SystemExit(1 if loaded else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
