"""Servers the tests start: stopped the same way everywhere."""

from __future__ import annotations

import os
import signal
import subprocess


def stop(process: subprocess.Popen, *, group: bool = False) -> None:  # type: ignore[type-arg]
    """SIGTERM, then SIGKILL (the whole process group with ``group``) after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()
