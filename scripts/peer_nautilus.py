"""The peer figure of `make bench`: market orders through NautilusTrader's BacktestEngine.

One instrument (BTCUSDT on a simulated Binance, cash account), an L1 quote tick per order,
and a strategy that sends one market buy on every tick: each order goes through Nautilus's
full in-process path — the strategy, its RiskEngine (on: pre-trade checks, not bypassed),
the ExecutionEngine, the simulated exchange's matching engine, the fill, the position and
the account. Nothing is made durable. Prints one line `peer: …` for breakwater-bench to read.

Usage: python peer_nautilus.py ORDERS
"""

import sys
import time

from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, RiskEngineConfig
from nautilus_trader.model.currencies import BTC, USDT
from nautilus_trader.model.data import QuoteTick
from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
from nautilus_trader.model.identifiers import TraderId, Venue
from nautilus_trader.model.objects import Money, Price, Quantity
from nautilus_trader.test_kit.providers import TestInstrumentProvider
from nautilus_trader.trading.strategy import Strategy


class MarketBuyOnEveryQuote(Strategy):
    """Sends one market buy per quote tick: the order path, once per tick."""

    def __init__(self, instrument_id, qty):
        super().__init__()
        self.instrument_id = instrument_id
        self.qty = qty

    def on_start(self):
        self.subscribe_quote_ticks(self.instrument_id)

    def on_quote_tick(self, tick):
        self.submit_order(self.order_factory.market(self.instrument_id, OrderSide.BUY, self.qty))


def main():
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    engine = BacktestEngine(BacktestEngineConfig(
        trader_id=TraderId("BENCH-001"),
        logging=LoggingConfig(bypass_logging=True),
        # Its checks stay on; only the submit-rate throttle is lifted, as the Breakwater bench
        # lifts the gateway's rate limits (the default, 100/s, denies most orders here).
        risk_engine=RiskEngineConfig(bypass=False, max_order_submit_rate="1000000/00:00:01"),
    ))
    venue = Venue("BINANCE")
    engine.add_venue(
        venue=venue, oms_type=OmsType.NETTING, account_type=AccountType.CASH, base_currency=None,
        starting_balances=[Money(1_000_000_000, USDT), Money(0, BTC)],
    )
    instrument = TestInstrumentProvider.btcusdt_binance()
    engine.add_instrument(instrument)
    step = 1_000_000  # 1 ms of simulated time between quotes
    engine.add_data([
        QuoteTick(
            instrument_id=instrument.id,
            bid_price=Price.from_str("50000.00"), ask_price=Price.from_str("50000.02"),
            bid_size=Quantity.from_str("100.000000"), ask_size=Quantity.from_str("100.000000"),
            ts_event=(i + 1) * step, ts_init=(i + 1) * step,
        )
        for i in range(orders)
    ])
    engine.add_strategy(MarketBuyOnEveryQuote(instrument.id, Quantity.from_str("0.001000")))
    start = time.perf_counter()
    engine.run()
    elapsed = time.perf_counter() - start
    filled = sum(1 for order in engine.cache.orders() if order.is_closed and order.filled_qty > 0)
    denied = sum(1 for order in engine.cache.orders() if order.status_string() == "DENIED")
    print(f"peer: nautilus_trader BacktestEngine, RiskEngine on: {filled}/{orders} filled, {denied} denied, "
          f"{elapsed:.3f} s, {filled / elapsed:.0f} orders/s")
    engine.dispose()


if __name__ == "__main__":
    main()
