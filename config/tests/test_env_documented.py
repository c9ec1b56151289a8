"""Every environment variable the project reads is documented in .env.example, and nothing more."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SKIP_DIRS = {".venv", "node_modules", ".git", "var", "test-artifacts"}

PY_PATTERNS = [
    re.compile(
        r"""\benv(?:\.(?:str|bool|int|float|list|dict|json|url|db|db_url|cache|cache_url|email|email_url|path|tuple))?\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    ),
    re.compile(r"""os\.environ(?:\.get|\.setdefault|\.pop)?[\[(]\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
]
SHELL_PATTERN = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
MAKE_OVERRIDABLE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*\?=", re.MULTILINE)
# Variables the shell or tools define, not our configuration.
SHELL_BUILTINS = {"HOME", "PATH", "PWD", "USER", "UID"}


def _files(pattern: str) -> list[Path]:
    return [p for p in ROOT.rglob(pattern) if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]


def variables_read() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    def add(name: str, where: Path) -> None:
        found.setdefault(name, set()).add(str(where.relative_to(ROOT)))

    for path in _files("*.py"):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in PY_PATTERNS:
            for name in pattern.findall(text):
                add(name, path)
    for path in [*_files("*.sh"), ROOT / ".ci" / "run"]:
        for name in set(SHELL_PATTERN.findall(path.read_text(encoding="utf-8"))) - SHELL_BUILTINS:
            add(name, path)
    makefile = ROOT / "Makefile"
    for name in MAKE_OVERRIDABLE.findall(makefile.read_text(encoding="utf-8")):
        add(name, makefile)
    return found


def variables_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = set()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            assert i > 0, f"{match.group(1)} in .env.example needs a comment line above it"
            assert lines[i - 1].startswith("# "), f"{match.group(1)} in .env.example needs a comment line above it"
            names.add(match.group(1))
    return names


def test_every_variable_read_is_documented():
    undocumented = {name: sorted(where) for name, where in variables_read().items() if name not in variables_documented()}
    assert not undocumented, f"add these to .env.example with a comment: {undocumented}"


def test_every_documented_variable_is_read():
    unused = variables_documented() - set(variables_read())
    assert not unused, f".env.example documents variables nothing reads: {sorted(unused)}"


def test_scanner_sees_reads(tmp_path):
    # given a line of each shape the scanner must catch
    sample = 'env.bool("A_ONE")\nos.environ.get("A_TWO")\nos.getenv("A_THREE")\nenv("A_FOUR", default=1)\nos.environ["A_FIVE"]\n'
    # then each is found
    found = {name for pattern in PY_PATTERNS for name in pattern.findall(sample)}
    assert found == {"A_ONE", "A_TWO", "A_THREE", "A_FOUR", "A_FIVE"}
