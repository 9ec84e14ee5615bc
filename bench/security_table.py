"""Print the SECURITY.md table from the `case` markers in tests/test_hardening.py.

    python bench/security_table.py > /tmp/table.md
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests" / "test_hardening.py"


def rows() -> list[tuple[str, str, str, str]]:
    tree = ast.parse(TESTS.read_text(encoding="utf-8"))
    out = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and getattr(dec.func, "id", "") == "case":
                cid, what, outcome = (a.value for a in dec.args)
                out.append((cid, what, outcome, node.name))
    return out


def main() -> int:
    print("| # | bad input, fault or attack | outcome (checked by the test) | test |")
    print("|---|---|---|---|")
    for cid, what, outcome, name in rows():
        print(f"| {cid} | {what} | {outcome} | `{name}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
