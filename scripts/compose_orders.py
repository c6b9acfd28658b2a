"""The client side of scripts/compose_test.py: market orders from several threads, resent with
the same client_order_id until acknowledged, refused, or out of time."""

from __future__ import annotations

import threading
import time

from compose_client import Client

# Resent after a pause, as docs/errors.md tells a client to: ACCOUNT_NOT_RECONCILED while a
# reconciler run (a replica starting) has not reconciled the account yet.
RETRYABLE = {"UNAVAILABLE", "TIMEOUT", "OVERLOADED", "ACCOUNT_NOT_RECONCILED"}
ORDER_QTY = "0.001"
ORDER_DEADLINE_S = 120.0


class OrderRun:
    """Submits the orders from several threads; records what the client got acknowledged."""

    def __init__(self, bus_port: int, accounts: list[str], orders: int, run_id: str, tight: set[str], key_file=None):
        self.bus_port = bus_port
        self.key_file = key_file
        self.jobs = [(accounts[n % len(accounts)], f"ct-{run_id}-{n:05d}") for n in range(orders)]
        self.lock = threading.Lock()
        self.next_job = 0
        self.acked: dict[tuple[str, str], dict] = {}
        self.errors: dict[tuple[str, str], dict] = {}
        self.tight = tight
        self.refused_for_funds: dict[str, int] = {}
        self.resends = 0

    def take(self):
        with self.lock:
            if self.next_job >= len(self.jobs):
                return None
            job = self.jobs[self.next_job]
            self.next_job += 1
            return job

    def worker(self) -> None:
        client = Client(self.bus_port, key_file=self.key_file)
        try:
            while (job := self.take()) is not None:
                self.submit(client, *job)
        finally:
            client.close()

    def submit(self, client: Client, account: str, client_order_id: str) -> None:
        body = {"account": account, "client_order_id": client_order_id, "symbol": "BTC/USDT",
                "side": "buy", "type": "market", "qty": ORDER_QTY}
        deadline = time.monotonic() + ORDER_DEADLINE_S
        while time.monotonic() < deadline:
            reply = client.ask("order.submit", "order-gateway", account, body, wait_s=8.0)
            if reply is not None and reply[0].get("type") == "order.submit.ok":
                with self.lock:
                    self.acked[(account, client_order_id)] = reply[1]["order"]
                return
            if reply is not None and reply[1].get("code") == "INSUFFICIENT_BALANCE" and account in self.tight:
                with self.lock:
                    self.refused_for_funds[account] = self.refused_for_funds.get(account, 0) + 1
                return
            if reply is not None and reply[1].get("code") not in RETRYABLE:
                with self.lock:
                    self.errors[(account, client_order_id)] = reply[1]
                return
            with self.lock:
                self.resends += 1
            if reply is not None:
                client.idle(min(max(int(reply[1].get("retry_after_ms", 100)), 10), 1000) / 1000)
        with self.lock:
            self.errors[(account, client_order_id)] = {"code": "CLIENT_GAVE_UP"}

    def acked_count(self) -> int:
        with self.lock:
            return len(self.acked)
