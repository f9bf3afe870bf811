"""Tests wait on conditions, never for a fixed time: poll until something is true, with a deadline."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.1,
    process: subprocess.Popen[str] | None = None,
) -> bool:
    """Poll ``condition`` until it is true (→ True) or ``timeout`` seconds pass (→ False).

    With ``process`` (a worker the test started), fail at once with its output if it dies meanwhile, instead
    of waiting out the deadline for something that can no longer happen.
    """
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the process died (exit {process.returncode}): {output[-2000:]}")
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
