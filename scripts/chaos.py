#!/usr/bin/env python3
"""`make chaos`: a seeded fault campaign against the real executables (issue 14).

Starts the suite on private ports and data (two risk-service replicas, two
persistence-writers on one database: one active, one standing by), runs client threads
that submit market and limit orders and cancels across several accounts and symbols at a
steady rate (each with its own client_order_id, resent under the same id after a timeout,
as a careful strategy does), and records every reply. Meanwhile a schedule drawn from the
seed kills (-9) and restarts services, freezes them (SIGSTOP/SIGCONT), sets venue faults,
trips and resets breakers and pulls kill switches. Then it quiesces and checks the seven
invariants from the outside (scripts/chaos_checks.py) until they hold or the bound passes.

The seed is printed first; the same seed and duration replay the same schedule (the
timing of the processes themselves is not replayed). Exit status 0: every invariant held.

Usage: scripts/chaos.py --bin-dir DIR [--seed N] [--duration SECONDS] [--keep]
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compose_client import Client  # noqa: E402
from chaos_checks import Evidence, check, read_journal, read_risk, read_venue  # noqa: E402
from chaos_suite import LABELS, Suite  # noqa: E402
from readme_snippet_test import free_block  # noqa: E402

ACCOUNTS = ["chaos-1", "chaos-2", "chaos-3", "chaos-4"]
# symbol → (market qty, resting limit price well below the market)
SYMBOLS = {"BTC/USDT": ("0.001", "40000"), "ETH/USDT": ("0.01", "2500")}
SETTINGS = {
    "BW_ACCOUNTS": ";".join(f"{a}:USDT=1000000,BTC=20,ETH=200" for a in ACCOUNTS),
    # Short graces so a 5-minute run settles: the reconciler's grace stays above the
    # gateway's worst-case placement (4 attempts × 2 × 1 s + backoff ≈ 10 s).
    "BW_VENUE_TIMEOUT_MS": "1000", "BW_UNKNOWN_GRACE_MS": "5000",
    "BW_RECON_INTERVAL_MS": "2000", "BW_RECON_GRACE_MS": "12000",
    "BW_RISK_BREAKER_COOL_DOWN_MS": "5000",
    # The governor steps down 3 s after a market crash is over (default: 5 minutes).
    "BW_RISK_GOVERNOR_MIN_DWELL_MS": "3000",
    # The checks read the venue's whole history (every order and fill of the run).
    "BW_VENUE_HISTORY_MINUTES": "0",
}
# Errors after which a careful client resends the same order (same id) after a pause.
RETRYABLE = {"TIMEOUT", "UNAVAILABLE", "OVERLOADED", "ACCOUNT_NOT_RECONCILED", "RATE_LIMITED"}
SERVICES_TO_KILL = ["bus", "writer", "venue-sim", "risk-a", "risk-b", "order-gateway", "reconciler"]
CONVERGE_LIMIT_S = 120.0


def schedule(rng: random.Random, duration: float, replicas: int = 2) -> list[dict]:
    """The faults of a run, drawn from `rng` alone: same seed, duration and replicas, same list."""
    targets = [t for t in SERVICES_TO_KILL if replicas > 1 or t != "risk-b"]
    events, at = [], 10.0  # the first 10 s trade undisturbed
    while at < duration - 5:
        kind = rng.choice(["kill", "kill", "freeze", "freeze", "venue", "venue", "breaker", "kill_switch", "loss", "scale"])
        event = {"at": round(at, 1), "kind": kind}
        if kind == "kill":
            event |= {"target": rng.choice(targets), "down_s": round(rng.uniform(0.5, 3.0), 1)}
        elif kind == "freeze":
            event |= {"target": rng.choice(targets), "for_s": round(rng.uniform(1.0, 15.0), 1)}
        elif kind == "venue":
            faults = rng.choice([
                {"drop_fills": "0.3"}, {"drop_orders": "0.3"}, {"duplicate": "0.3"}, {"ack_timeout": "0.3"},
                {"reject": "0.2"}, {"stream_delay_ms": 800}, {"ack_delay_ms": 1500}, {"disconnect_seconds": 4},
                {"drop_fills": "0.2", "duplicate": "0.2", "ack_timeout": "0.2"},
            ])
            event |= {"faults": faults, "for_s": round(rng.uniform(5.0, 15.0), 1)}
        elif kind == "breaker":
            event |= {"account": rng.choice(ACCOUNTS + [None]), "for_s": round(rng.uniform(2.0, 8.0), 1)}
        elif kind == "loss":
            # A market crash of 1–2 % a step (4 steps a second) for 3–8 s, then the same
            # rally back: a drawdown of some 10–35 % of the accounts' equity, so the governor
            # steps to SOFT_BRAKE, QUARANTINE or HARD_STOP on a real loss and back.
            event |= {"trend_bps": rng.choice([-100, -150, -200]), "for_s": round(rng.uniform(3.0, 8.0), 1)}
        elif kind == "scale":
            # One risk replica fewer for a while (stopped, not killed: its partitions move to
            # the other), then back. With one replica, a graceful restart of the only one.
            event |= {"target": "risk-b" if replicas > 1 else "risk-a", "down_s": round(rng.uniform(5.0, 20.0), 1)}
        else:
            event |= {"account": rng.choice(ACCOUNTS), "for_s": round(rng.uniform(2.0, 6.0), 1)}
        events.append(event)
        at += rng.uniform(4.0, 10.0)
    return events


class Market:
    """The venue's BTC/USDT bid, followed on its stream: how far a crash went and when the
    rally after it is back (a venue restart or freeze in between changes how many steps
    each takes, so the rally runs until the price is back, not for a fixed time)."""

    def __init__(self, venue_port: int, key_file: Path):
        import zmq  # pyzmq, installed by `make deps`
        from bus_keys import curve
        self.socket = zmq.Context.instance().socket(zmq.SUB)
        self.socket.setsockopt(zmq.LINGER, 0)
        curve(self.socket, key_file, "venue")
        self.socket.setsockopt(zmq.SUBSCRIBE, b"tick.BTC/USDT")
        self.socket.connect(f"tcp://127.0.0.1:{venue_port + 1}")
        self.bid: Decimal | None = None
        self.stopped = threading.Event()
        threading.Thread(target=self.follow, daemon=True).start()

    def follow(self) -> None:
        while not self.stopped.is_set():
            if not self.socket.poll(timeout=500):
                continue
            try:
                self.bid = Decimal(json.loads(self.socket.recv_multipart()[-1])["bid"])
            except (ValueError, KeyError, ArithmeticError):
                continue

    def close(self) -> None:
        self.stopped.set()


class Campaign:
    def __init__(self, suite: Suite, bus_port: int, venue_port: int, seed: int):
        self.suite = suite
        self.bus_port = bus_port
        self.venue_port = venue_port
        self.seed = seed
        self.stop_clients = threading.Event()
        self.replies: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.active_writer = "writer-a"
        self.faults_applied: dict[str, int] = {}
        self.orders_sent = 0
        # The venue's faults in force: each event adds its part and takes it away again,
        # so overlapping events do not clear each other's faults.
        self.venue_faults: dict[str, dict] = {}
        self.venue_lock = threading.Lock()
        self.market = Market(venue_port, suite.operator_key)

    # MARK: Clients

    def client(self, number: int, rate_per_s: float) -> None:
        rng = random.Random(self.seed * 1000 + number)
        bus = Client(self.bus_port, key_file=self.suite.operator_key)
        resting: list[tuple[str, str]] = []
        try:
            sequence = 0
            next_at = time.monotonic()
            while not self.stop_clients.is_set():
                next_at += 1.0 / rate_per_s
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)  # pacing of the offered load, not synchronisation
                sequence += 1
                account, symbol = rng.choice(ACCOUNTS), rng.choice(list(SYMBOLS))
                qty, low = SYMBOLS[symbol]
                action = rng.choices(["market_buy", "market_sell", "limit_buy", "cancel"], weights=[3, 2, 3, 2])[0]
                if action == "cancel" and resting:
                    account, coid = resting.pop(rng.randrange(len(resting)))
                    self.send(bus, "order.cancel", account, {"account": account, "client_order_id": coid}, coid, record=False)
                    continue
                coid = f"c{number}-{self.seed}-{sequence}"
                body = {"client_order_id": coid, "account": account, "symbol": symbol, "qty": qty,
                        "side": "sell" if action == "market_sell" else "buy",
                        "type": "limit" if action == "limit_buy" else "market"}
                if action == "limit_buy":
                    body["price"] = low
                outcome = self.send(bus, "order.submit", account, body, coid, record=True)
                if action == "limit_buy" and outcome.startswith("ok:"):
                    resting.append((account, coid))
        finally:
            bus.close()

    def send(self, bus: Client, type_: str, account: str, body: dict, coid: str, record: bool) -> str:
        """Sends, resending the same request body (same id) after a timeout or a retryable
        error until it is answered or the campaign stops; returns the last outcome."""
        outcome, attempts = "no_reply", 0
        while True:
            attempts += 1
            reply = bus.ask(type_, "order-gateway", account, body, wait_s=5.0)
            if reply is not None:
                header, answer = reply
                if header.get("type") != "error":
                    outcome = f"ok:{answer.get('order', {}).get('state', 'done')}"
                    break
                outcome = f"error:{answer.get('code')}/{answer.get('reason')}"
                if answer.get("code") not in RETRYABLE:
                    break
            if self.stop_clients.is_set() or attempts >= 12:
                break
            time.sleep(0.5)  # a careful client's pause before resending
        if record:
            with self.lock:
                self.orders_sent += 1
                self.replies[coid] = {"account": account, "outcome": outcome, "attempts": attempts}
        return outcome

    # MARK: Faults

    def apply(self, event: dict) -> None:
        kind = event["kind"]
        self.faults_applied[kind] = self.faults_applied.get(kind, 0) + 1
        print(f"chaos: +{event['at']:.1f}s {json.dumps({k: v for k, v in event.items() if k != 'at'})}", flush=True)
        if kind == "kill":
            target = self.label(event["target"])
            self.suite.kill(target)
            if event["target"] == "writer":
                # The standby takes over; the killed one comes back as the new standby.
                self.active_writer = "writer-b" if target == "writer-a" else "writer-a"
            time.sleep(event["down_s"])  # how long the service stays down
            self.suite.start(target)
            if target == "venue-sim":
                self.set_venue_faults(event["at"], None)  # a restarted venue has none: send those in force
        elif kind == "freeze":
            target = self.label(event["target"])
            if self.suite.freeze(target):
                time.sleep(event["for_s"])  # how long the service stays frozen
                self.suite.thaw(target)
        elif kind == "venue":
            self.set_venue_faults(event["at"], event["faults"])
            time.sleep(event["for_s"])  # how long the faults last
            self.set_venue_faults(event["at"], None)
        elif kind == "loss":
            before = self.market.bid
            self.set_venue_faults(event["at"], {"market_trend_bps": event["trend_bps"]})
            time.sleep(event["for_s"])  # the crash
            # The step that undoes one crash step: 1 / (1 − d) − 1 (−200 bps → +204).
            rally = round(10000 * (10000 / (10000 + event["trend_bps"]) - 1))
            self.set_venue_faults(event["at"], {"market_trend_bps": rally})
            if before is None:
                time.sleep(event["for_s"])  # no quote seen yet: as long as the crash
            back = time.monotonic() + max(30.0, 4 * event["for_s"])
            while before is not None and time.monotonic() < back and (self.market.bid or 0) < before * Decimal("0.995"):
                time.sleep(0.25)  # the rally runs until the price is back (bounded)
            self.set_venue_faults(event["at"], None)
            # A HARD_STOP pulled the kill switch: the operator resumes once the market is back.
            for account in ACCOUNTS:
                self.control("order.resume", "order-gateway", account, {"account": account})
        elif kind == "scale":
            self.suite.stop_one(event["target"])
            time.sleep(event["down_s"])  # how long the replica count stays lower
            self.suite.start(event["target"])
        elif kind == "breaker":
            self.control("risk.trip", "risk-service", event["account"], {"account": event["account"], "reason": "chaos"})
            time.sleep(event["for_s"])
            self.control("risk.reset", "risk-service", event["account"], {"account": event["account"]})
        elif kind == "kill_switch":
            account = event["account"]
            self.control("order.cancel_all", "order-gateway", account, {"account": account})
            time.sleep(event["for_s"])
            self.control("order.resume", "order-gateway", account, {"account": account})

    def set_venue_faults(self, key: float | None, faults: dict | None) -> None:
        """Adds (or, with None, removes) one event's faults and sends the venue all in force,
        resent until the venue answers (it may be down or frozen by another event)."""
        with self.venue_lock:
            if faults is None:
                self.venue_faults.pop(str(key), None)
            else:
                # A stream disconnect counts from the request that carries it: sent once, not kept.
                self.venue_faults[str(key)] = {k: v for k, v in faults.items() if k != "disconnect_seconds"}
            merged: dict = {}
            for part in self.venue_faults.values():
                merged |= part
            if faults and "disconnect_seconds" in faults:
                merged["disconnect_seconds"] = faults["disconnect_seconds"]
            venue = Client(self.venue_port, key_file=self.suite.operator_key, server="venue")
            try:
                for _ in range(30):
                    reply = venue.ask("venue.faults", "venue", None, merged, 5.0)
                    if reply is not None:
                        return
                print(f"chaos: venue.faults {merged} got no answer", flush=True)
            finally:
                venue.close()

    def label(self, target: str) -> str:
        return self.active_writer if target == "writer" else target

    def control(self, type_: str, service: str, key: str | None, body: dict) -> None:
        """An operator's command, resent until answered (a down service comes back)."""
        bus = Client(self.bus_port, key_file=self.suite.operator_key)
        try:
            for _ in range(30):
                reply = bus.ask(type_, service, key, body, 5.0)
                if reply is not None and reply[1].get("code") not in RETRYABLE:
                    return
                time.sleep(0.5)
            print(f"chaos: {type_} {body} got no answer", flush=True)
        finally:
            bus.close()

    def run_schedule(self, events: list[dict], start: float) -> list[threading.Thread]:
        threads = []
        for event in events:
            while time.monotonic() < start + event["at"]:
                self.suite.check_exits()
                time.sleep(0.2)  # the schedule's clock
            thread = threading.Thread(target=self.apply, args=(event,), daemon=True)
            thread.start()
            threads.append(thread)
        return threads


def wait_ready(suite: Suite, bus_port: int, deadline_s: float = 90.0) -> None:
    bus = Client(bus_port, key_file=suite.operator_key)
    try:
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            suite.check_exits()
            ready = all(
                (reply := bus.ask("risk.show", "risk-service", a, {"account": a}, 2.0)) is not None and reply[0].get("type") != "error"
                for a in ACCOUNTS)
            probe = bus.ask("order.get", "order-gateway", ACCOUNTS[0], {"account": ACCOUNTS[0], "client_order_id": "ready-probe"}, 2.0)
            if ready and probe is not None and probe[1].get("code") == "NOT_FOUND":
                return
            time.sleep(0.5)
        raise RuntimeError("the suite did not become ready")
    finally:
        bus.close()


def converge(suite: Suite, campaign: Campaign) -> tuple[dict[str, list[str]], float, Evidence]:
    """Checks until every invariant holds or CONVERGE_LIMIT_S passes; the last findings."""
    start = time.monotonic()
    bus, venue = Client(campaign.bus_port, key_file=suite.operator_key), Client(campaign.venue_port, key_file=suite.operator_key, server="venue")
    try:
        while True:
            suite.check_exits()
            evidence = Evidence()
            try:
                read_journal(suite.database, evidence)
                read_venue(venue, ACCOUNTS, evidence)
                read_risk(bus, ACCOUNTS, evidence)
                found = check(evidence, campaign.replies)
            except Exception as error:  # a service still coming back: look again
                found = {"evidence": [f"could not collect: {error}"]}
            elapsed = time.monotonic() - start
            if not any(found.values()) or elapsed > CONVERGE_LIMIT_S:
                return found, elapsed, evidence
            time.sleep(2.0)  # between two looks at a settling suite
    finally:
        bus.close()
        venue.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--rate", type=float, default=4.0, help="requests per second per client")
    parser.add_argument("--risk-replicas", type=int, choices=[1, 2], default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    print(f"chaos: seed {seed}, duration {args.duration:.0f} s, {args.risk_replicas} risk replica(s) "
          f"(replay: make chaos SEED={seed} DURATION={args.duration:.0f} CHAOS_FLAGS=--risk-replicas={args.risk_replicas})", flush=True)
    events = schedule(random.Random(seed), args.duration, args.risk_replicas)
    work = Path(tempfile.mkdtemp(prefix="breakwater-chaos-"))
    bus_port = free_block(4, set())
    venue_port = free_block(2, set(range(bus_port, bus_port + 4)))
    suite = Suite(args.bin_dir, work, bus_port, venue_port, SETTINGS)
    if missing := suite.missing_binaries():
        print(f"chaos: missing executables in {args.bin_dir}: {', '.join(missing)}", flush=True)
        return 2
    campaign = Campaign(suite, bus_port, venue_port, seed)
    report: dict = {"seed": seed, "duration_s": args.duration, "schedule": events}
    try:
        for label in LABELS:
            if args.risk_replicas > 1 or label != "risk-b":
                suite.start(label)
        wait_ready(suite, bus_port)
        start = time.monotonic()
        clients = [threading.Thread(target=campaign.client, args=(n, args.rate), daemon=True) for n in range(args.clients)]
        for thread in clients:
            thread.start()
        fault_threads = campaign.run_schedule(events, start)
        while time.monotonic() < start + args.duration:
            suite.check_exits()
            time.sleep(0.2)
        campaign.stop_clients.set()
        for thread in clients + fault_threads:
            thread.join(timeout=90)
        found, settle_s, evidence = converge(suite, campaign)
        fills = sum(len(f) for f in evidence.venue_fills.values())
        outcomes: dict[str, int] = {}
        for reply in campaign.replies.values():
            outcomes[reply["outcome"]] = outcomes.get(reply["outcome"], 0) + 1
        report |= {
            "orders": campaign.orders_sent, "journal_orders": len(evidence.orders), "venue_fills": fills,
            "outcomes": dict(sorted(outcomes.items(), key=lambda kv: -kv[1])),
            "faults": campaign.faults_applied, "settled_s": round(settle_s, 1),
            "unexpected_exits": suite.unexpected_exits, "violations": found,
        }
    finally:
        campaign.market.close()
        suite.stop()
    (work / "report.json").write_text(json.dumps(report, indent=2))
    print(f"chaos: {report.get('orders', 0)} orders, {report.get('venue_fills', 0)} fills, faults {report.get('faults', {})}, "
          f"settled {report.get('settled_s', '-')} s after the last fault", flush=True)
    print(f"chaos: last replies: {report.get('outcomes', {})}", flush=True)
    violations = report.get("violations", {"run": ["the campaign did not finish"]})
    for name, items in violations.items():
        print(f"chaos: invariant {name}: {'held' if not items else f'{len(items)} violation(s)'}", flush=True)
        for item in items[:20]:
            print(f"chaos:   {item}", flush=True)
    for exit_line in report.get("unexpected_exits", []):
        print(f"chaos: unexpected exit: {exit_line}", flush=True)
    failed = any(violations.values()) or bool(report.get("unexpected_exits"))
    if failed:
        for label in ("order-gateway", "risk-a", "reconciler", campaign.active_writer):
            for line in suite.tail(label, 15):
                print(f"chaos: [{label}] {line}", flush=True)
    print(f"chaos: report {work / 'report.json'}; seed {seed}: {'VIOLATIONS' if failed else 'all invariants held'}", flush=True)
    if not args.keep and not failed:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
