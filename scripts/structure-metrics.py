#!/usr/bin/env python3
"""The structure's numbers that issue 25 asks to measure before and after a restructuring.

- lines of C# per source project (hosts should be thin);
- interpolated SQL strings outside the places that own SQL: an interpolated string literal ($"...", $@"...",
  $\"\"\"...\"\"\") whose text holds a SQL statement keyword. The owners: `src/Segmenta/Sql/` (builder and dialects),
  one `*Sql.cs` per feature folder and per adapter, the segment compiler's writer (`SegmentSqlWriter.cs`,
  `SegmentQuery.cs`), and the schema's migrations (`WarehouseSchema.cs`, whose DDL is the schema);
- public types of the core (src/Segmenta): `public` class/record/struct/interface/enum declarations;
- which source projects each project references.

Run from the repository root: python3 scripts/structure-metrics.py
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
src = root / "src"
SQL = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|VIEW|SCHEMA|UNIQUE)|ALTER\s+TABLE|DROP\s+(TABLE|INDEX|VIEW)|COPY\s)")
INTERPOLATED = re.compile(r'\$+@?("""[\s\S]*?"""|"(?:[^"\\\n]|\\.|"")*")')


def owns_sql(path: pathlib.Path) -> bool:
    rel = path.relative_to(src).as_posix()
    return "/Sql/" in "/" + rel or path.stem.endswith("Sql") or path.name in ("SegmentSqlWriter.cs", "SegmentQuery.cs", "WarehouseSchema.cs")


def main() -> None:
    print("| project | C# lines | files |")
    print("|---|---:|---:|")
    for project in sorted(p for p in src.iterdir() if p.is_dir()):
        files = [f for f in project.rglob("*.cs") if "/obj/" not in f.as_posix() and "/bin/" not in f.as_posix()]
        lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
        print(f"| {project.name} | {lines} | {len(files)} |")

    outside = {}
    for f in src.rglob("*.cs"):
        if "/obj/" in f.as_posix() or owns_sql(f):
            continue
        text = f.read_text(encoding="utf-8")
        hits = sum(1 for m in INTERPOLATED.finditer(text) if SQL.search(m.group(1)))
        if hits:
            outside[f.relative_to(root).as_posix()] = hits
    print()
    print(f"interpolated SQL strings outside the owners (Sql/, *Sql.cs, the compiler, the migrations): {sum(outside.values())} in {len(outside)} files")
    if "-v" in sys.argv:
        for path, n in sorted(outside.items(), key=lambda kv: -kv[1]):
            print(f"  {n:4d} {path}")

    core = [f for f in (src / "Segmenta").rglob("*.cs") if "/obj/" not in f.as_posix()]
    public = sum(len(re.findall(r"^\s*public\s+(?:(?:sealed|static|abstract|readonly|partial|record)\s+)*(?:class|record|struct|interface|enum)\s", f.read_text(encoding="utf-8"), re.M)) for f in core)
    print(f"public types in the core (src/Segmenta): {public}")

    print()
    for csproj in sorted(src.rglob("*.csproj")):
        refs = re.findall(r'ProjectReference Include="[^"]*?([\w.]+)\.csproj"', csproj.read_text(encoding="utf-8"))
        print(f"{csproj.stem} -> {', '.join(refs) or '(none)'}")


main()
