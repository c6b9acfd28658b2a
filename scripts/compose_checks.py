"""The money checks of scripts/compose_test.py: the copied database against the client's
acknowledgements, the venue's truth and the bus's leases. Each check raises `Failure`."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from decimal import Decimal


class Failure(Exception):
    """A check failed; the message says why."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def check_database(db: sqlite3.Connection, acked: dict, orphans: set, before: dict, after: dict) -> int:
    """Journal exactly-once, reservations balanced, and no stale-epoch write committed."""
    facts = db.execute("SELECT count(*) FROM journal").fetchone()[0]
    intents = defaultdict(int)
    for account, coid in db.execute(
            "SELECT account, json_extract(payload, '$.client_order_id') FROM journal WHERE type = 'order.intent'"):
        intents[(account, coid)] += 1
    rows = {(a, c): (state, filled, venue_id) for a, c, state, filled, venue_id in db.execute(
        "SELECT account, client_order_id, state, filled_qty, venue_order_id FROM orders")}
    for key, order in acked.items():
        expect(intents.get(key) == 1, f"order {key} acknowledged to the client has {intents.get(key, 0)} "
                                      f"order.intent facts in the journal (want exactly 1)")
        expect(key in rows, f"order {key} acknowledged to the client has no row in orders")
    doubles = {k: n for k, n in intents.items() if n != 1}
    expect(not doubles, f"orders with more than one intent in the journal: {list(doubles.items())[:5]}")
    check_reservations(db, acked, orphans)
    check_fencing(db)
    check_leases_moved(before, after)
    return facts


def check_reservations(db: sqlite3.Connection, acked: dict, orphans: set) -> None:
    """Every final acknowledged order's reservation is closed with committed + released = amount;
    an orphaned intent's is still held with nothing committed (no money moved)."""
    for account, coid, amount, committed, released, state in db.execute(
            "SELECT account, client_order_id, amount, committed, released, state FROM reservations"):
        if (account, coid) not in acked:
            continue
        if (account, coid) in orphans:
            expect(state == "held" and Decimal(committed) == 0,
                   f"orphaned intent {(account, coid)}: reservation {state}, committed {committed}")
            continue
        expect(state == "closed", f"reservation of final order {(account, coid)} is still {state}")
        expect(Decimal(committed) + Decimal(released) == Decimal(amount),
               f"reservation of {(account, coid)}: committed {committed} + released {released} != amount {amount}")
        expect(Decimal(committed) >= 0 and Decimal(released) >= 0,
               f"reservation of {(account, coid)} has a negative part")


def check_fencing(db: sqlite3.Connection) -> None:
    """No committed write under a stale epoch: per partition, epochs never go down in seq order."""
    fences = dict(db.execute("SELECT partition, epoch FROM partition_epochs"))
    highest: dict[int, int] = {}
    fenced = 0
    for seq, partition, epoch in db.execute(
            "SELECT seq, partition, epoch FROM journal WHERE partition IS NOT NULL ORDER BY seq"):
        fenced += 1
        expect(epoch is not None, f"journal seq {seq} has a partition but no epoch")
        if epoch < highest.get(partition, epoch):
            raise Failure(f"STALE_EPOCH write committed: seq {seq} partition {partition} epoch {epoch} "
                          f"after epoch {highest[partition]}")
        highest[partition] = max(epoch, highest.get(partition, epoch))
        expect(epoch <= fences.get(partition, -1),
               f"journal seq {seq} epoch {epoch} is above the writer's fence for partition {partition}")
    expect(fenced > 0, "no journal write carried a partition epoch: fencing was not exercised")


def check_leases_moved(before: dict, after: dict) -> None:
    """The killed risk-service's partitions went to the survivor under a higher epoch."""
    old = {l["partition"]: l for l in before.get("leases", []) if l["service"] == "risk-service"}
    new = {l["partition"]: l for l in after.get("leases", []) if l["service"] == "risk-service"}
    moved = [p for p, lease in new.items()
             if p in old and lease["worker"] != old[p]["worker"] and lease["epoch"] > old[p]["epoch"]]
    expect(moved, "no risk-service partition changed owner with a higher epoch after the kill")


def ledger_of(fills: list[dict], starting: Decimal) -> dict[str, Decimal]:
    """Starting USDT plus every fill: a buy adds base and spends quote; the fee leaves fee_asset."""
    balances: dict[str, Decimal] = defaultdict(Decimal)
    balances["USDT"] += starting
    for fill in fills:
        base, quote = fill["symbol"].split("/")
        qty, price = Decimal(fill["qty"]), Decimal(fill["price"])
        sign = 1 if fill["side"] == "buy" else -1
        balances[base] += sign * qty
        balances[quote] -= sign * qty * price
        balances[fill["fee_asset"]] -= Decimal(fill["fee"])
    return balances


def check_venue_against_journal(db: sqlite3.Connection, truth: dict, acked: dict, orphans: set,
                                accounts: list[str], starting: dict[str, Decimal]) -> None:
    """Exactly once at the venue, same fills on both sides, each account's ledger identity, and
    no over-approval: no order refused by the venue for funds, no negative venue balance."""
    journal_fills = defaultdict(list)
    for row in db.execute("SELECT account, client_order_id, venue_order_id, symbol, side, qty, price, fee, "
                          "fee_asset, trade_id FROM fills"):
        keys = ("account", "client_order_id", "venue_order_id", "symbol", "side", "qty", "price", "fee",
                "fee_asset", "trade_id")
        journal_fills[row[0]].append(dict(zip(keys, row)))
    orders = {(a, c): (s, f, v) for a, c, s, f, v in db.execute(
        "SELECT account, client_order_id, state, filled_qty, venue_order_id FROM orders")}
    for account, coid, reason in db.execute(
            "SELECT account, client_order_id, reason FROM orders WHERE state = 'rejected'"):
        expect("insufficient" not in (reason or "") and "balance" not in (reason or ""),
               f"the venue refused {(account, coid)} for funds ({reason}): risk approved more than the account has")
    rejected = {(account, coid) for account, coid in db.execute(
        "SELECT account, client_order_id FROM orders WHERE state = 'rejected'")}
    for key, ack in acked.items():
        venue_order = truth["orders"][key]
        venue_fills = [f for f in truth["fills"][key[0]] if f["client_order_id"] == key[1]]
        # Acknowledged as pending_new by a gateway that died before the venue call, then failed
        # by the reconciler (C1, not_at_venue): like an orphan, it must not be at the venue.
        if key in orphans or (venue_order is None and (ack["state"] == "rejected" or key in rejected)):
            expect(venue_order is None and not venue_fills,
                   f"order {key} ({'orphaned intent' if key in orphans else 'rejected'}) is at the venue "
                   f"but the journal does not say so")
            continue
        expect(venue_order is not None, f"order {key} acknowledged to the client is unknown at the venue")
        venue_ids = {f["venue_order_id"] for f in venue_fills} | {venue_order["venue_order_id"]}
        expect(len(venue_ids) == 1, f"order {key} is at the venue more than once: {sorted(venue_ids)}")
        filled = sum((Decimal(f["qty"]) for f in venue_fills), Decimal(0))
        expect(filled <= Decimal(venue_order["qty"]), f"order {key} filled {filled} > its qty at the venue")
        state, journal_filled, journal_venue_id = orders[key]
        expect(journal_venue_id == venue_order["venue_order_id"],
               f"order {key}: journal venue id {journal_venue_id} != venue's {venue_order['venue_order_id']}")
        expect(Decimal(journal_filled) == filled, f"order {key}: journal filled {journal_filled} != venue's {filled}")
    for account in accounts:
        venue_ids = sorted(f["trade_id"] for f in truth["fills"][account])
        journal_ids = sorted(f["trade_id"] for f in journal_fills[account])
        expect(venue_ids == journal_ids, f"{account}: the journal's trades differ from the venue's "
                                         f"({len(journal_ids)} vs {len(venue_ids)})")
        mine = ledger_of(journal_fills[account], starting[account])
        theirs = {asset: Decimal(amount) for asset, amount in truth["balances"][account].items()}
        for asset, amount in theirs.items():
            expect(amount >= 0, f"{account} {asset}: venue balance {amount} is negative (risk over-approved)")
        for asset in set(mine) | set(theirs):
            expect(mine.get(asset, Decimal(0)) == theirs.get(asset, Decimal(0)),
                   f"{account} {asset}: starting balance + journal fills = {mine.get(asset, 0)}, "
                   f"venue balance = {theirs.get(asset, 0)} (ledger identity broken)")
