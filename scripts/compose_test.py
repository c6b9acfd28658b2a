#!/usr/bin/env python3
"""The Compose deployment, scaled, loses no money when replicas die (issue 8, feature D1).

What it does (images must exist: `make compose-images`; `make compose-test` does it all):
  1. makes the bus's keys (compose/keys.sh, with compose/bin/tradectl, into a temporary
     BW_KEYS_DIR: Compose secrets), then brings the suite up from compose/docker-compose.yml
     (+ docker-compose.test.yml, which publishes the venue's RPC port on loopback for the
     checks) under its own project name, on the authenticated bus (the test is the operator),
     scaled: 3 order-gateways, 2 risk-services, 2 reconcilers, 2 persistence-writers;
  2. checks the bus sees 3 gateways, 2 risk-services, 2 reconcilers and exactly ONE writer
     while both writer containers run (the second is the hot standby on the file lock);
  3. submits market orders for many accounts (the first 4 can pay for only about half of
     theirs) through the published bus port only, from
     several client threads; a reply that says "try again" (UNAVAILABLE, TIMEOUT,
     OVERLOADED) or no reply at all is resent with the SAME client_order_id;
  4. after a third of the orders, `docker kill`s one risk-service and one order-gateway
     replica, and the run goes on;
  5. waits (polling with a deadline) until every acknowledged order is final in the journal,
     reads the venue (orders, fills, balances per account), stops the suite gracefully and
     copies the database out of the writer's volume; then asserts:
       - every order acknowledged to the client is in the journal exactly once (one
         order.intent fact, one orders row) and at the venue exactly once (one venue order
         id, fills only for it, filled qty within the order's qty), with the same venue id
         and filled qty in the journal;
       - orders acknowledged as rejected never reached the venue;
       - each account's ledger identity holds: starting balance + the journal's fills
         = the venue's balance, for every asset, and the journal's trade ids = the venue's;
       - no balance spent twice: the short accounts were refused INSUFFICIENT_BALANCE by
         risk, the venue refused no order for funds, no venue balance is negative;
       - no write under a stale epoch was committed: per partition, the journal's epochs
         never go down in seq order and never exceed the writer's fence; and the kill
         really moved leases (some risk-service epoch grew).
  6. always: `down -v` (containers, network, volume).

The last line is `compose-test: PASSED ...` (exit 0) or `compose-test: FAILED: why` (exit 1).

Usage: scripts/compose_test.py [--compose "docker compose"] [--accounts 24] [--orders 240]
                               [--healthcheck http|probe|auto] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compose_checks import Failure, check_database, check_venue_against_journal  # noqa: E402
from compose_client import Client, free_port  # noqa: E402
from compose_deployment import Deployment  # noqa: E402
from compose_orders import ORDER_DEADLINE_S, OrderRun  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCALE = {"order-gateway": 3, "risk-service": 2, "reconciler": 2, "persistence-writer": 2}
EXPECTED_WORKERS = {"order-gateway": 3, "risk-service": 2, "reconciler": 2, "persistence-writer": 1}
STARTING_USDT = Decimal("100000")
# The first TIGHT_ACCOUNTS accounts can pay for about 5 of their 10 orders: risk must refuse
# the rest (INSUFFICIENT_BALANCE) even while its replicas die; an over-approval would show as
# a venue rejection for lack of funds or a negative venue balance.
TIGHT_ACCOUNTS = 4
TIGHT_USDT = Decimal("260")
READY_DEADLINE_S = 180.0
SETTLE_DEADLINE_S = 150.0
# The reconciler fails an intent absent at the venue after BW_RECON_GRACE_MS (30 s) on its next
# pass (every 12 s): an orphan of a killed gateway is resolved within about 45 s of the kill.
ORPHAN_GRACE_S = 75.0
STATUS_DEADLINE_S = 30.0
CLIENT_THREADS = 6


def log(message: str) -> None:
    print(f"compose-test: {message}", flush=True)


def accounts_setting(count: int) -> tuple[list[str], dict[str, Decimal], str]:
    names = [f"ct-{i:03d}" for i in range(count)]
    starting = {name: TIGHT_USDT if i < TIGHT_ACCOUNTS else STARTING_USDT for i, name in enumerate(names)}
    return names, starting, ";".join(f"{name}:USDT={starting[name]}" for name in names)


def wait_for_scaled_suite(deployment: Deployment, client: Client) -> dict:
    """Polls bus.status until the expected replicas are registered; returns that status."""
    deadline = time.monotonic() + READY_DEADLINE_S
    last = "no reply"
    while time.monotonic() < deadline:
        status = client.bus_status()
        if status is not None:
            counts = {svc: sum(1 for w in status["workers"] if w["service"] == svc) for svc in EXPECTED_WORKERS}
            if counts == EXPECTED_WORKERS:
                return status
            last = f"workers {counts}"
        client.idle(0.5)
    raise Failure(f"the scaled suite did not register within {READY_DEADLINE_S:.0f} s ({last})")


def bus_status_within(client: Client, deadline_s: float) -> dict:
    """The bus's status, asked again until it answers (one ask waits 2 s): an unanswered ask
    must fail as such, not read as "no leases"."""
    deadline = time.monotonic() + deadline_s
    while (status := client.bus_status()) is None:
        if time.monotonic() > deadline:
            raise Failure(f"the bus did not answer bus.status within {deadline_s:.0f} s")
        client.idle(0.5)
    return status


def lease_holder(status: dict, service: str, containers: list[str]) -> str:
    """The container of `service` whose replica holds the most partitions. The bus leases a
    partition on its first keyed request and never rebalances, so the replica that registered
    first may hold all of them; killing one that holds none would prove nothing. A worker is
    `service@HOSTNAME:pid:start`, and a container's hostname is its short id."""
    held = Counter(lease["worker"].split("@", 1)[-1].split(":", 1)[0]
                   for lease in status.get("leases", []) if lease["service"] == service)
    for host, _ in held.most_common():
        for container in containers:
            if container.startswith(host) or host.startswith(container):
                return container
    return containers[0]


def kill_replicas_mid_run(deployment: Deployment, run: OrderRun, client: Client, total: int) -> dict:
    """Once a third of the orders are acknowledged, kills one risk-service and one gateway;
    returns the bus status (leases) just before the kill."""
    deadline = time.monotonic() + ORDER_DEADLINE_S
    while run.acked_count() < total // 3:
        with run.lock:
            refused = list(run.errors.items())[:5]
        if refused:
            raise Failure(f"orders refused before the kill, e.g. {refused}")
        if time.monotonic() > deadline:
            raise Failure(f"only {run.acked_count()} of {total} orders acknowledged before the kill")
        client.idle(0.05)
    leases = client.bus_status()
    if leases is None:
        raise Failure("the bus did not answer bus.status before the kill")
    killed = {}
    for service in ("risk-service", "order-gateway"):
        victim = lease_holder(leases, service, deployment.containers(service))
        deployment.kill(victim)
        killed[service] = victim
    log(f"killed risk-service {killed['risk-service'][:12]} and order-gateway "
        f"{killed['order-gateway'][:12]} after {run.acked_count()} acknowledged orders")
    return leases


def settle(client: Client, acked: dict) -> set:
    """Polls order.get until no acknowledged order is in flight; returns the orphaned intents.

    An order acknowledged as `pending_new` whose intent the killed gateway committed
    before it could reach the venue stays `pending_new` until the reconciler resolves it
    (issue 6, C1: adopted if the venue has it, else failed and released). Those are
    given ORPHAN_GRACE_S and then returned, to be checked for "never at the venue twice,
    nothing spent" (they fail the run unless --allow-orphans)."""
    open_states = {"pending_new", "partially_filled"}
    pending = set(acked)
    started = time.monotonic()
    while pending and time.monotonic() - started < SETTLE_DEADLINE_S:
        states = {}
        for account, coid in sorted(pending):
            reply = client.ask("order.get", "order-gateway", account,
                               {"account": account, "client_order_id": coid}, wait_s=5.0)
            if reply is not None and reply[0].get("type") == "order.get.ok":
                states[(account, coid)] = reply[1]["order"]["state"]
                if states[(account, coid)] not in open_states:
                    pending.discard((account, coid))
        orphans = {k for k in pending if acked[k]["state"] == "pending_new" and states.get(k) == "pending_new"}
        if pending and pending == orphans and time.monotonic() - started >= ORPHAN_GRACE_S:
            return orphans
        if pending:
            client.idle(0.5)
    if pending:
        raise Failure(f"{len(pending)} acknowledged orders still in flight after {SETTLE_DEADLINE_S:.0f} s, "
                      f"e.g. {[(k, acked[k]['state']) for k in sorted(pending)[:3]]}")
    return set()


def read_venue(venue: Client, accounts: list[str], acked: dict) -> dict:
    """The venue's truth: per account its fills and balances, per acknowledged order its venue order."""
    truth = {"fills": {}, "balances": {}, "orders": {}}
    for account in accounts:
        fills, after = [], None
        while True:
            body = {"account": account} if after is None else {"account": account, "after_trade_seq": after}
            page = venue.must_ask("venue.fills", "venue", None, body)["fills"]
            fills.extend(page)
            if len(page) < 1000:
                break
            after = page[-1]["trade_seq"]
        truth["fills"][account] = fills
        truth["balances"][account] = venue.must_ask("venue.balances", "venue", None, {"account": account})["balances"]
    for account, coid in acked:
        reply = venue.ask("venue.order", "venue", None, {"account": account, "client_order_id": coid}, wait_s=5.0)
        truth["orders"][(account, coid)] = reply[1] if reply and reply[0].get("type") != "error" else None
    return truth


def run(args) -> str:
    compose = shlex.split(args.compose)
    project = f"bwtest{uuid.uuid4().hex[:6]}"
    bus_port = free_port()
    venue_port = free_port(avoid={bus_port})
    accounts, starting, accounts_env = accounts_setting(args.accounts)
    keys = Path(tempfile.mkdtemp(prefix="bw-compose-keys-")) / "keys"
    subprocess.run([str(REPO / "compose" / "keys.sh"), str(REPO / "compose" / "bin" / "tradectl"), str(keys)], check=True)
    operator_key = keys / "operator.key"
    env = dict(os.environ, BW_CLIENT_PORT=str(bus_port), BW_TEST_VENUE_PORT=str(venue_port), BW_KEYS_DIR=str(keys),
               BW_ACCOUNTS=accounts_env, BW_FEE_RATE="0.001", BW_HEALTH_INTERVAL="2s",
               COMPOSE_PROJECT_NAME=project)
    if args.healthcheck == "probe":
        env["BW_HEALTHCHECK"] = "bw-probe"
    deployment = Deployment(compose, project, env)
    scale = [arg for svc, n in SCALE.items() for arg in ("--scale", f"{svc}={n}")]
    client = venue = None
    passed = False
    try:
        started = time.monotonic()
        log(f"up: project {project}, bus :{bus_port}, {args.accounts} accounts, healthcheck {args.healthcheck}")
        deployment.compose("up", "-d", "--no-build", *scale)
        client = Client(bus_port, key_file=operator_key)
        wait_for_scaled_suite(deployment, client)
        log(f"scaled suite registered in {time.monotonic() - started:.1f} s "
            f"(writers running: {len(deployment.containers('persistence-writer'))}, on the bus: 1)")
        if len(deployment.containers("persistence-writer")) != 2:
            raise Failure("expected two persistence-writer containers (one active, one standby)")
        published = {svc: ports for svc, ports in deployment.published_ports().items() if ports}
        # venue-sim's port is published only by docker-compose.test.yml, for the checks below.
        if set(published) != {"bus", "venue-sim"} or len(published["bus"]) != 1:
            raise Failure(f"only the bus may publish a port (one), but: {published}")

        order_run = OrderRun(bus_port, accounts, args.orders, uuid.uuid4().hex[:8], set(accounts[:TIGHT_ACCOUNTS]), operator_key)
        submit_started = time.monotonic()
        threads = [threading.Thread(target=order_run.worker, daemon=True) for _ in range(CLIENT_THREADS)]
        for thread in threads:
            thread.start()
        before = kill_replicas_mid_run(deployment, order_run, client, args.orders)
        for thread in threads:
            thread.join(ORDER_DEADLINE_S * 2)
        submit_s = time.monotonic() - submit_started
        log(f"{len(order_run.acked)} acknowledged, {sum(order_run.refused_for_funds.values())} refused "
            f"INSUFFICIENT_BALANCE on the tight accounts {order_run.refused_for_funds}, {len(order_run.errors)} refused otherwise, "
            f"{order_run.resends} resends, in {submit_s:.1f} s")
        short = [a for a in accounts[:TIGHT_ACCOUNTS] if not order_run.refused_for_funds.get(a)]
        if short:
            raise Failure(f"tight accounts never hit their balance limit (check not exercised): {short}")
        if order_run.errors:
            sample = list(order_run.errors.items())[:5]
            raise Failure(f"{len(order_run.errors)} orders were refused or never acknowledged: {sample}")

        orphans = settle(client, order_run.acked)
        acked_states = Counter(order["state"] for order in order_run.acked.values())
        log(f"acknowledged states {dict(acked_states)}; orphaned intents (pending_new, not resolved "
            f"within {ORPHAN_GRACE_S:.0f} s): {sorted(orphans)}")
        after = bus_status_within(client, STATUS_DEADLINE_S)
        venue = Client(venue_port, key_file=operator_key, server="venue")
        truth = read_venue(venue, accounts, order_run.acked)

        log("stopping the suite gracefully and copying the database out of the volume")
        deployment.compose("stop")
        with tempfile.TemporaryDirectory(prefix="bw-compose-db-") as tmp:
            db_path = deployment.copy_database(Path(tmp))
            db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            try:
                facts = check_database(db, order_run.acked, orphans, before, after)
                check_venue_against_journal(db, truth, order_run.acked, orphans, accounts, starting)
            finally:
                db.close()
        if orphans and args.strict_orphans:
            raise Failure(f"{len(orphans)} acknowledged orders were never resolved (run with --allow-orphans to accept them): "
                          f"{sorted(orphans)}")
        passed = True
        return (f"{len(orphans)} orphaned intents (not at the venue, nothing spent, left to the reconciler); "
                f"{len(order_run.acked)} orders over {args.accounts} accounts, {facts} journal facts, "
                f"up {started and submit_started - started:.1f} s, orders {submit_s:.1f} s, "
                f"total {time.monotonic() - started:.1f} s")
    finally:
        for c in (client, venue):
            if c is not None:
                c.close()
        if not passed:
            deployment.dump_logs()
        if args.keep:
            log(f"kept project {project} (remove: compose -p {project} down -v)")
        else:
            deployment.compose("down", "-v", "--remove-orphans", check=False, quiet=True)
            shutil.rmtree(keys.parent, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compose", default=os.environ.get("COMPOSE", "docker-compose"),
                        help='the compose command, e.g. "docker compose" or "docker-compose"')
    parser.add_argument("--accounts", type=int, default=24)
    parser.add_argument("--orders", type=int, default=240)
    parser.add_argument("--healthcheck", choices=["http", "probe", "auto"], default="auto",
                        help="http: the /health contract; probe: compose/bw-probe; auto: http if the "
                             "sources read BW_HTTP_PORT, else probe")
    parser.add_argument("--allow-orphans", dest="strict_orphans", action="store_false",
                        default=os.environ.get("BW_COMPOSE_ALLOW_ORPHANS") != "1",
                        help="do not fail when an order acknowledged as pending_new is never resolved "
                             "(by default the reconciler's pending-intent resolution, C1, must resolve "
                             "every one within the orphan grace)")
    parser.add_argument("--keep", action="store_true", help="leave the project running")
    args = parser.parse_args()
    if args.healthcheck == "auto":
        found = subprocess.run(["grep", "-rqs", "BW_HTTP_PORT", str(REPO / "Shared"), str(REPO / "Services")])
        args.healthcheck = "http" if found.returncode == 0 else "probe"
    try:
        summary = run(args)
    except Failure as failure:
        log(f"FAILED: {failure}")
        return 1
    except Exception as error:  # a bug here must still report
        log(f"FAILED: {type(error).__name__}: {error}")
        return 1
    log(f"PASSED: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
