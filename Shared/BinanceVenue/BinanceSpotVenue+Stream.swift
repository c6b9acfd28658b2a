import BinanceWire
import TradingModel
import VenueKit

extension BinanceSpotVenue {
    /// Feeds `stream` until cancelled: the top of book every `tickInterval`, the account's
    /// new trades every `pollInterval` (from the newest trade at start on: older ones are the
    /// reconciler's). A failed poll is logged and tried again at the next interval.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pollTicks() }
            group.addTask { await self.pollTrades() }
        }
        events.finish()
    }

    /// Ends the stream (its consumer's loop ends); `run` ends when its task is cancelled.
    public func stop() {
        events.finish()
    }

    private func pollTicks() async {
        while !Task.isCancelled {
            do {
                let markets = try await loadedMarkets()
                let tickers: [BinanceBookTicker] = try await rest.get("/api/v3/ticker/bookTicker")
                let now = rest.now()
                for ticker in tickers {
                    guard let instrument = markets.instrument(venueSymbol: ticker.symbol) else { continue }
                    let mid = (ticker.bidPrice + ticker.askPrice).divided(by: ExactDecimal(2), rounding: .halfEven)
                    events.yield(.tick(VenueTick(symbol: instrument.symbol, bid: ticker.bidPrice, ask: ticker.askPrice, last: mid, ts: now)))
                }
            } catch {
                logger.notice("venue.binance.poll_failed", metadata: ["poll": "ticks", "error": "\(error.serviceError)"])
            }
            try? await Task.sleep(for: configuration.tickInterval)
        }
    }

    private func pollTrades() async {
        var cursors: [String: Int64] = [:]
        while !Task.isCancelled {
            do {
                let markets = try await loadedMarkets()
                for venueSymbol in markets.venueSymbols {
                    guard let cursor = cursors[venueSymbol] else {
                        let newest: [BinanceTrade] = try await rest.signed(
                            .GET, "/api/v3/myTrades", BinanceQuery([("symbol", venueSymbol), ("limit", "1")]))
                        cursors[venueSymbol] = newest.last?.id ?? -1
                        continue
                    }
                    let fills = try await trades(venueSymbol, fromId: cursor + 1, markets: markets)
                    for fill in fills { events.yield(.fill(fill)) }
                    if let last = fills.last { cursors[venueSymbol] = last.tradeSeq }
                }
            } catch {
                logger.notice("venue.binance.poll_failed", metadata: ["poll": "trades", "error": "\(error.serviceError)"])
            }
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }
}
