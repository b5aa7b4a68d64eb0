"""Fake command-line tools (nmcli, iw, wpa_cli, netsh) written into a tmp ``bin`` directory.

Each fake is a small Python script that picks a behaviour by matching its arguments,
prints canned output, and exits with the given code (or sleeps past a timeout).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Behaviour:
    stdout: bytes = b""
    stderr: str = ""
    exit_code: int = 0
    sleep_s: float = 0.0


_SCRIPT = """#!{python}
import json, sys, time
rules = json.load(open({rules!r}))
args = " ".join(sys.argv[1:])
open({log!r}, "a").write(args + "\\n")
for needle, b in rules:
    if needle in args:
        time.sleep(b["sleep_s"])
        sys.stdout.buffer.write(bytes.fromhex(b["stdout"]))
        sys.stderr.write(b["stderr"])
        sys.exit(b["exit_code"])
sys.stderr.write("fake: no rule for " + args)
sys.exit(99)
"""


def install(bin_dir: Path, name: str, rules: list[tuple[str, Behaviour]]) -> Path:
    """Write fake ``name`` into ``bin_dir``: the first rule whose text occurs in the arguments wins.

    Every call's arguments are appended to ``bin_dir/name.log``.
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    rules_file = bin_dir / f"{name}.rules.json"
    rules_file.write_text(
        json.dumps(
            [
                [needle, {"stdout": b.stdout.hex(), "stderr": b.stderr, "exit_code": b.exit_code, "sleep_s": b.sleep_s}]
                for needle, b in rules
            ]
        )
    )
    path = bin_dir / name
    path.write_text(_SCRIPT.format(python=sys.executable, rules=str(rules_file), log=str(bin_dir / f"{name}.log")))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def calls(bin_dir: Path, name: str) -> list[str]:
    log = bin_dir / f"{name}.log"
    return log.read_text().splitlines() if log.exists() else []


def only_path(monkeypatch, bin_dir: Path) -> None:
    """PATH = just the fakes, so a real nmcli/iw on the machine is never run."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("PATH", str(bin_dir))
    os.environ["PATH"] = str(bin_dir)
