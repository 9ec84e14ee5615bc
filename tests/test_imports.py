"""Import contract: the core never imports the UI or heavy libraries at start-up."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_importing_the_core_does_not_import_textual():
    mods = modules_after("import drafter.pipeline, drafter.store, drafter.fetch, drafter.extract,"
                         " drafter.cli, drafter.records")
    assert "textual" not in mods


def test_the_cli_module_does_not_import_heavy_libraries():
    mods = modules_after("import drafter.cli")
    assert not {"spacy", "sklearn", "trafilatura", "textual", "httpx"} & mods
