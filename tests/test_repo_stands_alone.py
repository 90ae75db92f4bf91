"""No file of the project refers to anything outside the repository.

Someone who clones the project has only what is in it: the clinical criteria, the contract
and the sources of the FAQ live in docs/. This test reads every tracked file (git ls-files)
and fails, naming file and line, on a reference that leads outside: the folder the project
was checked out in on its first machine, the shared folder it was started from or one of that
folder's files, a relative path that climbs above the repository, or a Markdown link to a file
the repository does not have.
"""

import os
import re
import subprocess
from pathlib import Path, PurePosixPath
from typing import List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIS_FILE = PurePosixPath("tests/test_repo_stands_alone.py")

# (pattern, what it points at). Each is narrow enough that ordinary words do not match:
# "a shared store" or Rasa's `rasa.shared` package are fine, "../shared" is not.
OUTSIDE = [
    (re.compile(r"/work/"), "a folder of the machine the project was first written on"),
    (re.compile(r"\.\./shared\b|\bshared/(?:knowledge|hooks|CONTRACT)"), "the shared folder"),
    (re.compile(r"\bshared folder\b", re.IGNORECASE), "the shared folder"),
    (re.compile(r"CONTRACT\.md"), "the shared folder's contract (now docs/contract.md)"),
    (
        re.compile(r"sacral-dimple-criteria|back-dimples-source|rasa-3\.6-notes"),
        "a file of the shared folder (its content is in docs/ now)",
    ),
]
# A relative path that starts by going up: it must stay inside the repository.
CLIMBING_PATH = re.compile(r"(?:\.\./)+[^\s\"'`()\[\]<>,;]*")
# [text](target) in Markdown.
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# Links that are not files: web addresses, mail, anchors in the same page.
NOT_A_FILE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)", re.IGNORECASE)

# The only file allowed to spell out the patterns above is this test.
ALLOWED_FILES = {THIS_FILE}


def tracked_files() -> List[PurePosixPath]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [PurePosixPath(name) for name in listed.split("\0") if name]


def _inside(path: PurePosixPath, target: str) -> str:
    """`target`, seen from the folder of `path`, as a path from the repository root;
    starts with '..' when it leads outside."""
    return os.path.normpath(os.path.join(str(path.parent), target))


def outside_references(path: PurePosixPath, text: str, known: Set[str]) -> List[str]:
    """'file:line: what it points at: the text' for each reference that leads outside.

    `known` holds the tracked files and the folders that contain them."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        for pattern, what in OUTSIDE:
            if pattern.search(line):
                problems.append(f"{where}: {what}: {line.strip()[:120]}")
        for match in CLIMBING_PATH.finditer(line):
            if _inside(path, match.group()).startswith(".."):
                problems.append(
                    f"{where}: a path above the repository ({match.group()}): {line.strip()[:120]}"
                )
        if path.suffix != ".md":
            continue
        for target in MARKDOWN_LINK.findall(line):
            if NOT_A_FILE.match(target):
                continue
            resolved = _inside(path, target.split("#")[0])
            if resolved.startswith("..") or resolved not in known:
                problems.append(f"{where}: a link to a file the repository lacks ({target})")
    return problems


def _known(files: List[PurePosixPath]) -> Set[str]:
    known = {str(f) for f in files}
    known.update(str(parent) for f in files for parent in f.parents)
    return known


def test_no_tracked_file_refers_outside_the_repository():
    files = tracked_files()
    assert len(files) > 50, "git ls-files listed too few files; is this the repository?"
    known = _known(files)
    problems = []
    for path in files:
        if path in ALLOWED_FILES:
            continue
        try:
            text = (ROOT / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):  # binary, or deleted but not staged
            continue
        problems.extend(outside_references(path, text, known))
    assert not problems, "References outside the repository:\n" + "\n".join(problems)


KNOWN = {"docs", "docs/screening.md", "docs/channels", "docs/channels/web.md", "README.md"}


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("screening/triage.py", "The rules follow ../shared/knowledge/sacral-dimple-criteria.md"),
        ("domain.yml", "# names are fixed in CONTRACT.md"),
        ("README.md", "follow the contract of the project's shared folder."),
        ("docs/screening.md", "see /work/shared/notes.md"),
        ("docs/screening.md", "from `back-dimples-source.txt`"),
        ("scripts/model.py", 'DATA = ROOT / "../../data"'),
        ("docs/channels/web.md", "see [the criteria](../../criteria.md)"),
        ("docs/screening.md", "see [the criteria](criteria.md)"),
        ("README.md", "see [the contract](docs/missing.md#intents)"),
    ],
)
def test_the_check_finds_each_kind_of_outside_reference(path, line):
    assert outside_references(PurePosixPath(path), line, KNOWN)


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("channels/rest.py", "from rasa.shared.constants import INTENT_MESSAGE_PREFIX"),
        ("docs/deployment.md", "several replicas need a shared store"),
        ("docs/channels/web.md", "see [how it decides](../screening.md#decision)"),
        ("README.md", "details in [the docs](docs/screening.md) and [Rasa](https://rasa.com/)"),
        ("tests/test_bad_input.py", 'sender = "../x/y?z#"'),
        ("docs/screening.md", "names as in [the FAQ](#faq)"),
    ],
)
def test_the_check_lets_references_inside_the_repository_pass(path, line):
    assert outside_references(PurePosixPath(path), line, KNOWN) == []
