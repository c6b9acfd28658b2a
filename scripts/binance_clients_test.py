#!/usr/bin/env python3
"""Binance's own clients against venue-sim's Binance Spot front (docs/live-trading.md).

ccxt and Binance's official binance-sdk-spot were written by other people from the real
API; if they accept the paper venue's answers, its front speaks Binance. This starts the
real venue-sim (book on disk) with its Binance front on a free loopback port, waits for
`/api/v3/ping` (polled with a deadline), then with each client: places a limit order by
client id, queries it by client id, lists the open orders, cancels it, places a market
order and finds its trade in my trades (from its trade id), reads the account, and checks
the refusals a client must be able to tell apart: a duplicate client id among OPEN orders
(-2010; the same id is free again once the order ended), an unknown order (-2013), a bad
signature (-1022) and an unknown key (-2015). Then venue-sim's Binance faults, set with the
real `tradectl venue faults`: a 429 and a 418 ban, each with Retry-After, that ccxt takes for
what they are (its rate-limit errors) and during which nothing is executed; and a new order
executed whose reply is lost (-1007, a 503), which ccxt reports as an error while asking by
client id finds it filled; and the exchange's clock 10 s ahead (-1021 for a call signed with
ours, through once ccxt measured the difference). Then the user data stream on the
WebSocket API (`/ws-api/v3`): raw frames for every refusal (garbage -1102, an unknown method
-1020, a wrong signature -1022, a stale timestamp -1021) and both stream faults (terminated:
eventStreamTerminated; silent: no reply, even to a ping, until lifted); ccxt.pro's
watch_orders, watch_my_trades and watch_balance against a market order; and binance-sdk-spot's
WebSocket client, its signed subscribe and its own ExecutionReport model. Money is compared as
Decimal from the raw strings.

The last line is `binance-clients: N passed, M failed` (exit 1 on any failure).

Usage: scripts/binance_clients_test.py --bin-dir DIR [--python-clients VENV_PYTHON]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_snippet_test import free_block  # noqa: E402

API_KEY = "bw-test-key-0001"
SECRET = "bw-test-secret-0001"
ACCOUNT = "acct-1"
BALANCES = {"USDT": Decimal("100000"), "BTC": Decimal("2"), "ETH": Decimal("20")}
READY_DEADLINE_S = 30.0
STOP_GRACE_S = 5.0


class Checks:
    """Named checks, counted; a failing one prints what it saw."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def expect(self, name: str, condition: bool, seen: object = None) -> None:
        if condition:
            self.passed += 1
            print(f"  ok    {name}", flush=True)
        else:
            self.failed += 1
            print(f"  FAIL  {name}: saw {seen!r}", flush=True)

    def refused(self, name: str, call, code: int) -> None:
        """`call()` must raise an error whose text carries Binance code `code`."""
        try:
            result = call()
        except Exception as error:  # each client has its own exception types
            self.expect(name, str(code) in str(error), str(error)[:300])
            return
        self.expect(name, False, f"no error; got {result!r}"[:300])


def start_venue(bin_dir: Path, work: Path) -> tuple[subprocess.Popen, int]:
    base = free_block(3, set())
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env.update({
        "BW_VENUE_HOST": "127.0.0.1",
        "BW_VENUE_PORT": str(base),
        "BW_VENUE_BINANCE_PORT": str(base + 2),
        "BW_VENUE_BINANCE_CREDENTIALS": f"{ACCOUNT}:{API_KEY}:{SECRET}",
        "BW_VENUE_STATE_PATH": str(work / "venue-book.json"),
        "BW_ACCOUNTS": f"{ACCOUNT}:" + ",".join(f"{a}={v}" for a, v in BALANCES.items()),
        # Only the Binance front (HTTP, its own API keys) is under test: venue-sim's ZeroMQ endpoints,
        # unused here, run without keys.
        "BW_INSECURE_BUS": "true",
    })
    log = open(work / "venue-sim.log", "wb")
    process = subprocess.Popen([str(bin_dir / "venue-sim")], cwd=work, env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return process, base + 2


def wait_ready(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + READY_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"venue-sim exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/api/v3/ping", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.05)  # polling a port that is not bound yet: a retry interval, not a wait for an event
    raise RuntimeError(f"venue-sim's Binance front did not answer within {READY_DEADLINE_S:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def raw_get(url: str, path: str) -> tuple[int, dict, object]:
    try:
        with urllib.request.urlopen(url + path, timeout=5) as reply:
            return reply.status, dict(reply.headers), json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def raw_signed(url: str, method: str, path: str, params: dict[str, str]) -> tuple[int, dict, object]:
    """A SIGNED call made by hand (hmac over the query string), so timing can be forced."""
    query = urllib.parse.urlencode(params)
    signature = hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(f"{url}{path}?{query}&signature={signature}", method=method, headers={"X-MBX-APIKEY": API_KEY})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, dict(reply.headers), json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def run_raw(url: str, checks: Checks) -> None:
    status, headers, _ = raw_get(url, "/api/v3/time")
    checks.expect("raw: weight header on every reply", status == 200 and "X-MBX-USED-WEIGHT-1M" in headers, headers)
    status, _, body = raw_get(url, "/api/v3/account?timestamp=1")
    checks.expect("raw: a signed call without a key is 401 -2014", status == 401 and body.get("code") == -2014, body)
    now_ms = int(time.time() * 1000)
    status, _, body = raw_signed(url, "GET", "/api/v3/account", {"recvWindow": "5000", "timestamp": str(now_ms - 6000)})
    checks.expect("raw: a timestamp older than recvWindow is -1021", status == 400 and body.get("code") == -1021, body)
    status, _, body = raw_signed(url, "GET", "/api/v3/account", {"timestamp": str(now_ms + 5000)})
    checks.expect("raw: a timestamp 1 s ahead of the server is -1021", status == 400 and body.get("code") == -1021, body)
    status, headers, body = raw_signed(url, "POST", "/api/v3/order", {
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001",
        "price": "30000", "newClientOrderId": "raw-1", "newOrderRespType": "ACK", "timestamp": str(int(time.time() * 1000))})
    checks.expect("raw: a new order carries the order counts", status == 200 and headers.get("X-MBX-ORDER-COUNT-10S") == "1"
                  and headers.get("X-MBX-ORDER-COUNT-1D") == "1" and set(body) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"},
                  (status, headers, body))
    status, _, body = raw_signed(url, "DELETE", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "raw-1", "timestamp": str(int(time.time() * 1000))})
    checks.expect("raw: cancel by client id", status == 200 and body.get("status") == "CANCELED", body)


def run_ccxt(url: str, checks: Checks) -> None:
    import ccxt

    def client(secret: str = SECRET, key: str = API_KEY):
        exchange = ccxt.binance({
            "apiKey": key, "secret": secret, "enableRateLimit": False, "timeout": 5000,
            "options": {"fetchMarkets": ["spot"], "fetchMargins": False, "fetchCurrencies": False, "defaultType": "spot"},
        })
        for name in ("public", "private"):
            exchange.urls["api"][name] = url + "/api/v3"
        return exchange

    exchange = client()
    exchange.load_markets()
    market = exchange.market("BTC/USDT")
    checks.expect("ccxt: markets carry the tick and step", (market["precision"]["price"], market["precision"]["amount"]) == (0.01, 0.00001), market["precision"])
    placed = exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 40000, {"newClientOrderId": "ccxt-limit-1"})
    checks.expect("ccxt: a limit below the ask rests", placed["status"] == "open" and placed["clientOrderId"] == "ccxt-limit-1", placed)
    found = exchange.fetch_order(None, "BTC/USDT", {"origClientOrderId": "ccxt-limit-1"})
    checks.expect("ccxt: query by client id", found["id"] == placed["id"] and Decimal(found["info"]["price"]) == Decimal("40000"), found["info"])
    open_orders = exchange.fetch_open_orders("BTC/USDT")
    checks.expect("ccxt: open orders list it", [o["id"] for o in open_orders] == [placed["id"]], [o["id"] for o in open_orders])
    checks.refused("ccxt: a second open order with the same client id is -2010",
                   lambda: exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 40000, {"newClientOrderId": "ccxt-limit-1"}), -2010)
    canceled = exchange.cancel_order(placed["id"], "BTC/USDT")
    checks.expect("ccxt: cancel", canceled["status"] == "canceled", canceled["status"])
    reused = exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 40000, {"newClientOrderId": "ccxt-limit-1"})
    checks.expect("ccxt: the id is free again once the order ended (a second order)", reused["id"] != placed["id"] and reused["status"] == "open", reused["id"])
    exchange.cancel_order(reused["id"], "BTC/USDT")
    checks.refused("ccxt: canceling an ended order is -2011", lambda: exchange.cancel_order(reused["id"], "BTC/USDT"), -2011)
    bought = exchange.create_order("BTC/USDT", "market", "buy", 0.001, None, {"newClientOrderId": "ccxt-market-1"})
    fills = bought["info"].get("fills", [])
    checks.expect("ccxt: a market order fills at once with its trades (FULL)", bought["status"] == "closed" and len(fills) == 1, bought["info"])
    trade_id = int(fills[0]["tradeId"]) if fills else 0
    trades = exchange.fetch_my_trades("BTC/USDT", params={"fromId": trade_id})
    checks.expect("ccxt: my trades from its trade id", [t["order"] for t in trades] == [bought["id"]], [t["info"] for t in trades])
    balance = exchange.fetch_balance()
    raw = {b["asset"]: b for b in balance["info"]["balances"]}
    btc = Decimal(raw["BTC"]["free"]) + Decimal(raw["BTC"]["locked"])
    cost = Decimal(fills[0]["price"]) * Decimal(fills[0]["qty"]) + Decimal(fills[0]["commission"]) if fills else None
    usdt = Decimal(raw["USDT"]["free"]) + Decimal(raw["USDT"]["locked"])
    checks.expect("ccxt: the account holds exactly what the trade moved", btc == BALANCES["BTC"] + Decimal("0.001") and usdt == BALANCES["USDT"] - cost, raw)
    checks.refused("ccxt: an unknown client id is -2013",
                   lambda: exchange.fetch_order(None, "BTC/USDT", {"origClientOrderId": "never-placed"}), -2013)
    checks.refused("ccxt: a wrong secret is -1022", lambda: client(secret="wrong").fetch_balance(), -1022)
    checks.refused("ccxt: an unknown key is -2015", lambda: client(key="nobody").fetch_balance(), -2015)


def run_sdk(url: str, checks: Checks) -> None:
    from binance_common.configuration import ConfigurationRestAPI
    from binance_sdk_spot.spot import Spot
    from binance_sdk_spot.rest_api.models import (
        NewOrderNewOrderRespTypeEnum, NewOrderSideEnum, NewOrderTimeInForceEnum, NewOrderTypeEnum)

    # No retries: a client that resends a place on its own is exactly what Binance warns of.
    api = Spot(config_rest_api=ConfigurationRestAPI(
        api_key=API_KEY, api_secret=SECRET, base_path=url, retries=0, timeout=5000)).rest_api
    server_time = api.time().data().server_time
    checks.expect("sdk: server time is near ours", abs(server_time - time.time() * 1000) < 5000, server_time)
    info = api.exchange_info(symbol="ETHUSDT").data()
    filters = {f.actual_instance.filter_type: f.actual_instance for f in info.symbols[0].filters}
    checks.expect("sdk: exchangeInfo's filters", filters["LOT_SIZE"].step_size == "0.0001" and filters["PRICE_FILTER"].tick_size == "0.01",
                  {k: v.to_dict() for k, v in filters.items()})
    placed = api.new_order(
        symbol="ETHUSDT", side=NewOrderSideEnum["BUY"].value, type=NewOrderTypeEnum["LIMIT"].value,
        time_in_force=NewOrderTimeInForceEnum["GTC"].value, quantity=0.01, price=2000,
        new_client_order_id="sdk-limit-1", new_order_resp_type=NewOrderNewOrderRespTypeEnum["FULL"].value).data()
    checks.expect("sdk: a limit below the ask rests", placed.status == "NEW" and placed.client_order_id == "sdk-limit-1", placed.to_dict())
    found = api.get_order(symbol="ETHUSDT", orig_client_order_id="sdk-limit-1").data()
    checks.expect("sdk: query by client id", found.order_id == placed.order_id and Decimal(found.orig_qty) == Decimal("0.01"), found.to_dict())
    second = api.new_order(
        symbol="ETHUSDT", side=NewOrderSideEnum["BUY"].value, type=NewOrderTypeEnum["LIMIT"].value,
        time_in_force=NewOrderTimeInForceEnum["GTC"].value, quantity=0.01, price=1999, new_client_order_id="sdk-limit-2").data()
    listed = api.get_open_orders(symbol="ETHUSDT").data()
    checks.expect("sdk: open orders list both", sorted(o.order_id for o in listed) == sorted([placed.order_id, second.order_id]), [o.to_dict() for o in listed])
    canceled = api.delete_order(symbol="ETHUSDT", orig_client_order_id="sdk-limit-1").data()
    checks.expect("sdk: cancel by client id", canceled.status == "CANCELED" and canceled.orig_client_order_id == "sdk-limit-1", canceled.to_dict())
    swept = api.delete_open_orders(symbol="ETHUSDT").data()
    swept = swept if isinstance(swept, list) else [swept]
    checks.expect("sdk: cancel all open orders of the symbol", [(o.order_id, o.status) for o in swept] == [(second.order_id, "CANCELED")], swept)
    sold = api.new_order(
        symbol="ETHUSDT", side=NewOrderSideEnum["SELL"].value, type=NewOrderTypeEnum["MARKET"].value,
        quantity=0.01, new_client_order_id="sdk-market-1").data()
    checks.expect("sdk: a market sell fills at once", sold.status == "FILLED" and len(sold.fills) == 1, sold.to_dict())
    trade_id = sold.fills[0].trade_id if sold.fills else 0
    trades = api.my_trades(symbol="ETHUSDT", from_id=trade_id).data()
    checks.expect("sdk: my trades from its trade id", [(t.order_id, t.is_buyer, t.commission_asset) for t in trades] == [(sold.order_id, False, "USDT")],
                  [t.to_dict() for t in trades])
    account = api.get_account().data()
    eth = {b.asset: b for b in account.balances}["ETH"]
    checks.expect("sdk: the account holds exactly what the trade moved",
                  Decimal(eth.free) + Decimal(eth.locked) == BALANCES["ETH"] - Decimal("0.01") and account.can_trade, eth.to_dict())
    checks.refused("sdk: an unknown order is -2013", lambda: api.get_order(symbol="ETHUSDT", orig_client_order_id="never-placed").data(), -2013)


def set_faults(bin_dir: Path, venue_port: int, *flags: str) -> subprocess.CompletedProcess:
    """`tradectl venue faults FLAGS` against this venue-sim (plain text, as it runs here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env["BW_INSECURE_BUS"] = "true"
    return subprocess.run([str(bin_dir / "tradectl"), "venue", "faults", "--venue-port", str(venue_port), *flags],
                          env=env, capture_output=True, text=True, timeout=30)


def run_faults(url: str, bin_dir: Path, venue_port: int, checks: Checks) -> None:
    import ccxt

    exchange = ccxt.binance({
        "apiKey": API_KEY, "secret": SECRET, "enableRateLimit": False, "timeout": 5000,
        "options": {"fetchMarkets": ["spot"], "fetchMargins": False, "fetchCurrencies": False, "defaultType": "spot"},
    })
    for name in ("public", "private"):
        exchange.urls["api"][name] = url + "/api/v3"
    exchange.load_markets()
    for flag, status in (("--binance-429-seconds", 429), ("--binance-ban-seconds", 418)):
        done = set_faults(bin_dir, venue_port, flag, "30")
        checks.expect(f"tradectl venue faults {flag} 30", done.returncode == 0, done.stderr[-300:])
        code, headers, body = raw_signed(url, "POST", "/api/v3/order", {
            "symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001", "newClientOrderId": f"fault-{status}",
            "timestamp": str(int(time.time() * 1000))})
        retry_after = int(headers.get("Retry-After", "0"))
        checks.expect(f"raw: HTTP {status}, -1003, Retry-After within 30 s", code == status and body.get("code") == -1003
                      and 25 <= retry_after <= 30, (code, headers, body))
        try:
            exchange.fetch_balance()
            checks.expect(f"ccxt: HTTP {status} is a rate-limit error", False, "no error")
        except ccxt.DDoSProtection as error:  # ccxt's RateLimitExceeded is one too
            checks.expect(f"ccxt: HTTP {status} is a rate-limit error", True, error)
        except Exception as error:
            checks.expect(f"ccxt: HTTP {status} is a rate-limit error", False, f"{type(error).__name__}: {error}"[:300])
        lifted = set_faults(bin_dir, venue_port, flag, "0")
        checks.expect(f"tradectl venue faults {flag} 0 lifts it", lifted.returncode == 0, lifted.stderr[-300:])
        checks.refused(f"ccxt: the order refused with {status} was never executed (-2013)",
                       lambda: exchange.fetch_order(None, "BTC/USDT", {"origClientOrderId": f"fault-{status}"}), -2013)
    # Executed, reply lost: the client hears an error, yet the order filled (asking finds it).
    for flag in ("--binance-timeout-after-execution", "--binance-5xx-after-execution"):
        done = set_faults(bin_dir, venue_port, flag, "1")
        checks.expect(f"tradectl venue faults {flag} 1", done.returncode == 0, done.stderr[-300:])
        coid = "lost" + flag.split("-")[2]
        try:
            exchange.create_order("BTC/USDT", "market", "buy", 0.001, None, {"newClientOrderId": coid})
            checks.expect(f"ccxt: {flag}: the place's reply is an error", False, "no error")
        except ccxt.BaseError as error:  # ccxt: RequestTimeout for -1007, OperationFailed for -1001 (its map of Binance's codes)
            checks.expect(f"ccxt: {flag}: the place's reply is an error", True, error)
        except Exception as error:
            checks.expect(f"ccxt: {flag}: the place's reply is an error", False, f"{type(error).__name__}: {error}"[:300])
        set_faults(bin_dir, venue_port)
        found = exchange.fetch_order(None, "BTC/USDT", {"origClientOrderId": coid})
        checks.expect(f"ccxt: {flag}: yet the order filled (asked by client id)", found["status"] == "closed", found["info"])
    # The exchange's clock 10 s ahead: a call signed with ours is -1021; a client that measures
    # the difference (ccxt's load_time_difference) signs with the server's time and gets through.
    done = set_faults(bin_dir, venue_port, "--binance-clock-skew-ms", "10000")
    checks.expect("tradectl venue faults --binance-clock-skew-ms 10000", done.returncode == 0, done.stderr[-300:])
    _, _, server = raw_get(url, "/api/v3/time")
    checks.expect("raw: the server time is 10 s ahead", abs(server.get("serverTime", 0) - int(time.time() * 1000) - 10_000) < 3_000, server)
    code, _, body = raw_signed(url, "GET", "/api/v3/account", {"timestamp": str(int(time.time() * 1000))})
    checks.expect("raw: a call signed with our clock is -1021", code == 400 and body.get("code") == -1021, body)
    exchange.load_time_difference()
    balance = exchange.fetch_balance({"recvWindow": 5000})
    checks.expect("ccxt: with the time difference measured, the call gets through", "USDT" in balance, list(balance)[:5])
    set_faults(bin_dir, venue_port)
    skewed = set_faults(bin_dir, venue_port, "--binance-clock-skew-ms=7200000")
    checks.expect("tradectl venue faults: a skew beyond an hour is refused (bad_clock_skew)",
                  skewed.returncode != 0 and "bad_clock_skew" in skewed.stderr + skewed.stdout, (skewed.returncode, skewed.stderr[-300:]))
    bad = set_faults(bin_dir, venue_port, "--binance-ban-seconds=-1")
    checks.expect("tradectl venue faults: a negative ban is refused (bad_fault_duration)", bad.returncode != 0 and "bad_fault_duration" in bad.stderr + bad.stdout,
                  (bad.returncode, bad.stderr[-300:]))


STREAM_DEADLINE_S = 15.0


async def until(condition, what: str) -> None:
    """Yields to the event loop until `condition()` holds (a state ccxt reaches on its own), or fails."""
    import asyncio
    deadline = time.monotonic() + STREAM_DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {STREAM_DEADLINE_S:.0f} s")
        await asyncio.sleep(0.01)  # a yield to the loop while ccxt works, not a wait for an event


def ws_request(method: str, request_id: str, **params) -> str:
    return json.dumps({"id": request_id, "method": method, **({"params": params} if params else {})})


def signed_subscribe(request_id: str, secret: str = SECRET, timestamp_ms: int | None = None) -> str:
    params = {"apiKey": API_KEY, "timestamp": timestamp_ms or int(time.time() * 1000)}
    payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
    params["signature"] = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return ws_request("userDataStream.subscribe.signature", request_id, **params)


async def next_json(ws, timeout: float = STREAM_DEADLINE_S) -> dict:
    message = await ws.receive(timeout=timeout)
    return json.loads(message.data)


async def stream_raw(ws_url: str, bin_dir: Path, venue_port: int, checks: Checks) -> None:
    import asyncio
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url, autoping=True) as ws:
            await ws.send_str(ws_request("ping", "p1"))
            reply = await next_json(ws)
            weight = [r for r in reply.get("rateLimits", []) if r.get("rateLimitType") == "REQUEST_WEIGHT"]
            checks.expect("stream raw: ping is 200 with an empty result and the weight used", (reply.get("id"), reply.get("status"), reply.get("result"))
                          == ("p1", 200, {}) and len(weight) == 1 and weight[0]["count"] >= 1 and weight[0]["limit"] == 6000, reply)
            await ws.send_str("not json")
            reply = await next_json(ws)
            checks.expect("stream raw: garbage is a 400 reply (-1102), the connection stays", reply.get("status") == 400
                          and reply.get("error", {}).get("code") == -1102, reply)
            await ws.send_str(ws_request("no.such.method", "u1"))
            reply = await next_json(ws)
            checks.expect("stream raw: an unknown method is -1020", reply.get("id") == "u1" and reply.get("error", {}).get("code") == -1020, reply)
            await ws.send_str(signed_subscribe("s0", secret="wrong"))
            reply = await next_json(ws)
            checks.expect("stream raw: a wrong signature is -1022", reply.get("error", {}).get("code") == -1022, reply)
            await ws.send_str(signed_subscribe("s1", timestamp_ms=int(time.time() * 1000) - 10_000))
            reply = await next_json(ws)
            checks.expect("stream raw: a stale timestamp is -1021", reply.get("error", {}).get("code") == -1021, reply)
            await ws.send_str(signed_subscribe("s2"))
            reply = await next_json(ws)
            checks.expect("stream raw: a signed subscribe gets subscription 0", (reply.get("id"), reply.get("status"), reply.get("result"))
                          == ("s2", 200, {"subscriptionId": 0}), reply)
            # Terminated: the open subscription ends with eventStreamTerminated, and so does the next one at once.
            done = await asyncio.to_thread(set_faults, bin_dir, venue_port, "--binance-stream-terminated")
            checks.expect("tradectl venue faults --binance-stream-terminated", done.returncode == 0, done.stderr[-300:])
            event = await next_json(ws)
            checks.expect("stream raw: the subscription ends with eventStreamTerminated",
                          event.get("subscriptionId") == 0 and event.get("event", {}).get("e") == "eventStreamTerminated", event)
            await ws.send_str(signed_subscribe("s3"))
            reply, event = await next_json(ws), await next_json(ws)
            checks.expect("stream raw: while terminated, a new subscription is ended right after its reply",
                          reply.get("result") == {"subscriptionId": 1} and event.get("event", {}).get("e") == "eventStreamTerminated", (reply, event))
            # Silent: the connection stays open but even a ping goes unanswered, until the fault is lifted.
            done = await asyncio.to_thread(set_faults, bin_dir, venue_port, "--binance-stream-silent")
            checks.expect("tradectl venue faults --binance-stream-silent", done.returncode == 0, done.stderr[-300:])
            await ws.send_str(ws_request("ping", "p2"))
            try:
                unanswered = await next_json(ws, timeout=1.0)  # proving an absence needs a bound
            except asyncio.TimeoutError:
                unanswered = None
            checks.expect("stream raw: while silent, a ping gets no reply", unanswered is None and not ws.closed, unanswered)
            await asyncio.to_thread(set_faults, bin_dir, venue_port)
            await ws.send_str(ws_request("ping", "p3"))
            reply = await next_json(ws)
            checks.expect("stream raw: once lifted, the same connection answers again", reply.get("id") == "p3", reply)


async def stream_ccxt(url: str, ws_url: str, checks: Checks) -> None:
    import asyncio
    import ccxt.pro as ccxtpro

    exchange = ccxtpro.binance({
        "apiKey": API_KEY, "secret": SECRET, "enableRateLimit": False, "timeout": 5000,
        "options": {"fetchMarkets": ["spot"], "fetchMargins": False, "fetchCurrencies": False, "defaultType": "spot"},
    })
    for name in ("public", "private"):
        exchange.urls["api"][name] = url + "/api/v3"
    exchange.urls["api"]["ws"]["ws-api"]["spot"] = ws_url
    try:
        await exchange.load_markets()
        orders = asyncio.create_task(exchange.watch_orders("ETH/USDT"))
        trades = asyncio.create_task(exchange.watch_my_trades("ETH/USDT"))
        balance = asyncio.create_task(exchange.watch_balance())
        # Placed once ccxt subscribed and waits for each of the three (its futures are its state).
        await until(lambda: ws_url in exchange.clients and {"orders:ETH/USDT", "myTrades:ETH/USDT", "spot:balance"}
                    <= set(exchange.clients[ws_url].futures), "ccxt subscribed and watching")
        placed = await exchange.create_order("ETH/USDT", "market", "buy", 0.01, None, {"newClientOrderId": "ws-market-1"})
        done, _ = await asyncio.wait({orders, trades, balance}, timeout=STREAM_DEADLINE_S)
        checks.expect("ccxt.pro: the three watches resolve", len(done) == 3, [t.get_name() for t in done])
        seen = orders.result() if orders in done else []
        mine = [o for o in seen if o["clientOrderId"] == "ws-market-1"]
        checks.expect("ccxt.pro: watch_orders sees the market order by its client id", bool(mine) and mine[0]["id"] == placed["id"],
                      [(o["clientOrderId"], o["status"]) for o in seen])
        streamed = trades.result() if trades in done else []
        rest = await exchange.fetch_my_trades("ETH/USDT", params={"orderId": placed["id"]})
        checks.expect("ccxt.pro: watch_my_trades carries the same trade as REST (id, price, amount, fee)", len(rest) == 1 and
                      [(t["id"], t["price"], t["amount"], t["fee"]["cost"], t["fee"]["currency"]) for t in streamed]
                      == [(t["id"], t["price"], t["amount"], t["fee"]["cost"], t["fee"]["currency"]) for t in rest], (streamed, rest))
        account = await exchange.fetch_balance()
        pushed = balance.result() if balance in done else {}
        checks.expect("ccxt.pro: watch_balance reports the ETH the trade moved, as REST does",
                      pushed.get("ETH", {}).get("total") == account["ETH"]["total"], (pushed.get("ETH"), account["ETH"]))
    finally:
        await exchange.close()


async def stream_sdk(url: str, ws_url: str, checks: Checks) -> None:
    """binance-sdk-spot's WebSocket API client: its signed subscribe, and its own (strict) models of the events."""
    import asyncio
    from binance_common.configuration import ConfigurationWebSocketAPI
    from binance_sdk_spot.spot import Spot

    client = Spot(config_ws_api=ConfigurationWebSocketAPI(api_key=API_KEY, api_secret=SECRET, stream_url=ws_url))
    connection = await client.websocket_api.create_connection()
    received: list = []
    try:
        subscribed = await connection.user_data_stream_subscribe_signature()
        checks.expect("sdk ws: the signed subscribe is accepted", subscribed.response.data().result.subscription_id == 0,
                      subscribed.response.data())
        subscribed.stream.on("message", received.append)
        code, _, placed = await asyncio.to_thread(raw_signed, url, "POST", "/api/v3/order", {
            "symbol": "ETHUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.01", "newClientOrderId": "sdk-ws-1",
            "timestamp": str(int(time.time() * 1000))})
        checks.expect("sdk ws: a market sell placed by REST", code == 200 and placed.get("status") == "FILLED", placed)

        def reports(kind: str) -> list:
            instances = [getattr(event, "actual_instance", event) for event in received]
            return [r for r in instances if type(r).__name__ == "ExecutionReport" and r.c == "sdk-ws-1" and r.x == kind]

        try:
            await until(lambda: reports("TRADE"), "the sdk's stream carried the trade")
        except TimeoutError as error:
            raise TimeoutError(f"{error}; it carried {received!r}"[:1500]) from None
        trade = reports("TRADE")[0]
        fill = placed.get("fills", [{}])[0]
        checks.expect("sdk ws: its ExecutionReport model reads NEW then TRADE, with the REST reply's trade id, quantity and fee",
                      bool(reports("NEW")) and trade.t == fill.get("tradeId") and Decimal(trade.l) == Decimal(fill.get("qty", "-1"))
                      and Decimal(trade.n) == Decimal(fill.get("commission", "-1")) and trade.N == fill.get("commissionAsset")
                      and trade.X == "FILLED", (trade, fill))
    finally:
        await connection.close_connection()


def run_stream(url: str, bin_dir: Path, venue_port: int, checks: Checks) -> None:
    import asyncio
    ws_url = url.replace("http://", "ws://") + "/ws-api/v3"
    asyncio.run(stream_raw(ws_url, bin_dir, venue_port, checks))
    asyncio.run(stream_ccxt(url, ws_url, checks))
    asyncio.run(stream_sdk(url, ws_url, checks))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin-dir", type=Path, required=True)
    args = parser.parse_args()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="bw-binance-") as tmp:
        work = Path(tmp)
        process, port = start_venue(args.bin_dir, work)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(process, url)
            runs = (("raw HTTP", run_raw), ("ccxt", run_ccxt), ("binance-sdk-spot", run_sdk),
                    ("faults", lambda url, checks: run_faults(url, args.bin_dir, port - 2, checks)),
                    ("user data stream", lambda url, checks: run_stream(url, args.bin_dir, port - 2, checks)))
            for name, run in runs:
                print(f"binance-clients: {name}", flush=True)
                try:
                    run(url, checks)
                except Exception as error:
                    checks.expect(f"{name}: ran to the end", False, f"{type(error).__name__}: {error}"[:500])
        except Exception as error:
            checks.expect("venue-sim started", False, str(error))
        finally:
            stop(process)
            if checks.failed:
                print((work / "venue-sim.log").read_text(errors="replace")[-3000:])
    print(f"binance-clients: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
