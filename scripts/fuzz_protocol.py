#!/usr/bin/env python3
"""`make fuzz`: generated and mutated frames against the real suite (issue 14 item 5).

Two targets: the order-gateway through the authenticated bus (DEALER with a client key →
bus → gateway) and the venue's
RPC endpoint. Frames are generated from a seed: wrong frame counts, invalid UTF-8, deep
nesting, huge numbers and strings, money as JSON numbers, duplicated keys, bodies over
the 64 KiB limit, valid JSON of the wrong shape, header fields of the wrong type, and
random byte mutations of valid requests. Every frame must be answered — an error reply
or a valid one — within the timeout; no service may exit; the resident memory of each
must stay bounded. The seed is printed first; the same seed sends the same frames.

Usage: scripts/fuzz_protocol.py --bin-dir DIR [--frames N] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import zmq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bus_keys import curve  # noqa: E402
from chaos_suite import Suite  # noqa: E402
from readme_snippet_test import free_block  # noqa: E402

LABELS = ["bus", "writer-a", "venue-sim", "risk-a", "order-gateway", "reconciler"]
REPLY_TIMEOUT_S = 5.0
# Growth of a service's resident memory over the run that counts as unbounded.
RSS_GROWTH_LIMIT_KB = 64 * 1024


def valid_submit(rng: random.Random) -> dict:
    return {"client_order_id": f"fz-{rng.randrange(10**9)}", "account": "acct-1", "symbol": "BTC/USDT",
            "side": "buy", "type": "limit", "qty": "0.001", "price": "1000"}


def valid_venue_query(rng: random.Random) -> tuple[str, dict]:
    return rng.choice([
        ("venue.order", {"account": "acct-1", "client_order_id": f"fz-{rng.randrange(1000)}"}),
        ("venue.balances", {"account": "acct-1"}),
        ("venue.open_orders", {"account": "acct-1"}),
        ("venue.fills", {"account": "acct-1", "after_trade_seq": rng.randrange(100)}),
    ])


def header(type_: str, service: str | None, key: str | None = "acct-1") -> dict:
    h = {"v": 1, "id": str(uuid.uuid4()), "type": type_, "ts": time.time_ns()}
    if service:
        h["service"] = service
    if key:
        h["key"] = key
    return h


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Flips, inserts, deletes or duplicates a few bytes."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        i = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(i, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[i:i] = bytes([rng.randrange(256)])
        elif op == 2 and buf:
            del buf[min(i, len(buf) - 1)]
        else:
            buf[i:i] = buf[i:i + rng.randint(1, 16)]
    return bytes(buf)


def body_case(rng: random.Random, valid: dict) -> bytes:
    """A body that is wrong in one of the ways a confused or hostile client gets it wrong."""
    case = rng.randrange(12)
    if case == 0:
        return b"\xff\xfe" + json.dumps(valid).encode()[2:]  # invalid UTF-8
    if case == 1:
        depth = rng.choice([100, 1000, 10000])
        return b"[" * depth + b"]" * depth  # deep nesting
    if case == 2:
        return json.dumps({**valid, "qty": "9" * rng.choice([20, 40, 400])}).encode()  # huge number as a string
    if case == 3:
        return json.dumps({**valid, "qty": 0.001, "price": 1e308}).encode()  # money as JSON numbers
    if case == 4:
        return json.dumps({**valid, "client_order_id": "x" * rng.choice([129, 4000, 60000])}).encode()  # huge string
    if case == 5:
        text = json.dumps(valid)
        return (text[:-1] + ', "qty": "5"}').encode()  # duplicated key
    if case == 6:
        return json.dumps({**valid, "pad": "y" * 70_000}).encode()  # over the 64 KiB limit
    if case == 7:
        return rng.choice([b"[]", b"null", b"\"order\"", b"42", b"{}", b"true", b""])  # JSON of the wrong shape
    if case == 8:
        return json.dumps({k: rng.choice([None, 1, [], {}, True]) for k in valid}).encode()  # fields of the wrong type
    if case == 9:
        return json.dumps({**valid, "qty": rng.choice(["-1", "0", "1e5", "0x10", "NaN", "1.0000000000001", " 1", ""])}).encode()
    return mutate(json.dumps(valid).encode(), rng)


def header_case(rng: random.Random, good: dict) -> bytes:
    case = rng.randrange(6)
    if case == 0:
        return json.dumps({**good, rng.choice(["id", "type", "v", "ts", "deadline", "key", "service"]): rng.choice([5, [], {}, None, "x", -1])}).encode()
    if case == 1:
        return json.dumps({**good, "v": rng.choice([0, 2, 99])}).encode()
    if case == 2:
        return json.dumps({**good, "traceparent": rng.choice(["00-xyz", "", "00-" + "0" * 32 + "-" + "0" * 16 + "-01"])}).encode()
    if case == 3:
        return b"\xc3\x28" + json.dumps(good).encode()
    if case == 4:
        return json.dumps({**good, "id": "i" * rng.choice([129, 5000])}).encode()
    return mutate(json.dumps(good).encode(), rng)


def frames_for(rng: random.Random, target: str) -> list[bytes]:
    """One generated message (without the DEALER's leading empty frame, which is added)."""
    if target == "gateway":
        type_, service, valid = "order.submit", "order-gateway", valid_submit(rng)
        if rng.random() < 0.3:
            type_, valid = rng.choice([("order.get", {"account": "acct-1", "client_order_id": "fz-1"}),
                                       ("order.cancel", {"account": "acct-1", "client_order_id": "fz-2"})])
    else:
        (type_, valid), service = valid_venue_query(rng), "venue"
    good = header(type_, service)
    kind = rng.randrange(10)
    if kind == 0:  # a wrong number of frames
        parts = [json.dumps(good).encode(), json.dumps(valid).encode(), b"extra", b"more"]
        return parts[:rng.choice([1, 3, 4])]
    if kind in (1, 2):
        return [header_case(rng, good), json.dumps(valid).encode()]
    if kind == 9:
        return [json.dumps(good).encode(), json.dumps(valid).encode()]  # valid: a real answer
    return [json.dumps(good).encode(), body_case(rng, valid)]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", type=Path, required=True)
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    print(f"fuzz: seed {seed}, {args.frames} frames (replay: make fuzz SEED={seed} FUZZ_FRAMES={args.frames})", flush=True)
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="breakwater-fuzz-"))
    bus_port = free_block(4, set())
    venue_port = free_block(2, set(range(bus_port, bus_port + 4)))
    # Through the authenticated bus as a strategy reaches it: a client key bound to acct-1 (a frame
    # the bus refuses for its role, e.g. another account, is answered FORBIDDEN by the bus).
    suite = Suite(args.bin_dir, work, bus_port, venue_port, {"BW_RATE_ACCOUNT_PER_SEC": "1000000", "BW_RATE_ACCOUNT_BURST": "1000000",
                   # the bus's per-key limit too: every frame is to reach the gateway, not RATE_LIMITED at the bus
                   "BW_BUS_PEER_RATE_PER_SEC": "1000000", "BW_BUS_PEER_RATE_BURST": "1000000"},
                  clients={"fuzzer": ["acct-1"]})
    context = zmq.Context.instance()
    sockets = {}
    unanswered: list[str] = []
    counts = {"gateway": 0, "venue": 0, "error_replies": 0, "ok_replies": 0}
    try:
        for label in LABELS:
            suite.start(label)
        for target, port in (("gateway", bus_port), ("venue", venue_port)):
            sock = context.socket(zmq.DEALER)
            sock.setsockopt(zmq.LINGER, 0)
            if target == "gateway":
                curve(sock, suite.key("fuzzer"))
            else:  # the venue as the services reach it: with a key venue-sim admits (the operator's)
                curve(sock, suite.operator_key, "venue")
            sock.connect(f"tcp://127.0.0.1:{port}")
            sockets[target] = sock
        wait_for_gateway(sockets["gateway"])
        baseline = {label: rss_kb(suite.processes[label].pid) for label in LABELS}
        peak = dict(baseline)
        started = time.monotonic()
        for n in range(args.frames):
            target = "gateway" if n % 2 == 0 else "venue"
            frames = frames_for(rng, target)
            sock = sockets[target]
            sock.send_multipart([b""] + frames)
            counts[target] += 1
            if not sock.poll(timeout=int(REPLY_TIMEOUT_S * 1000)):
                unanswered.append(f"frame {n} to {target}: {[f[:120] for f in frames]}")
                if len(unanswered) >= 20:
                    break
                continue
            reply = sock.recv_multipart()
            is_error = len(reply) >= 2 and b'"type":"error"' in reply[1].replace(b" ", b"")
            counts["error_replies" if is_error else "ok_replies"] += 1
            if n % 5000 == 0:
                suite.check_exits()
                for label in LABELS:
                    if suite.is_running(label):
                        peak[label] = max(peak[label], rss_kb(suite.processes[label].pid))
                print(f"fuzz: {n} frames, {n / max(time.monotonic() - started, 1e-9):.0f}/s", flush=True)
        suite.check_exits()
        growth = {label: peak[label] - baseline[label] for label in LABELS}
    finally:
        for sock in sockets.values():
            sock.close(0)
        suite.stop()
    print(f"fuzz: sent {counts['gateway']} to the gateway, {counts['venue']} to the venue; "
          f"{counts['error_replies']} error replies, {counts['ok_replies']} valid replies, {len(unanswered)} unanswered", flush=True)
    print(f"fuzz: resident memory growth (KiB): {growth}", flush=True)
    failures = unanswered + suite.unexpected_exits + [
        f"{label} grew {kb} KiB" for label, kb in growth.items() if kb > RSS_GROWTH_LIMIT_KB]
    for failure in failures:
        print(f"fuzz: FAIL {failure}", flush=True)
    if failures:
        for label in LABELS:
            for line in suite.tail(label, 10):
                print(f"fuzz: [{label}] {line}", flush=True)
        print(f"fuzz: logs in {work}", flush=True)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"fuzz: seed {seed}: every frame answered, no service exited, memory bounded", flush=True)
    return 0


def wait_for_gateway(sock, deadline_s: float = 60.0) -> None:
    """Until the gateway answers a dry `order.get` (NOT_FOUND is an answer)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        sock.send_multipart([b"", json.dumps(header("order.get", "order-gateway")).encode(),
                             json.dumps({"account": "acct-1", "client_order_id": "ready"}).encode()])
        if sock.poll(timeout=2000):
            reply = sock.recv_multipart()
            if b"NOT_FOUND" in reply[-1]:
                return
        time.sleep(0.5)  # between two readiness probes
    raise RuntimeError("the gateway did not become ready")


if __name__ == "__main__":
    sys.exit(main())
