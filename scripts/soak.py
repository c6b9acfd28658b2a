#!/usr/bin/env python3
"""`make soak`: a steady load on the real suite for minutes (issue 14 item 6).

Offers market buys at a fixed rate (open loop: each order is sent at its
scheduled time by one of several client threads, its latency counted from that time) for
`--minutes`, and per minute records the latency p50/p99 and every service's resident
memory. It fails when a service's memory after the last minute is 10 % or more above its
memory after the first minute, when the last minute's p99 is more than twice the first
minute's, or when a service exits. Offer about half the saturation rate `make bench`
measured on the same build (`--rate`).

Usage: scripts/soak.py --bin-dir DIR [--minutes 10] [--rate 40]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compose_client import Client  # noqa: E402
from chaos_suite import Suite  # noqa: E402
from fuzz_protocol import rss_kb  # noqa: E402
from readme_snippet_test import free_block  # noqa: E402

LABELS = ["bus", "writer-a", "venue-sim", "risk-a", "order-gateway", "reconciler"]
ACCOUNTS = [f"soak-{n}" for n in range(1, 9)]
SETTINGS = {
    # Buys only: round trips would lose the spread and trip the losing-streak breaker, as
    # they should; 10 minutes at 40/s buy 30 ETH per account, far inside the limits.
    "BW_ACCOUNTS": ";".join(f"{a}:USDT=100000000" for a in ACCOUNTS),
    "BW_RATE_ACCOUNT_PER_SEC": "1000000", "BW_RATE_ACCOUNT_BURST": "1000000",
    # The windows of recent history are shortened so that every service reaches its steady
    # state inside the first minute, which the memory check compares the last minute with:
    # the paper venue's history (default 60 minutes) and the reconciler's memory of ended
    # orders (default 2 minutes; it asks the writer for older ones). A leak still shows.
    "BW_VENUE_HISTORY_MINUTES": "1", "BW_RECON_RECENT_WINDOW_MS": "30000",
}


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_and_switches(pid: int) -> tuple[float, int, int]:
    """A process's CPU seconds (user + system), context switches (voluntary and not) and
    read and write system calls (about one per message a socket moves)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():  # a process's status counts its main thread only
        try:
            switches += sum(int(line.split()[1]) for line in (task / "status").read_text().splitlines()
                            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
        except OSError:
            pass  # a thread that ended while being read
    calls = {line.split(":")[0]: int(line.split()[1]) for line in Path(f"/proc/{pid}/io").read_text().splitlines()}
    return (int(fields[11]) + int(fields[12])) / TICKS, switches, calls["syscr"] + calls["syscw"]


def steal_seconds() -> float:
    """CPU time the hypervisor gave to others, all CPUs (`/proc/stat`): a shared VM's noise."""
    return int(Path("/proc/stat").read_text().split("\n", 1)[0].split()[8]) / TICKS


def machine_probe_ms() -> float:
    """The time of a fixed piece of work (SHA-256 of 8 MiB, in C): when it slows from minute
    to minute the machine slowed, not the suite."""
    data = bytes(8 << 20)
    began = time.perf_counter()
    hashlib.sha256(data).digest()
    return (time.perf_counter() - began) * 1000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", type=Path, required=True)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=40.0, help="orders offered per second")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="breakwater-soak-"))
    bus_port = free_block(4, set())
    venue_port = free_block(2, set(range(bus_port, bus_port + 4)))
    # The load comes as a strategy sends it: a client key bound to its accounts.
    suite = Suite(args.bin_dir, work, bus_port, venue_port, SETTINGS, clients={"soak": ACCOUNTS})
    latencies: list[list[float]] = [[] for _ in range(args.minutes)]
    failures_by_minute = [0] * args.minutes
    reasons: dict[str, int] = {}
    rss: list[dict[str, int]] = []
    lock = threading.Lock()
    start = 0.0
    total = int(args.rate * 60 * args.minutes)

    def client(number: int) -> None:
        bus = Client(bus_port, key_file=suite.key("soak"))
        try:
            for i in range(number, total, args.clients):
                scheduled = start + i / args.rate
                if (delay := scheduled - time.monotonic()) > 0:
                    time.sleep(delay)  # the open loop's schedule
                account = ACCOUNTS[i % len(ACCOUNTS)]
                body = {"client_order_id": f"soak-{i}", "account": account, "symbol": "ETH/USDT",
                        "side": "buy", "type": "market", "qty": "0.01"}
                reply = bus.ask("order.submit", "order-gateway", account, body, wait_s=30.0)
                minute = min(int((scheduled - start) / 60), args.minutes - 1)
                with lock:
                    if reply is None or reply[0].get("type") == "error":
                        failures_by_minute[minute] += 1
                        why = "no_reply" if reply is None else f"{reply[1].get('code')}/{reply[1].get('reason')}"
                        reasons[why] = reasons.get(why, 0) + 1
                    else:
                        latencies[minute].append((time.monotonic() - scheduled) * 1000)
        finally:
            bus.close()

    try:
        for label in LABELS:
            suite.start(label)
        probe = Client(bus_port, key_file=suite.key("soak"))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            reply = probe.ask("order.get", "order-gateway", ACCOUNTS[0], {"account": ACCOUNTS[0], "client_order_id": "ready"}, 2.0)
            if reply is not None and reply[1].get("code") == "NOT_FOUND":
                break
            time.sleep(0.5)  # between two readiness probes
        probe.close()
        start = time.monotonic() + 1
        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        # Per minute and per order: each service's CPU and context switches, so a drift can be
        # told apart from the machine's (its steal and a fixed piece of work's time).
        def usage() -> dict[str, tuple[float, int, int]]:
            return {label: cpu_and_switches(suite.processes[label].pid) for label in LABELS if suite.is_running(label)}
        before, steal_before = usage(), steal_seconds()
        for minute in range(args.minutes):
            while time.monotonic() < start + 60 * (minute + 1):
                suite.check_exits()
                time.sleep(1)  # the sampling clock
            rss.append({label: rss_kb(suite.processes[label].pid) for label in LABELS if suite.is_running(label)})
            now, steal_now = usage(), steal_seconds()
            with lock:
                samples = list(latencies[minute])
            per_order = max(1, len(samples) + failures_by_minute[minute])
            cost = " ".join(f"{label} {(now[label][0] - before[label][0]) * 1000 / per_order:.2f}/{(now[label][1] - before[label][1]) / per_order:.0f}"
                            f"/{(now[label][2] - before[label][2]) / per_order:.0f}"
                            for label in now if label in before)
            print(f"soak: minute {minute + 1}: {len(samples)} orders, p50 {percentile(samples, 0.5):.1f} ms, "
                  f"p99 {percentile(samples, 0.99):.1f} ms, {failures_by_minute[minute]} failed {reasons}; RSS KiB {rss[-1]}", flush=True)
            print(f"soak: minute {minute + 1}: per order CPU ms/context switches/read+write calls: {cost}; "
                  f"steal {steal_now - steal_before:.1f} s; probe {machine_probe_ms():.1f} ms", flush=True)
            before, steal_before = now, steal_now
        for thread in threads:
            thread.join(timeout=60)
    finally:
        suite.stop()
    failures = list(suite.unexpected_exits)
    if len(rss) >= 2:
        for label, first in rss[0].items():
            last = rss[-1].get(label, 0)
            if last * 10 >= first * 11:
                failures.append(f"{label}: resident memory {first} KiB after the first minute, {last} KiB after the last (+10 % or more)")
    first_p99, last_p99 = percentile(latencies[0], 0.99), percentile(latencies[-1], 0.99)
    if last_p99 > 2 * first_p99:
        failures.append(f"p99 {last_p99:.1f} ms in the last minute, more than twice the first minute's {first_p99:.1f} ms")
    for failure in failures:
        print(f"soak: FAIL {failure}", flush=True)
    print(f"soak: {args.minutes} min at {args.rate:.0f} orders/s: {'failed' if failures else 'memory and latency held'}", flush=True)
    if failures:
        print(f"soak: logs in {work}", flush=True)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
