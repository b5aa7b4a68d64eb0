"""The layers of DESIGN.md hold: imports point down, and nothing below survey/ui touches Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SURVEY = Path(__file__).resolve().parents[1] / "survey"

#: layer -> the survey layers it may import (besides itself and the shared modules)
ALLOWED = {
    "project": set(),
    "rf": {"project"},
    "scan": {"rf", "project"},
    "netcheck": {"rf", "project"},
    "analysis": {"scan", "netcheck", "rf", "project"},
    "report": {"analysis", "scan", "netcheck", "rf", "project"},
    "ui": {"report", "analysis", "scan", "netcheck", "rf", "project"},
}
#: The workflows at the top, beside the command line: they drive the layers (and open the
#: window), so no layer imports them; the window gets the demo as a callable.
TOP = {"cli", "demo", "simulate"}
#: every survey module that is a layer or sits above the layers (errors and paths are shared)
LAYERS = set(ALLOWED) | TOP
QT = ("PySide6", "pyqtgraph", "shiboken6")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_imports_point_down_the_layers():
    wrong = []
    for layer, allowed in ALLOWED.items():
        for path in (SURVEY / layer).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if layer != "ui" and parts[0] in QT:
                    wrong.append(f"{path.relative_to(SURVEY)} imports {name} (Qt below survey/ui)")
                if parts[0] == "survey" and len(parts) > 1:
                    target = parts[1]
                    if target in LAYERS and target not in allowed | {layer}:
                        wrong.append(f"{path.relative_to(SURVEY)} imports {name}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_the_gui_never_imports_the_demo_or_the_simulation():
    """survey.ui -> survey.demo -> survey.ui.app was a cycle: the demo reaches the window from
    the top (cli and demo pass ``write_gui_demo`` to ``run_gui``), never the other way."""
    wrong = sorted(f"{path.relative_to(SURVEY)} imports {name}"
                   for path in (SURVEY / "ui").rglob("*.py") for name in _imports(path)
                   if name.split(".")[:2] in (["survey", "demo"], ["survey", "simulate"]))
    assert not wrong, "\n".join(wrong)


def test_headless_layers_never_load_qt():
    code = ("import sys, survey.cli, survey.project.store, survey.rf.interpolation, survey.scan.parsers, "
            "survey.scan.registry, survey.analysis.recommend, survey.report, survey.demo\n"
            "survey.cli.build_parser()\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
            "print(loaded)\n"
            "raise SystemExit(1 if loaded else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
