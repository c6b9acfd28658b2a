import BusProtocol
import RiskService
import ServiceRuntime
import Testing
import TradingModel

/// R5 and R6: each limit and the margin shock refuse with their own code and reason.
@Suite("limits and worst-case margin")
struct LimitsTests {
    static func refusal(_ h: Harness, _ order: RiskAuthorize) async -> ServiceError? {
        do {
            try await h.authorize(order)
            return nil
        } catch {
            return error
        }
    }

    @Test("each limit refuses with LIMIT_EXCEEDED and its reason")
    func eachLimit() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("1000000")]])
        configuration.defaultLimits.maxOrderNotional = dec("100000")
        configuration.defaultLimits.maxPositionNotional = dec("150000")
        configuration.defaultLimits.maxOpenOrders = 3
        configuration.defaultLimits.maxOpenPositions = 1
        configuration.defaultLimits.maxLeverage = dec("0.12")
        let h = await Harness(configuration, instruments: [Fixtures.btc, Fixtures.eth])
        await h.mark("BTC/USDT", "50000")
        await h.mark("ETH/USDT", "3000")
        #expect(await Self.refusal(h, Fixtures.order("n", qty: "2.1"))?.reason == "max_order_notional")
        try await h.authorize(Fixtures.order("a", qty: "1.9"))
        await h.fill("a", side: .buy, qty: "1.9", price: "50000")  // 95000 of BTC
        #expect(await Self.refusal(h, Fixtures.order("p", qty: "1.2"))?.reason == "max_position")  // 3.1 BTC = 155000
        #expect(await Self.refusal(h, Fixtures.order("e", qty: "1", price: "3000", symbol: "ETH/USDT"))?.reason == "max_open_positions")
        #expect(await Self.refusal(h, Fixtures.order("l", qty: "1"))?.reason == "max_leverage")  // 145000 > 0.12 × ~1 M
        try await h.authorize(Fixtures.order("o1", side: .sell, qty: "0.1"))  // reducing orders pass
        try await h.authorize(Fixtures.order("o2", side: .sell, qty: "0.1"))
        try await h.authorize(Fixtures.order("o3", side: .sell, qty: "0.1"))
        let full = await Self.refusal(h, Fixtures.order("o4", side: .sell, qty: "0.1"))
        #expect(full?.code == .limitExceeded && full?.reason == "max_open_orders")
    }

    @Test("orders approved before any of them fills count at their worst: 60 concurrent buys at one key never pass the position limit")
    func pipelinedOrdersCountOpenReservations() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("10000000")]])
        configuration.defaultLimits.maxPositionNotional = dec("100000")  // 2 BTC at 50000
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000")
        try await h.authorize(Fixtures.order("held", qty: "0.5"))
        await h.fill("held", side: .buy, qty: "0.5", price: "50000")
        // 60 buys of 0.1 BTC at once, none filled: 1.5 BTC of room, so 15 fit.
        let engine = h.engine
        let approved = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<60 {
                group.addTask { (try? await engine.authorize(Fixtures.order("p-\(index)", qty: "0.1"))) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(approved == 15)
        #expect(await Self.refusal(h, Fixtures.order("over", qty: "0.1"))?.reason == "max_position")
        // Sells that are not reducing count the other way: the worst case is the larger side.
        let open = await engine.currentFold().ledger.openQty(account: "acct-1", symbol: "BTC/USDT")
        #expect(open.buys == dec("1.5"))
        #expect(open.sells == .zero)
    }

    /// A harness whose acct-1 bought (and holds) 0.5 BTC at a mark of 50000.
    static func holdingHalfABitcoin() async throws -> Harness {
        let h = await Harness(Fixtures.configuration())
        await h.mark("BTC/USDT", "50000")
        try await h.authorize(Fixtures.order("long", qty: "0.5"))
        await h.fill("long", side: .buy, qty: "0.5", price: "50000")
        return h
    }

    /// A reduce-only order of acct-1.
    static func reduceOnly(_ id: String, _ side: Side, _ qty: String) -> RiskAuthorize {
        var order = Fixtures.order(id, side: side, qty: qty)
        order.reduceOnly = true
        return order
    }

    @Test("pipelined reduce-only sells cannot together flip the position")
    func pipelinedReduceOnly() async throws {
        let h = try await Self.holdingHalfABitcoin()
        try await h.authorize(Self.reduceOnly("close-1", .sell, "0.3"))  // 0.5 → 0.2 once it fills
        #expect(await Self.refusal(h, Self.reduceOnly("close-2", .sell, "0.3"))?.reason == "reduce_only_not_reducing")
    }

    @Test("reduce_only passes only an order that lowers the position without flipping it")
    func reduceOnly() async throws {
        let h = await Harness(Fixtures.configuration())
        await h.mark("BTC/USDT", "50000")
        let flat = await Self.refusal(h, Self.reduceOnly("flat", .sell, "0.1"))
        #expect(flat?.code == .limitExceeded && flat?.reason == "reduce_only_not_reducing")
        try await h.authorize(Fixtures.order("long", qty: "0.5"))
        await h.fill("long", side: .buy, qty: "0.5", price: "50000")
        #expect(await Self.refusal(h, Self.reduceOnly("more", .buy, "0.1"))?.reason == "reduce_only_not_reducing")
        #expect(await Self.refusal(h, Self.reduceOnly("flip", .sell, "0.6"))?.reason == "reduce_only_not_reducing")
        #expect(try await h.authorize(Self.reduceOnly("close", .sell, "0.5")).closing)
    }

    @Test("a reduce-only order that lowers the position passes an open breaker (account and global); nothing else does")
    func reduceOnlyClosesPassTheBreaker() async throws {
        let h = try await Self.holdingHalfABitcoin()
        _ = try await h.trip("acct-1")
        _ = try await h.trip(nil)
        #expect(await Self.refusal(h, Fixtures.order("new", qty: "0.1"))?.code == .breakerOpen)
        var plainSell = Fixtures.order("plain-sell", side: .sell, qty: "0.1")
        #expect(await Self.refusal(h, plainSell)?.code == .breakerOpen)  // reducing, but not marked reduce-only
        plainSell.clientOrderId = "close"
        plainSell.reduceOnly = true
        let approval = try await h.authorize(plainSell)
        #expect(approval.qty == dec("0.1"))
        #expect(approval.closing)  // journaled with the intent, so the writer lets it through too
        #expect(await h.engine.currentFold().breakers["acct-1"]?.state == .open)  // still open for everything else
    }

    @Test("the margin shock refuses with MARGIN when the worst case exceeds 90 % of equity (spot at 100 % margin)")
    func marginShockSpot() async throws {
        var configuration = Fixtures.configuration(["acct-1": ["USDT": dec("100000")]])
        configuration.margin.spotMarginRate = dec("1")
        let h = await Harness(configuration)
        await h.mark("BTC/USDT", "50000", spread: "10")
        try await h.authorize(Fixtures.order("ok", qty: "1.7"))  // 1.7 × 51500 + spread ≈ 87.6 % of equity
        await h.fill("ok", side: .buy, qty: "1.7", price: "50000")
        let refused = await Self.refusal(h, Fixtures.order("more", qty: "0.05"))
        #expect(refused?.code == .margin && refused?.reason == "worst_case_margin")
    }

    @Test("worst case for a linear perpetual: margin at the shocked price, the adverse move and the widened spread")
    func marginShockPerpetual() throws {
        let shock = MarginShock()
        #expect(shock.scenarios.count == 4)
        let short = MarginShock.Leg(symbol: "BTC-PERP/USDT", kind: .linearPerpetual, qty: dec("-2"), mark: dec("50000"), halfSpread: dec("5"))
        // Price +3 %: 2 × 51500 × 0.1 = 10300 margin, 2 × 1500 = 3000 loss, 2 × 5 × 2 = 20 exit.
        let worst = shock.worstCase([short])
        #expect(worst.use == dec("13320"))
        #expect(worst.scenario == "price+0.03_spread×2")
        #expect(throws: ServiceError.self) { try shock.check([short], equity: dec("14790")) }
        #expect(throws: Never.self) { try shock.check([short], equity: dec("14900")) }
    }

    @Test("configuration: every bad value stops the service with the key named")
    func configurationValidated() throws {
        let good = try RiskConfiguration.read(Settings(["BW_RISK_LIMITS": "*:max_open_orders=5;acct-1:max_leverage=2"]))
        #expect(good.limits(for: "acct-2").maxOpenOrders == 5)
        #expect(good.limits(for: "acct-1").maxLeverage == dec("2") && good.limits(for: "acct-1").maxOpenOrders == 5)
        for (key, value) in [
            ("BW_RISK_LIMITS", "acct-1:max_orders=1"), ("BW_RISK_LIMITS", "acct-1:max_open_orders=1.5"),
            ("BW_RISK_GOVERNOR_SOFT_BRAKE", "0.3"), ("BW_RISK_BREAKER_DRAWDOWN", "1.5"), ("BW_RISK_CAPITAL", "acct-1=-5"),
            ("BW_RISK_MARGIN_SPREAD_FACTORS", "1.5,x"), ("BW_RISK_BREAKER_PROBE_SUCCESSES", "9"), ("BW_RISK_ORPHAN_TIMEOUT_MS", "1"),
        ] {
            #expect(throws: ConfigurationError.self, "\(key)=\(value)") { try RiskConfiguration.read(Settings([key: value])) }
        }
    }
}
