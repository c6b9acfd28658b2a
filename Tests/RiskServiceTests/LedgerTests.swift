import BusProtocol
import Foundation
import RiskService
import Testing
import TradingModel

/// R1: reservations that cannot overdraw, commit on fills, release on close and orphans.
@Suite("ledger reservations")
struct LedgerTests {
    @Test("100 concurrent orders each reserving 2 % of the balance: at most 50 approved, none overdraws")
    func concurrentOrdersCannotOverdraw() async throws {
        let harness = await Harness(Fixtures.configuration(["acct-1": ["USDT": dec("100000")]]))
        // 0.0399 BTC × 50000 = 1995 USDT + 0.1 % fee = 1996.995 ≈ 2 % of 100000.
        let engine = harness.engine
        let approved = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<100 {
                group.addTask { (try? await engine.authorize(Fixtures.order("c\(i)", qty: "0.0399"))) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(approved <= 50)
        #expect(approved == 50)
        let account = try #require(await harness.engine.currentFold().ledger.accounts["acct-1"])
        #expect(!account.available("USDT").isNegative)
        #expect(account.reserved["USDT"]! <= account.totals["USDT"]!)
        #expect(await harness.identityHolds())
        // Commit the approved intents, then fill half of each order, fill or cancel the rest: the identity after every step.
        let held = account.reservations.keys.sorted()
        for id in held { await harness.commit([Self.intent(id, account.reservations[id]!)]) }
        for (n, id) in held.enumerated() {
            await harness.fill(id, side: .buy, qty: "0.02", price: "49990")
            #expect(await harness.identityHolds(), "after the partial fill of \(id)")
            if n % 2 == 0 {
                await harness.fill(id, side: .buy, qty: "0.0199", price: "50000")
            } else {
                await harness.close(id)
            }
            #expect(await harness.identityHolds(), "after closing \(id)")
        }
        let settled = try #require(await harness.engine.currentFold().ledger.accounts["acct-1"])
        #expect(settled.reserved["USDT"] == .zero && settled.reservations.isEmpty)
        #expect(settled.totals["BTC"] == dec("1.4975"))  // 50 × 0.02 + 25 × 0.0199
    }

    static func intent(_ id: String, _ r: Ledger.Reservation) -> Fact {
        Fact(id: "intent:acct-1:\(id)", account: "acct-1", payload: .orderIntent(OrderIntent(
            clientOrderId: id, symbol: "BTC/USDT", side: r.side, type: .limit, qty: r.qty, price: dec("50000"),
            timeInForce: .gtc, reserveAsset: r.asset, reserveAmount: r.remaining)))
    }

    @Test("partial fills commit partially (fees included), the rest is released on cancel")
    func partialFillThenCancel() async throws {
        let h = await Harness()
        let approval = try await h.authorize(Fixtures.order("o1", qty: "1", price: "50000"))
        #expect(approval.amount == dec("50050"))
        await h.fill("o1", side: .buy, qty: "0.4", price: "49000")
        #expect(await h.identityHolds())
        var account = try #require(await h.engine.currentFold().ledger.accounts["acct-1"])
        // Spent 19600 + 19.6 fee; the reservation shrank by the same.
        #expect(account.totals["USDT"] == dec("100000") - dec("19619.6"))
        #expect(account.reserved["USDT"] == dec("50050") - dec("19619.6"))
        #expect(account.totals["BTC"] == dec("0.4"))
        await h.close("o1")
        #expect(await h.identityHolds())
        account = try #require(await h.engine.currentFold().ledger.accounts["acct-1"])
        #expect(account.reserved["USDT"] == .zero)
        #expect(account.reservations.isEmpty)
    }

    @Test("a complete fill releases what the reservation had left; reject and expiry release")
    func fullFillRejectExpiry() async throws {
        let h = await Harness()
        try await h.authorize(Fixtures.order("f", qty: "1", price: "50000"))
        await h.fill("f", side: .buy, qty: "1", price: "40000")
        try await h.authorize(Fixtures.order("r", qty: "0.1"))
        await h.close("r", state: .rejected)
        try await h.authorize(Fixtures.order("e", qty: "0.1"))
        await h.close("e", state: .expired)
        try await h.authorize(Fixtures.order("u", qty: "0.1"))
        await h.close("u", state: .unknown)  // unknown keeps it held until resolved
        let account = try #require(await h.engine.currentFold().ledger.accounts["acct-1"])
        #expect(Array(account.reservations.keys) == ["u"])
        #expect(account.reserved["USDT"] == dec("5005"))
        await h.close("u", state: .canceled)  // resolved
        #expect(await h.engine.currentFold().ledger.accounts["acct-1"]?.reserved["USDT"] == .zero)
        #expect(await h.identityHolds())
    }

    @Test("an approval whose intent never committed is released after the orphan timeout")
    func orphanReleased() async throws {
        var configuration = Fixtures.configuration()
        configuration.orphanTimeoutNanos = 30_000_000_000
        let h = await Harness(configuration)
        _ = try await h.engine.authorize(Fixtures.order("orphan", qty: "1"))  // no intent committed
        try await h.authorize(Fixtures.order("kept", qty: "0.1"))
        h.clock.advance(seconds: 29)
        await h.evaluate()
        #expect(await h.engine.currentFold().ledger.accounts["acct-1"]?.reservations["orphan"] != nil)
        h.clock.advance(seconds: 2)
        await h.evaluate()
        let account = try #require(await h.engine.currentFold().ledger.accounts["acct-1"])
        #expect(account.reservations["orphan"] == nil)
        #expect(account.reservations["kept"] != nil)
        #expect(account.reserved["USDT"] == dec("5005"))
    }

    @Test("a repeat of a finished order's intent (the writer says duplicate) holds nothing; a live one keeps its hold")
    func duplicateIntentReleasesTheFreshHold() async throws {
        let h = await Harness()
        try await h.authorize(Fixtures.order("done", qty: "0.1"))
        await h.close("done")
        _ = try await h.engine.authorize(Fixtures.order("done", qty: "0.1"))  // fresh hold, the intent is already journaled
        await h.engine.releaseIfUncommitted(account: "acct-1", clientOrderId: "done")
        #expect(await h.engine.currentFold().ledger.accounts["acct-1"]?.reservations.isEmpty == true)
        try await h.authorize(Fixtures.order("live", qty: "0.1"))
        await h.engine.releaseIfUncommitted(account: "acct-1", clientOrderId: "live")
        #expect(await h.engine.currentFold().ledger.accounts["acct-1"]?.reservations["live"] != nil)
        #expect(await h.identityHolds())
    }

    @Test("insufficient balance and an unknown account are refused with their codes")
    func refusals() async throws {
        let h = await Harness()
        do {
            _ = try await h.engine.authorize(Fixtures.order("big", qty: "3"))
            Issue.record("an order above the balance was approved")
        } catch {
            #expect(error.code == .insufficientBalance && error.reason == "insufficient_usdt")
        }
        do {
            try await h.authorize(Fixtures.order("x", account: "nobody"))
            Issue.record("unknown account approved")
        } catch {
            #expect(error.code == .unknownAccount)
        }
    }

    @Test("seeded property: random orders, fills and cancels never break the identity, and the replay equals the live fold")
    func randomStreamKeepsIdentity() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["RISK_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("ledger property seed: \(seed)")
        var rng = SeededRandom(seed: seed)
        let h = await Harness(Fixtures.configuration(["acct-1": ["USDT": dec("100000"), "BTC": dec("2")]]))
        await h.mark("BTC/USDT", "50000")
        var open: [String: (side: Side, left: Int)] = [:]
        for step in 0..<400 {
            let action = rng.next(below: 3)
            if action == 0 || open.isEmpty {
                let side: Side = rng.next(below: 2) == 0 ? .buy : .sell
                let lots = 1 + rng.next(below: 200)  // 0.001 … 0.2 BTC
                let id = "p\(step)"
                if (try? await h.authorize(Fixtures.order(id, side: side, qty: Self.lotsString(lots), price: "50000"))) != nil {
                    open[id] = (side, lots)
                }
            } else if let id = open.keys.sorted()[safe: rng.next(below: open.count)], let order = open[id] {
                if action == 1 {
                    let lots = 1 + rng.next(below: order.left)
                    let price = 49_000 + rng.next(below: 1_000)
                    await h.fill(id, side: order.side, qty: Self.lotsString(lots), price: "\(price)")
                    open[id] = order.left - lots > 0 ? (order.side, order.left - lots) : nil
                } else {
                    await h.close(id)
                    open[id] = nil
                }
            }
            #expect(await h.identityHolds(), "seed \(seed) step \(step)")
        }
        #expect(h.replay().ledger == (await h.engine.currentFold().ledger), "seed \(seed)")
    }

    static func lotsString(_ lots: Int) -> String {
        let text = String(lots)
        return "0." + String(repeating: "0", count: max(0, 3 - text.count)) + text
    }
}

/// A seeded generator (SplitMix64) for property tests: the printed seed reproduces a run.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
