"""Child processes that cannot outlive their caller, and what they cost.

Every process this package starts (a worker of a multi-worker TensorFlow run, a child that
measures peak memory) is started by :class:`ProcessGroup`: in its own session, with output to
files, waited for with a deadline, and killed (the whole process group, SIGTERM then SIGKILL)
when the ``with`` block ends, normally or by an exception such as a timeout or a notebook
interrupt. Each child is reaped with ``os.wait4``, which also returns the kernel's resource
usage of that one child, including its peak resident set (``ru_maxrss``).

Linux and macOS only (process groups, ``wait4``). Used in chapter 5.1.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .._validation import check_float, check_int, error_message

LOOPBACK = "127.0.0.1"


def free_ports(n: int, host: str = LOOPBACK) -> list[int]:
    """Return ``n`` distinct TCP ports that are free on ``host`` right now (the OS picks them)."""
    n = check_int(n, "n", low=1, high=64)
    sockets = []
    try:
        for _ in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((host, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class ChildResult:
    """What one finished child left behind."""

    returncode: int
    seconds: float
    peak_rss_mb: float  # ru_maxrss from os.wait4 (includes the parent's high-water mark before exec on Linux)
    stdout: str
    stderr: str

    def tail(self, n_chars: int = 3000) -> str:
        return (self.stdout[-n_chars:] + "\n" + self.stderr[-n_chars:]).strip()


@dataclass
class ProcessGroup:
    """Start child processes that are always stopped when the ``with`` block ends.

    Parameters
    ----------
    timeout_s : float, default=120.0
        Deadline for :meth:`wait`, counted from entering the block.

    Examples
    --------
    >>> import sys
    >>> with ProcessGroup(timeout_s=30) as group:
    ...     group.start([sys.executable, "-c", "print(6 * 7)"])
    ...     [result] = group.wait()
    >>> result.stdout.strip()
    '42'
    """

    timeout_s: float = 120.0
    _children: list = field(default_factory=list, init=False, repr=False)
    _results: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        self.timeout_s = check_float(self.timeout_s, "timeout_s", low=0.0, low_inclusive=False, fix="Give seconds, e.g. 120.0.")

    def __enter__(self) -> "ProcessGroup":
        self._deadline = time.monotonic() + self.timeout_s
        self._folder = tempfile.TemporaryDirectory(prefix="fusionlab-children-")
        return self

    def start(self, command: list[str], *, env: dict | None = None) -> int:
        """Start ``command`` (a list of strings) and return its pid."""
        index = len(self._children)
        out = open(Path(self._folder.name) / f"{index}.out", "w+")
        err = open(Path(self._folder.name) / f"{index}.err", "w+")
        environment = dict(os.environ if env is None else env)
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=environment,
                                   start_new_session=True, close_fds=True)
        self._children.append((process, out, err, time.perf_counter()))
        return process.pid

    @property
    def pids(self) -> list[int]:
        return [process.pid for process, *_ in self._children]

    def wait(self) -> list[ChildResult]:
        """Wait for every child until the deadline; return their results in start order.

        Raises
        ------
        TimeoutError
            When a child is still running at the deadline (the ``with`` block then kills it).
        RuntimeError
            As soon as a child exits with a non-zero code (its partners may be waiting for it
            forever); the message ends with its output.
        """
        while len(self._results) < len(self._children):
            for index, (process, out, err, started) in enumerate(self._children):
                if index in self._results:
                    continue
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if not pid:
                    continue
                process.returncode = os.waitstatus_to_exitcode(status)
                scale = 1024 if sys.platform.startswith("linux") else 1  # ru_maxrss: KiB on Linux, bytes on macOS
                result = ChildResult(process.returncode, time.perf_counter() - started, usage.ru_maxrss * scale / 2**20, _read(out), _read(err))
                self._results[index] = result
                if result.returncode != 0:
                    raise RuntimeError(f"a child process exited with code {result.returncode}:\n{result.tail()}")
            if len(self._results) < len(self._children):
                if time.monotonic() > self._deadline:
                    index, (process, out, err, _) = next((i, c) for i, c in enumerate(self._children) if i not in self._results)
                    raise TimeoutError(f"child {process.args[:4]} still running after timeout_s={self.timeout_s}; "
                                       f"it is being killed. Its output so far:\n{_read(out)[-2000:]}\n{_read(err)[-2000:]}")
                time.sleep(0.01)
        return [self._results[i] for i in range(len(self._children))]

    def __exit__(self, *exc_info) -> None:
        for process, *_ in self._children:
            if process.returncode is None:
                _signal_group(process.pid, signal.SIGTERM)
        grace = time.monotonic() + 3.0
        for process, out, err, _ in self._children:
            if process.returncode is None:
                while time.monotonic() < grace and process.poll() is None:
                    time.sleep(0.01)
                if process.poll() is None:
                    _signal_group(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            _signal_group(process.pid, signal.SIGKILL)  # grandchildren left in the group, if any
            out.close()
            err.close()
        self._folder.cleanup()


def _read(handle) -> str:
    handle.flush()
    handle.seek(0)
    return handle.read()


def _signal_group(pid: int, sig) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def measure_peak_memory(target: str, kwargs: dict | None = None, *, preload: tuple[str, ...] = (),
                        timeout_s: float = 300.0) -> dict:
    """Run ``module:function(**kwargs)`` in a fresh Python process; return its result and peak memory.

    The child imports the function's module, records its resident set (``VmRSS``) just
    before the call, calls it, and prints the JSON result with its peak resident set
    (``VmHWM``, the kernel's high-water mark of this program's memory): every allocation
    counts (NumPy, SciPy's and scikit-learn's C code, the interpreter), and so do file pages
    that were memory-mapped and touched.

    Why not ``ru_maxrss`` from ``os.wait4``? On Linux a child starts as a copy of its parent,
    and ``exec`` keeps the copy's high-water mark in ``ru_maxrss``: a child of a 700 MB
    notebook kernel reports at least 700 MB, whatever it does after. ``VmHWM`` belongs to the
    program the child runs after ``exec``. (Without ``/proc``, e.g. on macOS, ``ru_maxrss`` is
    the fallback.)

    Parameters
    ----------
    target : str
        ``"package.module:function"``; the function takes JSON-able keyword arguments and
        returns a JSON-able value.
    kwargs : dict, default=None
    preload : tuple of str, default=()
        Modules the child imports before it records its baseline (e.g. ``("sklearn.linear_model",)``),
        so that ``peak_rss_mb - baseline_rss_mb`` is the call's own memory, not the libraries'.
    timeout_s : float, default=300.0
        The child is killed (and TimeoutError raised) past this.

    Returns
    -------
    measurement : dict
        ``{"result": ..., "peak_rss_mb": float, "baseline_rss_mb": float, "seconds": float}``;
        ``baseline_rss_mb`` is the resident set after the imports, before the call.

    See Also
    --------
    tracemalloc : counts only allocations that report to Python (NumPy arrays do; scikit-learn's
        and SciPy's internal C buffers do not), in-process, at a cost in speed.
    """
    if not isinstance(target, str) or target.count(":") != 1:
        raise ValueError(error_message("target", "a 'package.module:function' string", target, "E.g. 'fusionlab.scale.streaming:train_click_log'."))
    with ProcessGroup(timeout_s=timeout_s) as group:
        group.start([sys.executable, "-m", "fusionlab.scale._child", target, json.dumps(kwargs or {}), ",".join(preload)])
        [child] = group.wait()
    payload = json.loads(child.stdout.strip().splitlines()[-1])
    peak = payload.get("peak_rss_mb")
    peak = child.peak_rss_mb if peak is None or peak != peak else peak  # NaN without /proc
    return {"result": payload["result"], "peak_rss_mb": peak, "baseline_rss_mb": payload["baseline_rss_mb"],
            "seconds": child.seconds}


def live_children(*, include_resource_tracker: bool = False) -> list[int]:
    """Pids of this process's living descendants (psutil).

    Python's ``multiprocessing`` resource tracker (one per interpreter, started the first time
    a worker is spawned, and gone when the interpreter exits because it reads a pipe from it)
    is left out unless ``include_resource_tracker``: it is not a worker, and killing it only
    makes ``multiprocessing`` start another.
    """
    import psutil

    pids = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
            if not include_resource_tracker and "multiprocessing.resource_tracker" in " ".join(child.cmdline()):
                continue
        except psutil.Error:  # it ended while we looked
            continue
        pids.append(child.pid)
    return sorted(pids)
