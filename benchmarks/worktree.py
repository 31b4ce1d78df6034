"""Another commit checked out beside this one, for the before-and-after benchmarks
(``compare_api.py``, ``compare_inprocess.py``)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def checked_out(commit: str) -> Iterator[Path]:
    """``commit`` (a commit, branch or tag) in a temporary git worktree, removed after."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "base"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", str(path), commit], check=True)
        try:
            yield path
        finally:
            subprocess.run([*git, "remove", "--force", str(path)], check=True)
