#!/usr/bin/env python3
"""Shows that every money check of scripts/compose_checks.py can fail: a tiny journal that
passes, then one broken thing at a time (stale epoch committed, second intent, unbalanced
reservation, a fill the venue never made, a balance off by one cent, a double venue order).

Run by `make compose-test` before the Docker part; last line `compose-checks: N passed, 0 failed`."""

from __future__ import annotations

import copy
import json
import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compose_checks import Failure, check_database, check_venue_against_journal  # noqa: E402

KEY = ("a1", "o1")
FILL = {"trade_id": "T1", "venue_order_id": "V1", "client_order_id": "o1", "account": "a1", "symbol": "BTC/USDT",
        "side": "buy", "qty": "0.001", "price": "50000", "fee": "0.05", "fee_asset": "USDT", "trade_seq": 1}


def journal(stale: bool = False, second_intent: bool = False, reservation_released: str = "0.95",
            venue_refused_for_funds: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript("""
        CREATE TABLE journal (seq INTEGER PRIMARY KEY, type TEXT, account TEXT, partition INTEGER, epoch INTEGER, payload TEXT);
        CREATE TABLE partition_epochs (partition INTEGER PRIMARY KEY, epoch INTEGER);
        CREATE TABLE orders (account TEXT, client_order_id TEXT, state TEXT, filled_qty TEXT, venue_order_id TEXT,
                             reason TEXT);
        CREATE TABLE reservations (account TEXT, client_order_id TEXT, amount TEXT, committed TEXT, released TEXT, state TEXT);
        CREATE TABLE fills (account TEXT, client_order_id TEXT, venue_order_id TEXT, symbol TEXT, side TEXT, qty TEXT,
                            price TEXT, fee TEXT, fee_asset TEXT, trade_id TEXT);""")
    intent = json.dumps({"client_order_id": "o1"})
    db.execute("INSERT INTO journal VALUES (1, 'order.intent', 'a1', 7, 5, ?)", (intent,))
    db.execute("INSERT INTO journal VALUES (2, 'order.intent', 'a2', 7, ?, ?)", (4 if stale else 6, json.dumps({"client_order_id": "x"})))
    if second_intent:
        db.execute("INSERT INTO journal VALUES (3, 'order.intent', 'a1', NULL, NULL, ?)", (intent,))
    db.execute("INSERT INTO partition_epochs VALUES (7, 6)")
    db.execute("INSERT INTO orders VALUES ('a1', 'o1', 'filled', '0.001', 'V1', NULL)")
    if venue_refused_for_funds:
        db.execute("INSERT INTO orders VALUES ('a1', 'o2', 'rejected', '0', NULL, 'insufficient_balance')")
    db.execute("INSERT INTO reservations VALUES ('a1', 'o1', '51', '50.05', ?, 'closed')", (reservation_released,))
    db.execute("INSERT INTO fills VALUES ('a1', 'o1', 'V1', 'BTC/USDT', 'buy', '0.001', '50000', '0.05', 'USDT', 'T1')")
    return db


def venue(**change) -> dict:
    truth = {"fills": {"a1": [dict(FILL)]}, "balances": {"a1": {"USDT": "99949.95", "BTC": "0.001"}},
             "orders": {KEY: {"venue_order_id": "V1", "qty": "0.001"}}}
    for path, value in change.items():
        if path == "balance":
            truth["balances"]["a1"]["USDT"] = value
        elif path == "extra_fill":
            truth["fills"]["a1"].append(dict(FILL, trade_id="T2", venue_order_id="V2", qty="0.0005"))
    return truth


BEFORE = {"leases": [{"service": "risk-service", "partition": 7, "worker": "r1", "epoch": 5}]}
AFTER = {"leases": [{"service": "risk-service", "partition": 7, "worker": "r2", "epoch": 6}]}
ACKED = {KEY: {"state": "filled"}}


def run(db: sqlite3.Connection, truth: dict, after: dict = AFTER) -> None:
    check_database(db, ACKED, set(), BEFORE, after)
    check_venue_against_journal(db, truth, ACKED, set(), ["a1"], {"a1": Decimal("100000")})


CASES = [
    ("a clean journal passes", lambda: run(journal(), venue()), None),
    ("a committed stale-epoch write", lambda: run(journal(stale=True), venue()), "STALE_EPOCH"),
    ("two intents for one order", lambda: run(journal(second_intent=True), venue()), "exactly 1"),
    ("a reservation that does not add up", lambda: run(journal(reservation_released="0.94"), venue()), "amount"),
    ("a balance off by one cent", lambda: run(journal(), venue(balance="99949.94")), "ledger identity"),
    ("a second venue order for one id", lambda: run(journal(), venue(extra_fill=True)), "more than once"),
    ("an order the venue refused for funds", lambda: run(journal(venue_refused_for_funds=True), venue()),
     "more than the account has"),
    ("a negative venue balance", lambda: run(journal(), venue(balance="-0.01")), "negative"),
    ("leases that never moved", lambda: run(journal(), venue(), after=copy.deepcopy(BEFORE)), "changed owner"),
]


def main() -> int:
    failed = 0
    for name, case, expected in CASES:
        try:
            case()
            outcome = None
        except Failure as failure:
            outcome = str(failure)
        ok = (outcome is None) if expected is None else (outcome is not None and expected in outcome)
        failed += not ok
        print(f"compose-checks: {'ok  ' if ok else 'FAIL'} {name}: {outcome or 'passed'}")
    print(f"compose-checks: {len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
