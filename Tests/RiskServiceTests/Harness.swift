import BusProtocol
import RiskService
import TradingModel

/// Drives a `RiskEngine` the way the service does, with the journal played by a list:
/// an approval's intent, fills, closes and the engine's own transitions are appended
/// as records and folded back, so replaying `journal` must rebuild the same fold.
final class Harness {
    let clock = TestClock()
    let engine: RiskEngine
    let configuration: RiskConfiguration
    private(set) var journal: [JournalRecord] = []
    private var tradeSeq = 0

    init(
        _ configuration: RiskConfiguration = Fixtures.configuration(), instruments: [Instrument] = [Fixtures.btc],
        gauges: @escaping @Sendable (RiskGauge) -> Void = { _ in }
    ) async {
        self.configuration = configuration
        engine = RiskEngine(configuration: configuration, clock: clock.read, gauges: gauges)
        await engine.learn(instruments)
        await engine.goLive()
    }

    /// Commits facts (in order) and folds them; the transitions they cause are committed too.
    func commit(_ facts: [Fact]) async {
        for fact in facts {
            let record = JournalRecord(seq: Int64(journal.count + 1), fact: fact, partition: nil, epoch: nil, ts: clock.now)
            journal.append(record)
            let caused = await engine.apply(record)
            await commit(caused)
        }
    }

    /// Authorizes and, when approved, commits the intent (as the service does).
    @discardableResult
    func authorize(_ request: RiskAuthorize) async throws(ServiceError) -> Approval {
        let approval = try await engine.authorize(request)
        let intent = OrderIntent(
            clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side, type: request.type,
            qty: approval.qty, price: request.price, timeInForce: request.timeInForce,
            reserveAsset: approval.asset, reserveAmount: approval.amount)
        await commit([Fact(id: "intent:\(request.account):\(request.clientOrderId)", account: request.account, payload: .orderIntent(intent))])
        return approval
    }

    /// A venue fill of an order, fee at the configured rate in the quote asset.
    func fill(_ id: String, account: String = "acct-1", side: Side, qty: String, price: String, symbol: String = "BTC/USDT") async {
        tradeSeq += 1
        let notional = dec(qty).multiplied(by: dec(price), rounding: .halfEven)
        let fee = notional.multiplied(by: configuration.feeRate, rounding: .up)
        let fill = FillRecorded(
            clientOrderId: id, venueOrderId: "V-\(id)", tradeId: "T\(tradeSeq)", symbol: symbol, side: side,
            qty: dec(qty), price: dec(price), fee: fee, feeAsset: "USDT", ts: clock.now)
        await commit([Fact(id: "fill:paper:T\(tradeSeq)", account: account, payload: .fillRecorded(fill))])
    }

    /// The venue accepted an order.
    func accept(_ id: String, account: String = "acct-1") async {
        await commit([Fact(id: "accepted:\(id)", account: account, payload: .orderAccepted(OrderAccepted(clientOrderId: id, venueOrderId: "V-\(id)")))])
    }

    /// The order closed (canceled, rejected, expired).
    func close(_ id: String, account: String = "acct-1", state: OrderState = .canceled) async {
        await commit([Fact(id: "\(state.rawValue):\(id)", account: account, payload: .orderClosed(OrderClosed(clientOrderId: id, state: state, reason: nil)))])
    }

    /// Runs the periodic step and commits its transitions.
    func evaluate() async { await commit(await engine.evaluate()) }

    /// Trips by hand and commits.
    func trip(_ account: String?, reason: String = "test") async throws(ServiceError) -> BreakerView {
        let result = try await engine.trip(account: account, reason: reason)
        await commit(result.facts)
        return result.view
    }

    /// Resets by hand and commits.
    func reset(_ account: String?) async throws(ServiceError) -> BreakerView {
        let result = try await engine.reset(account: account)
        await commit(result.facts)
        return result.view
    }

    /// Reports a venue outcome and commits the transitions.
    func outcome(_ id: String, _ result: VenueOutcome.Result, account: String = "acct-1", reason: String? = nil) async throws(ServiceError) {
        let outcome = try await engine.venueOutcome(VenueOutcome(account: account, clientOrderId: id, result: result, code: nil, reason: reason))
        await commit(outcome.facts)
    }

    /// Sets a mark (bid = ask = mid for simple arithmetic unless a spread is given).
    func mark(_ symbol: String = "BTC/USDT", _ mid: String, spread: String = "0") async {
        let half = dec(spread).divided(by: ExactDecimal(2), rounding: .halfEven)
        await engine.updateMark(symbol: symbol, bid: dec(mid) - half, ask: dec(mid) + half)
    }

    /// A fresh fold of the journal so far (what a restarted service rebuilds).
    func replay() -> RiskFold {
        var fold = RiskFold(
            ledger: Ledger(startingBalances: configuration.balances, feeRate: configuration.feeRate),
            breaker: configuration.breaker, governor: configuration.governor)
        fold.learn(symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: .spot)
        for record in journal { fold.apply(record) }
        return fold
    }

    /// The ledger identity for every account and asset.
    func identityHolds() async -> Bool {
        let ledger = await engine.currentFold().ledger
        return ledger.accounts.values.allSatisfy { account in
            Set(account.totals.keys).union(account.reserved.keys).allSatisfy { asset in
                let reserved = account.reserved[asset, default: .zero]
                return account.available(asset) + reserved == account.totals[asset, default: .zero]
                    && !account.available(asset).isNegative && !reserved.isNegative
            }
        }
    }
}
