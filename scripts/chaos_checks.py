"""The seven invariants of ARCHITECTURE.md, checked from the outside after a chaos campaign.

Evidence comes from three places that do not share code with the services' own folds: the
journal (SQLite, opened read-only), the venue's book (its RPC endpoint) and every reply a
client received. `check` is a pure function of that evidence, so a violation can be read
back from the report.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

# The journal's state of each venue order status.
JOURNAL_STATE = {
    "new": "accepted", "partially_filled": "partially_filled", "filled": "filled",
    "canceled": "canceled", "expired": "expired", "rejected": "rejected",
}
# Orders the reconciler places itself: reduce-only, allowed past breakers and the governor
# (risk marks them `closing` in their intent). The campaign's clients never send reduce-only
# orders, so a closing intent of any other id is itself a violation.
REDUCE_ONLY_PREFIXES = ("fc:", "rs:")
# The fact id of an order the reconciler adopted from the venue (not new: no stop applies).
ADOPTED_PREFIX = "external:"


@dataclass
class Evidence:
    # (account, client_order_id) → the journal's order row
    orders: dict[tuple[str, str], dict] = field(default_factory=dict)
    # (account, client_order_id) → the intent: msg_id, journal seq and ts, approved_at, closing
    intents: dict[tuple[str, str], dict] = field(default_factory=dict)
    # trade id → how many fill facts the journal holds for it
    journal_trades: dict[str, int] = field(default_factory=dict)
    # scope ('*' or account) → [(seq, to)] breaker transitions in journal order
    breakers: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # account → [(seq, to)] governor transitions
    governors: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    # (account, client_order_id) → the venue's order (None: the venue does not have it)
    venue_orders: dict[tuple[str, str], dict | None] = field(default_factory=dict)
    # account → the venue's fills
    venue_fills: dict[str, list[dict]] = field(default_factory=dict)
    # account → client_order_ids the venue lists as open
    venue_open: dict[str, set[str]] = field(default_factory=dict)
    # account → asset → total at the venue
    venue_balances: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    # account → risk-service's balances [{asset,total,reserved,available}] (None: no answer)
    risk_balances: dict[str, list[dict] | None] = field(default_factory=dict)


def read_journal(database: Path, evidence: Evidence) -> None:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        for account, coid, state, reason, venue_order_id in db.execute(
                "SELECT account, client_order_id, state, reason, venue_order_id FROM orders"):
            evidence.orders[(account, coid)] = {"state": state, "reason": reason, "venue_order_id": venue_order_id}
        for seq, msg_id, type_, account, payload, ts in db.execute(
                "SELECT seq, msg_id, type, account, payload, ts FROM journal ORDER BY seq"):
            body = json.loads(payload)
            if type_ == "order.intent":
                evidence.intents[(account, body["client_order_id"])] = {
                    "msg_id": msg_id, "seq": seq, "ts": ts, "approved_at": body.get("approved_at"),
                    "closing": body.get("closing") is True}
            elif type_ == "fill.recorded":
                evidence.journal_trades[body["trade_id"]] = evidence.journal_trades.get(body["trade_id"], 0) + 1
            elif type_ == "breaker.transition":
                evidence.breakers.setdefault(account, []).append((seq, body["to"]))
            elif type_ == "governor.transition":
                evidence.governors.setdefault(account, []).append((seq, body["to"]))
    finally:
        db.close()


def read_venue(venue, accounts: list[str], evidence: Evidence) -> None:
    """`venue` answers `must_ask(type, service, key, body)` against the venue's RPC endpoint."""
    for account in accounts:
        fills, after = [], None
        while True:
            page = venue.must_ask("venue.fills", "venue", None, {"account": account, "after_trade_seq": after})["fills"]
            if not page:
                break
            fills += page
            after = page[-1]["trade_seq"]
        evidence.venue_fills[account] = fills
        open_ids, cursor = set(), None
        while True:
            reply = venue.must_ask("venue.open_orders", "venue", None, {"account": account, "after_venue_order_id": cursor})
            open_ids |= {order["client_order_id"] for order in reply["orders"]}
            cursor = reply.get("next_after")
            if cursor is None:
                break
        evidence.venue_open[account] = open_ids
        balances = venue.must_ask("venue.balances", "venue", None, {"account": account})["balances"]
        evidence.venue_balances[account] = {asset: Decimal(total) for asset, total in balances.items()}
    for account, coid in evidence.orders:
        reply = venue.ask("venue.order", "venue", None, {"account": account, "client_order_id": coid}, 10.0)
        if reply is None:
            raise RuntimeError(f"the venue did not answer venue.order for {coid}")
        evidence.venue_orders[(account, coid)] = None if reply[0].get("type") == "error" else reply[1]


def read_risk(bus, accounts: list[str], evidence: Evidence) -> None:
    for account in accounts:
        reply = bus.ask("risk.show", "risk-service", account, {"account": account}, 10.0)
        ok = reply is not None and reply[0].get("type") != "error"
        evidence.risk_balances[account] = reply[1]["balances"] if ok else None


def state_at(transitions: list[tuple[int, str]], moment: int, initial: str) -> str:
    """The state a scope was in at journal seq `moment` (transitions in journal order, each with its seq)."""
    state = initial
    for at, to in transitions:
        if at > moment:
            break
        state = to
    return state


def check(evidence: Evidence, replies: dict[str, dict]) -> dict[str, list[str]]:
    """Violations per invariant (an empty list: it held). `replies`: client_order_id → what the
    client last heard ({"account", "outcome"}; outcome `ok:<state>` for an order.submit.ok)."""
    found: dict[str, list[str]] = {name: [] for name in (
        "1_one_venue_order_per_id", "2_fills_exactly_once", "3_balances", "4_intent_before_venue",
        "5_acknowledged_in_journal", "6_journal_equals_venue", "7_breakers_hold")}

    # 1. one client_order_id → at most one venue order.
    for account, fills in evidence.venue_fills.items():
        ids: dict[str, set[str]] = {}
        for fill in fills:
            ids.setdefault(fill["client_order_id"], set()).add(fill["venue_order_id"])
        for coid, venue_ids in ids.items():
            if len(venue_ids) > 1:
                found["1_one_venue_order_per_id"].append(f"{account}/{coid}: fills of venue orders {sorted(venue_ids)}")
    for key, order in evidence.orders.items():
        venue = evidence.venue_orders.get(key)
        if venue and order["venue_order_id"] and order["venue_order_id"] != venue["venue_order_id"]:
            found["1_one_venue_order_per_id"].append(
                f"{key[0]}/{key[1]}: journal venue order {order['venue_order_id']}, venue {venue['venue_order_id']}")

    # 2. every venue fill exactly once in the journal, and nothing else.
    venue_trades = {fill["trade_id"] for fills in evidence.venue_fills.values() for fill in fills}
    for trade in sorted(venue_trades - evidence.journal_trades.keys()):
        found["2_fills_exactly_once"].append(f"venue trade {trade} is not in the journal")
    for trade, count in sorted(evidence.journal_trades.items()):
        if trade not in venue_trades:
            found["2_fills_exactly_once"].append(f"journal trade {trade} is not at the venue")
        elif count != 1:
            found["2_fills_exactly_once"].append(f"journal trade {trade} is journaled {count} times")

    # 3. available + reserved = total ≥ 0 in risk, and the totals are the venue's.
    for account, balances in evidence.risk_balances.items():
        if balances is None:
            found["3_balances"].append(f"{account}: risk-service did not answer risk.show")
            continue
        risk = {b["asset"]: b for b in balances}
        for asset in sorted(set(risk) | set(evidence.venue_balances.get(account, {}))):
            b = risk.get(asset, {"total": "0", "reserved": "0", "available": "0"})
            total, reserved, available = Decimal(b["total"]), Decimal(b["reserved"]), Decimal(b["available"])
            venue_total = evidence.venue_balances.get(account, {}).get(asset, Decimal(0))
            if available + reserved != total or available < 0 or reserved < 0 or total < 0:
                found["3_balances"].append(f"{account} {asset}: total {total}, reserved {reserved}, available {available}")
            if total != venue_total:
                found["3_balances"].append(f"{account} {asset}: risk total {total}, venue total {venue_total}")

    # 4. no venue order before its intent was committed (external orders are adopted after).
    for key, venue in evidence.venue_orders.items():
        intent = evidence.intents.get(key)
        if venue is None or intent is None or intent["msg_id"].startswith("external:"):
            continue
        if venue["created_ts"] < intent["ts"]:
            found["4_intent_before_venue"].append(
                f"{key[0]}/{key[1]}: at the venue {(intent['ts'] - venue['created_ts']) / 1e6:.1f} ms before its intent committed")

    # 5. every order a client got order.submit.ok for is in the journal.
    for coid, reply in sorted(replies.items()):
        if reply["outcome"].startswith("ok:") and (reply["account"], coid) not in evidence.orders:
            found["5_acknowledged_in_journal"].append(f"{reply['account']}/{coid}: acknowledged ({reply['outcome']}) but not journaled")

    # 6. every order terminal or open at the venue, the journal's view equal to the venue's.
    for key, order in sorted(evidence.orders.items()):
        venue = evidence.venue_orders.get(key)
        where = f"{key[0]}/{key[1]}"
        if order["state"] in ("pending_new", "unknown"):
            found["6_journal_equals_venue"].append(f"{where}: still {order['state']} after quiescence (venue: {venue and venue['status']})")
        elif venue is None:
            if order["state"] != "rejected":
                found["6_journal_equals_venue"].append(f"{where}: journal {order['state']}, the venue has no such order")
        elif JOURNAL_STATE.get(venue["status"]) != order["state"]:
            found["6_journal_equals_venue"].append(f"{where}: journal {order['state']} ({order['reason']}), venue {venue['status']}")
        elif venue["status"] in ("new", "partially_filled") and key[1] not in evidence.venue_open.get(key[0], set()):
            found["6_journal_equals_venue"].append(f"{where}: working at the venue but not in its open orders")

    # 7. no new order let through while its account's or the global breaker was OPEN or
    #    DRAINING, or its governor at HARD_STOP, in the journal's order: an intent committed
    #    after the transition that stopped it (the journal is the arbiter; two risk replicas
    #    fold each other's transitions with a lag, and the writer refuses intents behind a
    #    committed stop). Closing orders of the reconciler pass; a closing intent of another id
    #    is a violation, since the campaign's clients send no reduce-only orders.
    for key, intent in evidence.intents.items():
        if intent["msg_id"].startswith(ADOPTED_PREFIX):
            continue
        if intent["closing"]:
            if not key[1].startswith(REDUCE_ONLY_PREFIXES):
                found["7_breakers_hold"].append(f"{key[0]}/{key[1]}: a client's order marked closing")
            continue
        committed = intent["seq"]
        for scope in (key[0], "*"):
            state = state_at(evidence.breakers.get(scope, []), committed, "closed")
            if state in ("open", "draining"):
                found["7_breakers_hold"].append(
                    f"{key[0]}/{key[1]}: intent seq {committed} committed while breaker {scope} was {state}")
        if state_at(evidence.governors.get(key[0], []), committed, "normal") == "hard_stop":
            found["7_breakers_hold"].append(f"{key[0]}/{key[1]}: intent seq {committed} committed at HARD_STOP")
    return found
