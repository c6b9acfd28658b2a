import BusProtocol
import Testing
import TradingModel
import VenueKit
import VenueSim

/// Seeded simulation: random orders, cancels and market steps; after every step the
/// venue's balances must equal the starting balances plus what its own fills say,
/// and the free balances must equal the totals minus what the open orders lock.
@Suite struct SimulationTests {
    /// The two simulated accounts.
    static let accounts = ["sim-a", "sim-b"]
    /// Each account's starting balances.
    static let start: [String: ExactDecimal] = ["USDT": dec("20000"), "BTC": dec("0.2"), "ETH": dec("3")]
    /// The exchange's default fee rate, restated so the check is independent.
    static let feeRate = dec("0.001")

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func balancesAlwaysMatchTheFillsAndTheLocks(seed: UInt64) throws {
        var exchange = PaperExchange(
            instruments: PaperExchange.defaultInstruments(), startingPrices: PaperExchange.defaultStartingPrices(),
            accounts: Dictionary(uniqueKeysWithValues: Self.accounts.map { ($0, Self.start) }),
            spreadTicks: 4, seed: seed)
        var rng = SplitMix64(seed: seed ^ 0xDEAD_BEEF)
        var placed: [(account: String, clientOrderId: String)] = []
        var lastSeq: Int64 = 0
        for step in 1...600 {
            let now = Int64(step) * 1_000
            switch rng.next(in: 0...9) {
            case 0...4:
                let request = Self.randomOrder(&rng, exchange: exchange, id: "o\(step)")
                if (try? exchange.place(request, now: now)) != nil {
                    placed.append((request.account, request.clientOrderId))
                }
            case 5:
                if !placed.isEmpty {
                    let pick = placed[rng.next(in: 0...(placed.count - 1))]
                    _ = try exchange.cancel(account: pick.account, clientOrderId: pick.clientOrderId, now: now)
                }
            default:
                let result = exchange.advanceMarket(now: now)
                #expect(result.fills.map(\.tradeSeq) == result.fills.map(\.tradeSeq).sorted(), "seed \(seed)")
            }
            for account in Self.accounts {
                let fills = exchange.fills(account: account, afterTradeSeq: nil)
                #expect(exchange.balances(account: account) == Self.expectedTotals(fills), "seed \(seed) step \(step)")
                #expect(
                    exchange.availableBalances(account: account)
                        == Self.expectedFree(exchange.balances(account: account), exchange.openOrders(account: account)),
                    "seed \(seed) step \(step)")
            }
            let venueFills = Self.accounts.flatMap { exchange.fills(account: $0, afterTradeSeq: lastSeq) }
            lastSeq = venueFills.map(\.tradeSeq).max() ?? lastSeq
        }
        #expect(lastSeq > 10, "seed \(seed): the simulation should trade")
    }

    /// A random, mostly valid order near the touch: market or limit, either side, any TIF.
    static func randomOrder(_ rng: inout SplitMix64, exchange: PaperExchange, id: String) -> VenuePlace {
        let symbol = rng.next(in: 0...1) == 0 ? "BTC/USDT" : "ETH/USDT"
        let side: Side = rng.next(in: 0...1) == 0 ? .buy : .sell
        let type: OrderType = rng.next(in: 0...2) == 0 ? .market : .limit
        let tif = [TimeInForce.gtc, .gtc, .ioc, .fok][rng.next(in: 0...3)]
        let lots = symbol == "BTC/USDT" ? rng.next(in: 10...2_000) : rng.next(in: 20...5_000)
        let lot = symbol == "BTC/USDT" ? dec("0.00001") : dec("0.0001")
        let qty = lot.multiplied(by: ExactDecimal(lots), rounding: .halfEven)
        var price: ExactDecimal?
        if type == .limit, let tick = exchange.quote(symbol: symbol) {
            let offset = dec("0.01").multiplied(by: ExactDecimal(rng.next(in: -8...8)), rounding: .halfEven)
            price = (side == .buy ? tick.bid : tick.ask) + offset
        }
        let account = accounts[rng.next(in: 0...1)]
        return VenuePlace(
            account: account, clientOrderId: id, symbol: symbol, side: side, type: type, qty: qty, price: price,
            timeInForce: tif)
    }

    /// Starting balances plus every fill's settlement, computed independently of the venue.
    static func expectedTotals(_ fills: [VenueFill]) -> [String: ExactDecimal] {
        var totals = start
        for fill in fills {
            let base = String(fill.symbol.prefix { $0 != "/" })
            let notional = fill.qty.multiplied(by: fill.price, rounding: .halfEven)
            #expect(fill.fee == notional.multiplied(by: feeRate, rounding: .up).rounded(toIncrement: dec("0.00000001"), .up))
            switch fill.side {
            case .buy:
                totals[base, default: .zero] += fill.qty
                totals["USDT", default: .zero] -= notional + fill.fee
            case .sell:
                totals[base, default: .zero] -= fill.qty
                totals["USDT", default: .zero] += notional - fill.fee
            }
        }
        return totals
    }

    /// Totals minus what each open order locks: `qty × limit + fee` of USDT for a buy, `qty` of base for a sell.
    static func expectedFree(_ totals: [String: ExactDecimal], _ open: [VenueOrder]) -> [String: ExactDecimal] {
        var free = totals
        for order in open {
            #expect(order.status == .new)
            guard let limit = order.price else {
                Issue.record("open order without a limit: \(order)")
                continue
            }
            let base = String(order.symbol.prefix { $0 != "/" })
            switch order.side {
            case .buy:
                let notional = order.qty.multiplied(by: limit, rounding: .halfEven)
                let fee = notional.multiplied(by: feeRate, rounding: .up).rounded(toIncrement: dec("0.00000001"), .up)
                free["USDT", default: .zero] -= notional + fee
            case .sell:
                free[base, default: .zero] -= order.qty
            }
        }
        return free
    }
}
