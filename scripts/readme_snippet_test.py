#!/usr/bin/env python3
"""Runs the README's Python snippet against the real suite, so the README cannot rot.

What it does:
  1. extracts the ```python block that follows the line `<!-- readme-snippet -->`
     in README.md;
  2. starts the real executables (bus, persistence-writer, venue-sim, risk-service,
     order-gateway, reconciler) from the bin dir, on free loopback ports, with a
     temporary data dir (BW_BUS_PORT, BW_VENUE_PORT, BW_DB_PATH), on an authenticated bus:
     the real `tradectl keys init` and `keys add-client --name strategy-1 --accounts acct-1`
     make the keys in <work>/data/keys, where the snippet (run in <work>) reads its key;
  3. waits — polling with a deadline of 60 s, no fixed sleeps — until the bus
     answers `bus.status`, the venue-sim answers on its own RPC endpoint and
     streams a tick, and the order-gateway answers a dry `order.get` for a
     random client_order_id (NOT_FOUND is an answer; UNAVAILABLE / OVERLOADED /
     TIMEOUT mean "not ready yet");
  4. rewrites only the port number 5555 in the snippet to the chosen bus port,
     runs it with a 30 s timeout, and expects exit status 0 and a printed line
     with an order state (`filled` or `accepted`);
  5. always stops the processes (SIGTERM, then SIGKILL after 5 s).

The last line is `readme-snippet: 1 passed, 0 failed` (exit 0) or
`readme-snippet: 0 passed, 1 failed` (exit 1).

Usage: scripts/readme_snippet_test.py [--bin-dir DIR] [--readme FILE] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bus_keys  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MARKER = "<!-- readme-snippet -->"
# Start order: the broker first, then the writer (everyone's durable state), the
# venue, and the services that depend on them.
SERVICES = ["bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler"]
READY_DEADLINE_S = 60.0
SNIPPET_TIMEOUT_S = 30.0
STOP_GRACE_S = 5.0
# Error codes that mean "the suite is still coming up": ask again.
NOT_READY_CODES = {"UNAVAILABLE", "OVERLOADED", "TIMEOUT"}
STATE_LINE = re.compile(r"\b(filled|accepted)\b")


class Failure(Exception):
    """The check failed; the message says why."""


# MARK: README


def extract_snippet(readme: Path) -> str:
    """The body of the ```python block right after the marker line (exactly one marker)."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    marks = [i for i, line in enumerate(lines) if line.strip() == MARKER]
    if len(marks) != 1:
        raise Failure(f"{readme}: expected exactly one '{MARKER}' line, found {len(marks)}")
    i = marks[0] + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "```python":
        raise Failure(f"{readme}: '{MARKER}' must be followed by a ```python block")
    body = []
    for line in lines[i + 1 :]:
        if line.strip() == "```":
            return "\n".join(body) + "\n"
        body.append(line)
    raise Failure(f"{readme}: the ```python block after '{MARKER}' is not closed")


def retarget(snippet: str, bus_port: int) -> str:
    """Replaces the port number 5555 (and nothing else) with the test's bus port."""
    rewritten, count = re.subn(r"(?<!\d)5555(?!\d)", str(bus_port), snippet)
    if count == 0:
        raise Failure("the README snippet does not mention port 5555; it must connect to the default bus endpoint")
    return rewritten


# MARK: Ports


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_block(count: int, avoid: set[int]) -> int:
    """A base port such that base … base+count-1 are free now and not in `avoid`."""
    for _ in range(500):
        base = random.randint(20_000, 60_000 - count)
        block = set(range(base, base + count))
        if not (block & avoid) and all(port_is_free(p) for p in block):
            return base
    raise Failure(f"found no block of {count} free loopback ports")


# MARK: Processes


class Suite:
    """The six executables, each logging to its own file in the work dir."""

    def __init__(self, bin_dir: Path, work: Path, bus_port: int, venue_port: int):
        self.bin_dir = bin_dir
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        # Only our settings: an operator's BW_* variables must not leak into the test.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
        if "BW_LOG_LEVEL" in os.environ:
            self.env["BW_LOG_LEVEL"] = os.environ["BW_LOG_LEVEL"]
        self.env.update({
            "BW_BUS_HOST": "127.0.0.1",
            "BW_BUS_PORT": str(bus_port),
            "BW_VENUE_HOST": "127.0.0.1",
            "BW_VENUE_PORT": str(venue_port),
            "BW_DB_PATH": str(work / "data" / "breakwater.sqlite"),
        })
        (work / "data").mkdir(parents=True, exist_ok=True)
        self.keys = work / "data" / "keys"
        self.processes: dict[str, subprocess.Popen] = {}
        self.work = work

    def make_keys(self) -> None:
        """The suite's keys, and the README's strategy-1 bound to acct-1 (what the README tells the user to run)."""
        bus_keys.make(self.bin_dir, self.keys, {"strategy-1": ["acct-1"]})

    def check_binaries(self) -> None:
        missing = [name for name in SERVICES if not os.access(self.bin_dir / name, os.X_OK)]
        if missing:
            raise Failure(f"missing executables in {self.bin_dir}: {', '.join(missing)} (run `swift build` first)")

    def start(self) -> None:
        for name in SERVICES:
            log = open(self.logs / f"{name}.log", "wb")
            try:
                self.processes[name] = subprocess.Popen(
                    [str(self.bin_dir / name)], cwd=self.work, env={**self.env, **bus_keys.environment(name, self.keys)},
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            finally:
                log.close()  # the child holds its own descriptor

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            code = process.poll()
            if code is not None:
                raise Failure(f"{name} exited early with status {code}")

    def stop(self) -> None:
        """SIGTERM to every process we started, SIGKILL to any still alive after the grace."""
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                try:
                    process.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE_S
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"readme-snippet: {name} ignored SIGTERM for {STOP_GRACE_S:.0f} s; killing it", flush=True)
                process.kill()
                process.wait()

    def dump_logs(self, lines: int = 40) -> None:
        for name in SERVICES:
            path = self.logs / f"{name}.log"
            if not path.exists():
                continue
            tail = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            print(f"----- {name} (last {len(tail)} lines of {path})", flush=True)
            for line in tail:
                print(f"  {line}", flush=True)


# MARK: Readiness


class Prober:
    """A DEALER client that sends requests and waits for the reply to one of them."""

    def __init__(self, zmq, endpoint: str, key_file: Path | None = None, server: str = "bus"):
        self.zmq = zmq
        self.socket = zmq.Context.instance().socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        bus_keys.curve(self.socket, key_file, server)
        self.socket.connect(endpoint)
        self.endpoint = endpoint

    def close(self) -> None:
        self.socket.close(0)

    def ask(self, *, type_: str, service: str, body: dict, key: str | None, wait_s: float):
        """Sends one request; returns (header, body) of its reply, or None if none came in `wait_s`."""
        request_id = str(uuid.uuid4())
        header = {"v": 1, "id": request_id, "type": type_, "service": service, "ts": time.time_ns()}
        if key is not None:
            header["key"] = key
        self.socket.send_multipart([b"", json.dumps(header).encode(), json.dumps(body).encode()])
        deadline = time.monotonic() + wait_s
        while (left := deadline - time.monotonic()) > 0:
            if not self.socket.poll(timeout=int(left * 1000) + 1):
                break
            frames = self.socket.recv_multipart()
            if len(frames) != 3:
                continue
            try:
                reply_header, reply_body = json.loads(frames[1]), json.loads(frames[2])
            except ValueError:
                continue
            if reply_header.get("reply_to") == request_id:
                return reply_header, reply_body
            # A late reply to an earlier probe: ignore it.
        return None


def wait_until(what: str, deadline: float, suite: Suite, attempt) -> object:
    """Calls `attempt()` until it returns a value (not None) or the deadline passes."""
    last = "no reply"
    while time.monotonic() < deadline:
        suite.check_alive()
        outcome, detail = attempt(deadline - time.monotonic())
        if outcome is not None:
            print(f"readme-snippet: ready: {what}")
            return outcome
        last = detail
    raise Failure(f"not ready within {READY_DEADLINE_S:.0f} s: {what} (last: {last})")


def not_ready_pause(reply_body: dict) -> None:
    """Honours the server's retry_after_ms (bounded) before asking again."""
    retry_ms = reply_body.get("retry_after_ms", 50) if isinstance(reply_body, dict) else 50
    time.sleep(min(max(int(retry_ms), 10), 500) / 1000)


def await_ready(zmq, suite: Suite, bus_port: int, venue_port: int) -> None:
    deadline = time.monotonic() + READY_DEADLINE_S
    bus = Prober(zmq, f"tcp://127.0.0.1:{bus_port}", suite.keys / "operator.key")
    # venue-sim admits the services' and the operator's keys (CURVE, its own server key).
    venue = Prober(zmq, f"tcp://127.0.0.1:{venue_port}", suite.keys / "operator.key", server="venue")
    ticks = zmq.Context.instance().socket(zmq.SUB)
    ticks.setsockopt(zmq.LINGER, 0)
    bus_keys.curve(ticks, suite.keys / "operator.key", "venue")
    ticks.setsockopt(zmq.SUBSCRIBE, b"tick.")
    ticks.connect(f"tcp://127.0.0.1:{venue_port + 1}")
    try:
        def bus_status(left):
            reply = bus.ask(type_="bus.status", service="bus", body={}, key=None, wait_s=min(left, 1.0))
            if reply is None:
                return None, "no reply to bus.status"
            header, body = reply
            if header.get("type") != "bus.status.ok":
                return None, f"bus.status answered {header.get('type')}: {body}"
            return body, ""

        wait_until("bus answers bus.status", deadline, suite, bus_status)

        def venue_answers(left):
            # Any reply at all means the venue's RPC endpoint is bound and serving.
            reply = venue.ask(type_="venue.instruments", service="venue", body={}, key=None, wait_s=min(left, 1.0))
            return (reply, "") if reply is not None else (None, "no reply to venue.instruments")

        wait_until(f"venue-sim answers on tcp://127.0.0.1:{venue_port}", deadline, suite, venue_answers)

        def venue_ticks(left):
            # The gateway prices market orders from these ticks: the venue must be streaming.
            if not ticks.poll(timeout=int(min(left, 1.0) * 1000) + 1):
                return None, "no tick on the venue stream"
            return ticks.recv_multipart(), ""

        wait_until(f"venue-sim streams ticks on tcp://127.0.0.1:{venue_port + 1}", deadline, suite, venue_ticks)

        probe_id = f"readme-probe-{uuid.uuid4().hex[:16]}"

        def gateway_answers(left):
            reply = bus.ask(
                type_="order.get", service="order-gateway", key="acct-1",
                body={"account": "acct-1", "client_order_id": probe_id}, wait_s=min(left, 5.0))
            if reply is None:
                return None, "no reply to order.get"
            header, body = reply
            if header.get("type") == "error" and isinstance(body, dict) and body.get("code") in NOT_READY_CODES:
                not_ready_pause(body)
                return None, f"order.get answered {body.get('code')} ({body.get('reason')})"
            return reply, ""

        header, body = wait_until("order-gateway answers order.get", deadline, suite, gateway_answers)
        print(f"readme-snippet: dry order.get answered {header.get('type')}: {json.dumps(body)[:200]}")

        status = bus.ask(type_="bus.status", service="bus", body={}, key=None, wait_s=2.0)
        if status is not None:
            workers = sorted({w.get("service", "?") for w in status[1].get("workers", [])})
            print(f"readme-snippet: services registered on the bus: {', '.join(workers) or 'none'}")
    finally:
        bus.close()
        venue.close()
        ticks.close(0)


# MARK: The check


def run_snippet(snippet: str, work: Path) -> None:
    path = work / "readme_snippet.py"
    path.write_text(snippet, encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, str(path)], cwd=work, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=SNIPPET_TIMEOUT_S)
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout.decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        raise Failure(f"the snippet did not finish within {SNIPPET_TIMEOUT_S:.0f} s; it printed: {out!r}")
    for line in result.stdout.splitlines():
        print(f"  snippet | {line}")
    for line in result.stderr.splitlines():
        print(f"  snippet (stderr) | {line}")
    if result.returncode != 0:
        raise Failure(f"the snippet exited with status {result.returncode}")
    if not any(STATE_LINE.search(line) for line in result.stdout.splitlines()):
        raise Failure("the snippet printed no line with an order state (filled or accepted)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", type=Path, default=REPO / ".build" / "debug",
                        help="where the executables are (default: .build/debug)")
    parser.add_argument("--readme", type=Path, default=REPO / "README.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work dir (logs, database)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bw-readme-snippet-"))
    suite = None
    passed = False
    try:
        try:
            import zmq
        except ImportError:
            raise Failure("pyzmq is not installed (run `make deps`)")
        snippet = extract_snippet(args.readme)
        bus_port = free_block(4, set())  # RPC, events in, events out, tap
        venue_port = free_block(2, set(range(bus_port, bus_port + 4)))  # RPC, stream
        snippet = retarget(snippet, bus_port)
        suite = Suite(args.bin_dir.resolve(), work, bus_port, venue_port)
        suite.check_binaries()
        suite.make_keys()
        print(f"readme-snippet: starting the suite (bus :{bus_port}, venue :{venue_port}, data {work / 'data'})")
        suite.start()
        await_ready(zmq, suite, bus_port, venue_port)
        run_snippet(snippet, work)
        suite.check_alive()
        passed = True
    except Failure as failure:
        print(f"readme-snippet: FAILED: {failure}", flush=True)
    except Exception as error:  # a bug here must still report and clean up
        print(f"readme-snippet: FAILED: {type(error).__name__}: {error}", flush=True)
    finally:
        if suite is not None:
            suite.stop()
            if not passed:
                suite.dump_logs()
        started = suite is not None and bool(suite.processes)
        if (passed or not started) and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"readme-snippet: work dir kept at {work}", flush=True)
    print(f"readme-snippet: {1 if passed else 0} passed, {0 if passed else 1} failed", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
