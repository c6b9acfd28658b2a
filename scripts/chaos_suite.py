"""The real executables of a chaos campaign, each under a label, on private ports and data.

Labels let one executable run more than once: `risk-a` and `risk-b` are two risk-service
replicas, `writer-a` and `writer-b` two persistence-writers on the same database (one
active, one standing by on the lock). Every process logs to `<work>/logs/<label>.log`.
"""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import bus_keys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child before exec: killed when the thread that started it dies (the
    suite's spawner, which lives as long as the driver), even by SIGKILL, so a killed
    campaign never leaves a suite running."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

# label → executable, in start order: the broker, the writers, the venue, then the rest.
LABELS = {
    "bus": "bus",
    "writer-a": "persistence-writer",
    "writer-b": "persistence-writer",
    "venue-sim": "venue-sim",
    "risk-a": "risk-service",
    "risk-b": "risk-service",
    "order-gateway": "order-gateway",
    "reconciler": "reconciler",
}


class Suite:
    """The executables under their labels, on an authenticated bus: a key set made in
    `<work>/keys` (with `clients`: {name: accounts}, client keys), each process started with its key;
    the driver's own connections use `operator_key` (or a client's, `key(name)`)."""

    def __init__(self, bin_dir: Path, work: Path, bus_port: int, venue_port: int, settings: dict[str, str],
                 clients: dict[str, list[str]] | None = None):
        self.bin_dir = bin_dir.resolve()
        self.work = work
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        (work / "data").mkdir(parents=True, exist_ok=True)
        self.database = work / "data" / "breakwater.sqlite"
        # Only our settings: an operator's BW_* variables must not leak into the campaign.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
        self.env.update({
            "BW_BUS_HOST": "127.0.0.1", "BW_BUS_PORT": str(bus_port),
            "BW_VENUE_HOST": "127.0.0.1", "BW_VENUE_PORT": str(venue_port),
            "BW_DB_PATH": str(self.database),
            "BW_VENUE_STATE_PATH": str(work / "data" / "venue-book.json"),
            "BW_LOG_LEVEL": "notice",
        })
        self.env.update(settings)
        self.keys = bus_keys.make(self.bin_dir, work / "keys", clients)
        self.operator_key = self.key("operator")
        self.processes: dict[str, subprocess.Popen] = {}
        self.frozen: set[str] = set()
        # Every child is started by one thread, so their death signal is tied to it (a child's
        # PR_SET_PDEATHSIG fires when the thread that forked it ends, not the process).
        self.spawns: queue.Queue = queue.Queue()
        threading.Thread(target=self.spawner, daemon=True).start()
        # Exits the schedule did not cause (a crash is a finding).
        self.unexpected_exits: list[str] = []

    def key(self, name: str) -> Path:
        """The key file of the peer `name` of this suite's key set."""
        return self.keys / f"{name}.key"

    def missing_binaries(self) -> list[str]:
        return sorted({exe for exe in LABELS.values() if not os.access(self.bin_dir / exe, os.X_OK)})

    def spawner(self) -> None:
        while True:
            label, done = self.spawns.get()
            try:
                if self.is_running(label):
                    continue  # already up: two overlapping events restart it once
                with open(self.logs / f"{label}.log", "ab") as log:
                    self.processes[label] = subprocess.Popen(
                        [str(self.bin_dir / LABELS[label])], cwd=self.work,
                        env={**self.env, **bus_keys.environment(LABELS[label], self.keys)},
                        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
            finally:
                done.set()

    def start(self, label: str) -> None:
        done = threading.Event()
        self.spawns.put((label, done))
        done.wait()

    def start_all(self) -> None:
        for label in LABELS:
            self.start(label)

    def kill(self, label: str) -> None:
        """kill -9 and reap (a frozen process dies too)."""
        process = self.processes.pop(label, None)
        self.frozen.discard(label)
        if process is None or process.poll() is not None:
            return
        process.kill()
        process.wait()

    def stop_one(self, label: str, grace_s: float = 15.0) -> None:
        """SIGTERM and reap (thawed first): a graceful stop, as a scale-down does. A service
        drains for up to BW_SHUTDOWN_TIMEOUT_MS (10 s) and is cancelled 2 s later; one that
        has not exited within the grace (that, and slack for a busy machine) is killed and
        recorded."""
        process = self.processes.pop(label, None)
        if process is None or process.poll() is not None:
            return
        if label in self.frozen:
            self.frozen.discard(label)
            os.kill(process.pid, signal.SIGCONT)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.unexpected_exits.append(f"{label} did not stop within {grace_s:.0f} s of SIGTERM at {time.strftime('%H:%M:%S')}")
            process.kill()
            process.wait()

    def freeze(self, label: str) -> bool:
        process = self.processes.get(label)
        if process is None or process.poll() is not None:
            return False
        os.kill(process.pid, signal.SIGSTOP)
        self.frozen.add(label)
        return True

    def thaw(self, label: str) -> None:
        process = self.processes.get(label)
        self.frozen.discard(label)
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)

    def is_running(self, label: str) -> bool:
        process = self.processes.get(label)
        return process is not None and process.poll() is None

    def check_exits(self) -> None:
        """Records every process that exited without the schedule killing it, and restarts it
        (as a supervisor would), so one crash does not end the campaign."""
        for label, process in list(self.processes.items()):
            code = process.poll()
            if code is not None:
                self.unexpected_exits.append(f"{label} exited with status {code} at {time.strftime('%H:%M:%S')}")
                self.start(label)

    def stop(self, grace_s: float = 10.0) -> None:
        for label in list(self.frozen):
            self.thaw(label)
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def tail(self, label: str, lines: int = 30) -> list[str]:
        path = self.logs / f"{label}.log"
        if not path.exists():
            return []
        return path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
