"""Run a command and measure it: wall time and peak RSS of its whole process tree.

psutil polls the process and all its descendants (for ``optally run``: the client and
the ephemeral Prefect API server it starts) every ``interval`` seconds. The peak of the
tree's summed RSS is reported, and the peak of the largest single process, which is what
``/usr/bin/time -v`` would call "Maximum resident set size". CPU seconds (user + system)
of the whole tree come from ``getrusage(RUSAGE_CHILDREN)``: every process in the tree is
waited for by its parent, so its time is counted; they are steadier than wall time on a
busy machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psutil

MB = 1024 * 1024


@dataclass(slots=True)
class Measured:
    cmd: list[str]
    returncode: int
    wall: float
    peak_tree_rss: int  # bytes, summed over the tree at one instant
    peak_proc_rss: int  # bytes, the largest single process
    peak_procs: int  # the most processes alive in the tree at one instant
    cpu: float  # user + system seconds of the whole tree (getrusage of waited-for children)
    per_process: dict[str, dict[str, float]]  # label -> peak RSS (MB) and CPU seconds seen
    load: tuple[float, float]  # 1-minute load average before and after
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _tree(p: psutil.Process) -> list[psutil.Process]:
    try:
        return [p, *p.children(recursive=True)]
    except psutil.Error:
        return [p]


def run_measured(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    interval: float = 0.05,
    timeout: float | None = None,
) -> Measured:
    load_before = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak_tree = peak_proc = peak_n = 0
    stop = threading.Event()
    seen: dict[int, dict[str, float]] = {}  # pid -> {"rss": peak MB, "cpu": last seconds}
    labels: dict[int, str] = {}

    def poll() -> None:
        nonlocal peak_tree, peak_proc, peak_n
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total = 0
            procs = _tree(root)
            for p in procs:
                try:
                    with p.oneshot():
                        rss = p.memory_info().rss
                        cpu_t = p.cpu_times()
                        if p.pid not in labels:
                            labels[p.pid] = _label(p, root)
                except psutil.Error:
                    continue
                total += rss
                peak_proc = max(peak_proc, rss)
                entry = seen.setdefault(p.pid, {"rss": 0.0, "cpu": 0.0})
                entry["rss"] = max(entry["rss"], rss / MB)
                entry["cpu"] = cpu_t.user + cpu_t.system
            peak_tree = max(peak_tree, total)
            peak_n = max(peak_n, len(procs))
            stop.wait(interval)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    poller.join()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    load = (load_before, os.getloadavg()[0])
    per: dict[str, dict[str, float]] = {}
    for pid, entry in seen.items():
        label = labels.get(pid, "other")
        agg = per.setdefault(label, {"rss": 0.0, "cpu": 0.0})
        agg["rss"] = max(agg["rss"], entry["rss"])
        agg["cpu"] += entry["cpu"]
    # getrusage counts only descendants that their parents waited for; the forkserver's
    # extraction workers are not, so their CPU comes from the polled per-process times.
    cpu = max(cpu, sum(entry["cpu"] for entry in seen.values()))
    return Measured(
        list(cmd), proc.returncode, wall, peak_tree, peak_proc, peak_n, cpu, per, load, out, err
    )


def _label(p: psutil.Process, root: psutil.Process) -> str:
    """client (the command itself), api server (Prefect's temporary uvicorn), extract
    workers (tasks/extract_pool.py) or other."""
    if p.pid == root.pid:
        return "client"
    cmd = " ".join(p.cmdline())
    if "uvicorn" in cmd and "prefect" in cmd:
        return "api server"
    if "multiprocessing" in cmd:  # the forkserver and the extraction workers it forks
        return "extract workers"
    return "other"
