"""Run a notebook top to bottom in a fresh kernel and measure it (time, peak memory)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class RunStats:
    seconds: float
    peak_mb: float     # the kernel's peak resident memory (VmHWM)
    errors: list[str]  # "cell N: ename: evalue" for every error output


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process, from /proc (0 where /proc is missing)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_notebook(nb, cwd: Path, timeout: int = 120, forked: bool = False):
    """Execute ``nb`` (in place) with its working folder ``cwd``; return (nb, RunStats).

    ``forked``: the kernel is forked from a pre-imported parent
    (:mod:`autograder.dev.kernel_zygote`), still fresh for this notebook but without the
    start and imports each time; for tests that run many lessons, not for measuring them."""
    from nbclient import NotebookClient

    extra = {}
    if forked:
        from autograder.dev.kernel_zygote import ForkedKernelManager

        extra["kernel_manager_class"] = ForkedKernelManager
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}}, **extra)
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = peak_rss_mb(pid)
    seconds = time.perf_counter() - start
    errors = [f"cell {i + 1}: {o.get('ename')}: {o.get('evalue')}"
              for i, cell in enumerate(nb.cells) for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    return nb, RunStats(seconds, peak, errors)
