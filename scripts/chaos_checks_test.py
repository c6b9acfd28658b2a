#!/usr/bin/env python3
"""The chaos campaign's invariant checks must be able to fail: each invariant is given
evidence that breaks it (and the clean evidence, which must pass)."""

from __future__ import annotations

import sys
import unittest
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chaos_checks import Evidence, check, state_at  # noqa: E402

KEY = ("a-1", "o-1")


def clean() -> Evidence:
    """One filled market buy, journaled as the venue has it, risk's books equal to the venue's."""
    e = Evidence()
    e.orders[KEY] = {"state": "filled", "reason": None, "venue_order_id": "v-1"}
    e.intents[KEY] = {"msg_id": "intent:a-1:o-1", "seq": 9, "ts": 1_000, "approved_at": 900, "closing": False}
    e.journal_trades["t-1"] = 1
    e.venue_orders[KEY] = {"venue_order_id": "v-1", "status": "filled", "created_ts": 2_000}
    e.venue_fills["a-1"] = [{"trade_id": "t-1", "client_order_id": "o-1", "venue_order_id": "v-1"}]
    e.venue_open["a-1"] = set()
    e.venue_balances["a-1"] = {"USDT": Decimal("950"), "BTC": Decimal("1")}
    e.risk_balances["a-1"] = [
        {"asset": "USDT", "total": "950", "reserved": "0", "available": "950"},
        {"asset": "BTC", "total": "1", "reserved": "0", "available": "1"},
    ]
    return e


REPLIES = {"o-1": {"account": "a-1", "outcome": "ok:filled"}}


class ChecksTest(unittest.TestCase):
    def violations(self, evidence: Evidence, replies=REPLIES) -> dict[str, list[str]]:
        return {k: v for k, v in check(evidence, replies).items() if v}

    def test_clean_evidence_holds(self):
        self.assertEqual(self.violations(clean()), {})

    def test_1_two_venue_orders_under_one_id(self):
        e = clean()
        e.venue_fills["a-1"].append({"trade_id": "t-2", "client_order_id": "o-1", "venue_order_id": "v-2"})
        e.journal_trades["t-2"] = 1
        self.assertIn("1_one_venue_order_per_id", self.violations(e))

    def test_2_a_lost_fill_and_a_doubled_one(self):
        e = clean()
        e.journal_trades = {}
        self.assertIn("2_fills_exactly_once", self.violations(e))
        e = clean()
        e.journal_trades["t-1"] = 2
        self.assertIn("2_fills_exactly_once", self.violations(e))
        e = clean()
        e.journal_trades["t-9"] = 1
        self.assertIn("2_fills_exactly_once", self.violations(e))

    def test_3_books_that_do_not_add_up_or_differ_from_the_venue(self):
        e = clean()
        e.risk_balances["a-1"][0] = {"asset": "USDT", "total": "950", "reserved": "10", "available": "950"}
        self.assertIn("3_balances", self.violations(e))
        e = clean()
        e.venue_balances["a-1"]["USDT"] = Decimal("949")
        self.assertIn("3_balances", self.violations(e))
        e = clean()
        e.risk_balances["a-1"] = None
        self.assertIn("3_balances", self.violations(e))

    def test_4_a_venue_order_older_than_its_intent(self):
        e = clean()
        e.venue_orders[KEY]["created_ts"] = 500
        self.assertIn("4_intent_before_venue", self.violations(e))
        e.intents[KEY]["msg_id"] = "external:a-1:o-1"  # adopted after the fact: not a violation
        self.assertNotIn("4_intent_before_venue", self.violations(e))

    def test_5_an_acknowledged_order_missing_from_the_journal(self):
        self.assertIn("5_acknowledged_in_journal", self.violations(clean(), {"o-2": {"account": "a-1", "outcome": "ok:accepted"}}))
        self.assertEqual(self.violations(clean(), {"o-2": {"account": "a-1", "outcome": "no_reply"}}), {})

    def test_6_journal_and_venue_disagree(self):
        for state, venue in (("accepted", "filled"), ("unknown", "new"), ("pending_new", None), ("accepted", None)):
            e = clean()
            e.orders[KEY]["state"] = state
            e.venue_orders[KEY] = None if venue is None else {**e.venue_orders[KEY], "status": venue}
            self.assertIn("6_journal_equals_venue", self.violations(e), (state, venue))
        e = clean()
        e.orders[KEY]["state"] = "accepted"
        e.venue_orders[KEY]["status"] = "new"  # working, but missing from the open orders
        self.assertIn("6_journal_equals_venue", self.violations(e))
        e.venue_open["a-1"] = {"o-1"}
        self.assertNotIn("6_journal_equals_venue", self.violations(e))

    def test_7_an_intent_committed_behind_an_open_breaker_or_hard_stop(self):
        for scope in ("a-1", "*"):
            e = clean()
            e.breakers[scope] = [(3, "draining"), (5, "open"), (11, "half_open")]
            self.assertIn("7_breakers_hold", self.violations(e))
            e.breakers[scope] = [(3, "draining"), (5, "open"), (8, "half_open")]
            self.assertNotIn("7_breakers_hold", self.violations(e))
        e = clean()
        e.governors["a-1"] = [(2, "hard_stop")]
        self.assertIn("7_breakers_hold", self.violations(e))
        e.governors["a-1"] = [(2, "hard_stop"), (4, "quarantine")]
        self.assertNotIn("7_breakers_hold", self.violations(e))

    def test_7_closing_and_adopted_orders_pass_but_a_clients_order_is_never_closing(self):
        e = clean()
        e.breakers["*"] = [(3, "open")]
        e.intents[KEY]["msg_id"] = "external:a-1:o-1"
        self.assertNotIn("7_breakers_hold", self.violations(e))
        e = clean()
        e.breakers["*"] = [(3, "open")]
        e.intents[KEY]["closing"] = True
        self.assertIn("7_breakers_hold", self.violations(e))  # o-1 is a client's id
        e.intents[("a-1", "fc:a-1:BTC-USDT:t-1")] = {**e.intents.pop(KEY), "seq": 12}
        self.assertNotIn("7_breakers_hold", self.violations(e))

    def test_state_at(self):
        transitions = [(10, "draining"), (20, "open")]
        self.assertEqual([state_at(transitions, t, "closed") for t in (5, 10, 15, 25)], ["closed", "draining", "draining", "open"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
