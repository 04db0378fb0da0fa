"""Import circles and room sizes of the product code, from the source text alone (no project code runs).

Copied unchanged in its checks from the project's shared tools (`shared/tools/import_graph.py`), so a clone checks
its own layout (tests/unit/test_code_layout.py).

usage: import_graph.py ROOT PACKAGE...   e.g. import_graph.py . printer_app workers
Prints each circle (strongly connected set of modules), the largest top-level folder share, and the number of
modules directly in printer_app/services/; exit 0 when there is no circle, no folder holds more than 25 % of
the lines, and services/ keeps at most 8 modules at its top level.
"""

import ast
import sys
from pathlib import Path


def modules(root: Path, packages: list[str]) -> dict[str, Path]:
    out = {}
    for pkg in packages:
        for f in (root / pkg).rglob("*.py"):
            parts = list(f.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = f
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for t in targets:
            while t and t not in known:
                t = t.rsplit(".", 1)[0] if "." in t else ""
            if t and t != name:
                found.add(t)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main() -> None:
    root, packages = Path(sys.argv[1]), sys.argv[2:]
    known = modules(root, packages)
    # a package's __init__ re-exporting its children is not a circle of design: ignore edges into __init__ parents
    graph = {m: {t for t in imports(m, p, known) if not m.startswith(t + ".")} for m, p in known.items()}
    found = circles(graph)
    for c in found:
        print("circle:", " <-> ".join(c))
    lines: dict[str, int] = {}
    total = 0
    for m, p in known.items():
        n = sum(1 for _ in p.open())
        total += n
        room = m if p.name == "__init__.py" else m.rsplit(".", 1)[0]  # a room = the folder a module sits in
        lines[room] = lines.get(room, 0) + n
    big, share = max(((r, n / total) for r, n in lines.items()), key=lambda x: x[1])
    flat = [m for m, p in known.items() if p.parent == root / "printer_app" / "services" and p.name != "__init__.py"]
    print(f"largest room {big}: {share:.0%} of {total} lines; modules directly in services/: {len(flat)}")
    ok = not found and share <= 0.25 and len(flat) <= 8
    print(f"layout: {len(found)} circles, largest room {share:.0%}, services/ top level {len(flat)} modules")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
