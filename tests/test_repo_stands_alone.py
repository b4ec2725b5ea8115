"""The repository stands on its own: no file points a reader at documents outside it.

The design it follows is in docs/ (ARCHITECTURE.md, CONTRACTS.md, SOURCES.md, DEPLOY.md, ...).
A citation of the project's old design card or research notes, which never lived in this
repository, would send a newcomer to a file they cannot open; this test finds any that
come back.

Scanned: every file git knows of (tracked, and new ones not yet ignored), except binary files
and tests/fixtures/real/specs (the real corpus's page specs, quoted source text and annotators'
notes, kept as labelled).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()
SKIPPED_DIRS = ("tests/fixtures/real/specs/",)
# Used only when git cannot list the files (a copy of the tree without .git).
UNLISTED_DIRS = frozenset({".git", ".venv", "data", "__pycache__", ".pytest_cache", ".ruff_cache"})

# (what it is, pattern). Case-sensitive on purpose: docs/SOURCES.md is upper case, the
# research note of the same name was lower case.
OUTSIDE_DOCUMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a path into the design folder beside the checkout", re.compile(r"\.\./shared|/work/shared")),
    ("the design card", re.compile(r"DESIGN\.md")),
    ("the research notes", re.compile(r"research[/]|research §|research notes")),
    (
        "a research note by name",
        re.compile(r"\b(?:prefect|aesthetics|peers)\.md|(?<![A-Z/])\bsources\.md\b"),
    ),
    # A bare section number ("(§1.6)") cited the research notes; a section of a document of
    # the repository or of an RFC names it on the same line.
    (
        "a section number of no named document",
        re.compile(r"^(?!.*(?:\b[A-Z]+\.md\b|\bRFC \d)).*§\s?\d"),
    ),
)


def repo_files() -> list[str]:
    """Paths relative to the root: git's list (tracked and untracked, not ignored)."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.CalledProcessError):
        return sorted(
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not UNLISTED_DIRS & set(p.relative_to(ROOT).parts)
        )
    return sorted({name for name in done.stdout.decode().split("\0") if name})


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file (a NUL byte, or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def outside_references(text: str) -> list[tuple[int, str, str]]:
    """(line number, what, line) for each line that refers to a document outside the repo."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in OUTSIDE_DOCUMENTS:
            if pattern.search(line):
                found.append((number, what, line.strip()))
    return found


# The old citations below are assembled from pieces, so that a search of the repository for
# them (grep) finds none in this file either.
MD = ".md"
SLASH = "/"


def test_the_patterns_catch_every_old_citation_and_spare_the_repos_own_docs() -> None:
    old = [
        f'(..{SLASH}DESIGN{MD} "Vocabulary")',
        f"(DESIGN{MD} contract 5)",
        f"research{SLASH}sources{MD} §1.4",
        "(research §1.5)",
        "# --- Europol newsroom (research §2) ---",
        f"(prefect{MD} §2.5: without them",
        f'research{SLASH}aesthetics{MD}, "Stacked retry layers"',
        f"peers{MD}",
        f"sources{MD} §3",
        f"evidence in ..{SLASH}shared{SLASH}research{SLASH}sources{MD}",
        "cites the research notes by section",
        "# verified by three feed registries in 2026 (§1.6). It carries only the newest",
    ]
    assert [line for line in old if not outside_references(line)] == []
    own = [
        'docs/SOURCES.md, "National Crime Agency"',
        "see docs/CONTRACTS.md and docs/ARCHITECTURE.md",
        "accountability research crawler",
        'docs/DEPLOY.md "Prefect server on PostgreSQL"',
        "RFC 9309 §2.3.1: 2xx -> rules; 4xx -> no rules (allow all)",
        "(an HTTP-date, RFC 9110 §10.2.3)",
        "docs/RELIABILITY.md §9.1",
    ]
    assert [line for line in own if outside_references(line)] == []


def test_no_file_refers_to_documents_outside_the_repository() -> None:
    files = repo_files()
    assert {"README.md", "docs/SOURCES.md", THIS_FILE} <= set(files)  # the listing works
    offenders = []
    for name in files:
        if name == THIS_FILE or name.startswith(SKIPPED_DIRS):
            continue
        path = ROOT / name
        if not path.is_file():  # deleted in the working tree, not yet in git
            continue
        text = text_of(path)
        if text is None:
            continue
        offenders += [f"{name}:{n}: {what}: {line}" for n, what, line in outside_references(text)]
    assert offenders == [], "\n".join(offenders)
