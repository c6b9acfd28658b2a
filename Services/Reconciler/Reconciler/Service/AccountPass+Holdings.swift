import BusKit
import BusProtocol
import TradingModel
import VenueKit

extension AccountPass {
    /// Compares positions (journal fold vs venue) and balances (risk ledger vs venue)
    /// (C2, C4). A difference beyond the tolerance must be seen on two passes in a
    /// row (so a fill in flight is not a desync); then it is a fact, an alert, and
    /// for positions the configured strategy's resolution (C5).
    func checkHoldings(view: JournalView, bus: BusConnection, memory: MismatchMemory, report: inout PassReport) async throws(ServiceError) {
        let venuePositions = try await venueCall { () async throws(VenueError) in try await venue.positions(account: account) }
        let journalPositions = view.positions[account] ?? [:]
        for symbol in Set(venuePositions.keys).union(journalPositions.keys).sorted() {
            let journal = journalPositions[symbol]?.qty ?? .zero
            let venueQty = venuePositions[symbol] ?? .zero
            let key = "\(account)|position|\(symbol)"
            let differs = (journal - venueQty).abs > configuration.tolerance
            if !differs { await memory.agree(key, venueQty) }
            guard await memory.confirm(key, differs ? "\(journal)|\(venueQty)" : nil) else { continue }
            try await resolve(
                symbol: symbol, journal: journal, venue: venueQty, journalUpdatedTs: journalPositions[symbol]?.updatedTs ?? 0,
                lastAgreed: await memory.agreed(key), view: view, bus: bus, report: &report)
        }
        try await checkBalances(view: view, bus: bus, memory: memory, report: &report)
    }

    /// Settles one confirmed position conflict: the journal learns the venue's position (a
    /// folded `position.adjusted`), then at most one order (id from the conflict, so a
    /// repeat is the same order) moves both to the strategy's target — and none while an
    /// earlier corrective order of the symbol is still working (its outcome decides).
    private func resolve(
        symbol: String, journal: ExactDecimal, venue venueQty: ExactDecimal, journalUpdatedTs: Int64, lastAgreed: ExactDecimal?,
        view: JournalView, bus: BusConnection, report: inout PassReport
    ) async throws(ServiceError) {
        let prefix = "rs:\(account):\(symbol.replacingSlash):"
        if let working = view.orders(account: account, in: Set(OrderState.allCases.filter { !$0.isTerminal })).first(where: { $0.clientOrderId.hasPrefix(prefix) }) {
            logger.info("recon.resolution.waiting", metadata: ["account": "\(account)", "symbol": "\(symbol)", "order": "\(working.clientOrderId)"])
            return
        }
        let lastTrade = try await venueCall { () async throws(VenueError) in try await venue.allFills(account: account, afterTradeSeq: nil) }
            .last { $0.symbol == symbol }
        let conflict = PositionResolver.Conflict(
            journal: journal, venue: venueQty, lastAgreed: lastAgreed, journalUpdatedTs: journalUpdatedTs, venueUpdatedTs: lastTrade?.ts ?? 0)
        let resolution = PositionResolver.resolve(conflict, strategy: configuration.strategy)
        let adjusted = PositionAdjusted(symbol: symbol, journalQty: journal, venueQty: venueQty, price: lastTrade?.price, strategy: configuration.strategy.rawValue)
        let fact = Fact(id: "adjust:\(account):\(symbol.replacingSlash):\(journal):\(venueQty)", account: account, payload: .reconciliation(.positionAdjusted(adjusted)))
        if case .refused(let error) = try await writer.append([fact]) {
            logger.error("recon.position.adjust_refused", metadata: ["account": "\(account)", "symbol": "\(symbol)", "error": "\(error)"])
            return
        }
        var action = "journal_adjusted:\(resolution.journalAdjustment)"
        if let plan = resolution.venueOrder {
            let id = prefix + "\(journal):\(venueQty)"
            let submit = OrderSubmit(
                clientOrderId: id, account: account, symbol: symbol, side: plan.side, type: .market, qty: plan.qty,
                reduceOnly: plan.reduceOnly)
            let sent = await submitThroughGateway(submit, bus: bus)
            action += sent ? ";order_sent:\(id)" : ";order_failed:\(id)"
        }
        try await desync(
            kind: "position", subject: symbol, journal: "\(journal)", venue: "\(venueQty)", action: action,
            strategy: configuration.strategy.rawValue, report: &report)
    }

    /// Balances (C4): the venue is the truth. A difference beyond the tolerance seen on two
    /// passes in a row (so a fill in flight is not a desync) is adopted: a
    /// `recon.balance_adopted` fact the risk ledger folds, a desync fact and an alert.
    private func checkBalances(view: JournalView, bus: BusConnection, memory: MismatchMemory, report: inout PassReport) async throws(ServiceError) {
        let risk = try await riskView(bus: bus)
        // Risk has not folded what the journal holds yet: compare next time.
        guard risk.lastSeq >= view.lastSeq else { return }
        if risk.divergence != nil {
            // Books known to be wrong: the venue's figures are adopted at once, not after two passes.
            report.desyncs += try await adoptAll(ledger: risk, reason: "ledger_divergence")
            return
        }
        let venueBalances = try await venueCall { () async throws(VenueError) in try await venue.balances(account: account) }.balances
        let differing = Self.differences(ledger: risk, venue: venueBalances, tolerance: configuration.tolerance)
        for asset in Set(venueBalances.keys).union(risk.balances.map(\.asset)).sorted() {
            let difference = differing.first { $0.asset == asset }
            let seen = difference.map { "\($0.ledger)|\($0.venue)" }
            guard await memory.confirm("\(account)|balance|\(asset)", seen), let difference else { continue }
            let adopted = try await adopt(asset: asset, venueTotal: difference.venue, ledger: risk, reason: "confirmed_mismatch")
            try await desync(
                kind: "balance", subject: asset, journal: "\(difference.ledger)", venue: "\(difference.venue)",
                action: adopted ? "adopted" : "adopt_refused", report: &report)
        }
    }

    /// Startup: the venue's balances become the ledger's before the account may trade,
    /// once risk-service has folded the journal the pass saw (asked again for a while).
    func adoptBalancesAtStartup(view: JournalView, bus: BusConnection) async throws(ServiceError) -> Int {
        var risk = try await riskView(bus: bus)
        for _ in 0..<50 where risk.lastSeq < view.lastSeq {
            try? await Task.sleep(for: .milliseconds(100))
            risk = try await riskView(bus: bus)
        }
        guard risk.lastSeq >= view.lastSeq else {
            throw ServiceError(.unavailable, reason: "risk_catching_up",
                "risk-service has folded seq \(risk.lastSeq) of \(view.lastSeq): the venue's balances cannot be adopted yet")
        }
        return try await adoptAll(ledger: risk, reason: "startup")
    }

    /// Journals the venue's total of every asset either side knows (equal ones too: adopting
    /// re-judges a divergent ledger); returns how many differed beyond the tolerance.
    private func adoptAll(ledger risk: AccountRisk, reason: String) async throws(ServiceError) -> Int {
        let venueBalances = try await venueCall { () async throws(VenueError) in try await venue.balances(account: account) }.balances
        let differing = Self.differences(ledger: risk, venue: venueBalances, tolerance: configuration.tolerance)
        for asset in Set(venueBalances.keys).union(risk.balances.map(\.asset)).sorted() {
            _ = try await adopt(asset: asset, venueTotal: venueBalances[asset] ?? .zero, ledger: risk, reason: reason)
        }
        for difference in differing {
            logger.notice("recon.balance.adopted", metadata: [
                "account": "\(account)", "asset": "\(difference.asset)", "ledger": "\(difference.ledger)", "venue": "\(difference.venue)",
                "reason": "\(reason)"])
        }
        return differing.count
    }

    /// The assets whose ledger and venue totals differ by more than `tolerance`, by asset.
    static func differences(ledger: AccountRisk, venue: [String: ExactDecimal], tolerance: ExactDecimal) -> [(asset: String, ledger: ExactDecimal, venue: ExactDecimal)] {
        let totals = Dictionary(ledger.balances.map { ($0.asset, $0.total) }, uniquingKeysWith: { first, _ in first })
        return Set(venue.keys).union(totals.keys).sorted().compactMap { asset in
            let ledgerTotal = totals[asset] ?? .zero, venueTotal = venue[asset] ?? .zero
            return (ledgerTotal - venueTotal).abs > tolerance ? (asset, ledgerTotal, venueTotal) : nil
        }
    }

    /// Journals the venue's total as the ledger's. The id names the ledger state it was
    /// compared with, so two reconcilers that saw the same difference journal it once.
    private func adopt(asset: String, venueTotal: ExactDecimal, ledger: AccountRisk, reason: String) async throws(ServiceError) -> Bool {
        let ledgerTotal = ledger.balances.first { $0.asset == asset }?.total ?? .zero
        let body = BalanceAdopted(asset: asset, venueTotal: venueTotal, ledgerTotal: ledgerTotal, ledgerSeq: ledger.lastSeq, reason: reason)
        let fact = Fact(id: "balance:\(account):\(asset):\(ledger.lastSeq):\(venueTotal)", account: account, payload: .reconciliation(.balanceAdopted(body)))
        switch try await writer.append([fact]) {
        case .committed, .duplicate: return true
        case .refused(let error):
            logger.error("recon.balance.refused", metadata: ["account": "\(account)", "asset": "\(asset)", "error": "\(error)"])
            return false
        }
    }

    private func riskView(bus: BusConnection) async throws(ServiceError) -> AccountRisk {
        try await bus.call(
            service: RiskAPI.service, type: RiskAPI.show, key: account, body: AccountRef(account: account),
            replyType: AccountRisk.self, timeout: .seconds(5), attempts: 2)
    }

    /// Submits an order through the gateway like any client (risk checks included);
    /// true when the gateway answered with the order.
    func submitThroughGateway(_ submit: OrderSubmit, bus: BusConnection) async -> Bool {
        do {
            _ = try await bus.call(
                service: GatewayAPI.service, type: GatewayAPI.submit, key: submit.account, body: submit,
                replyType: OrderReply.self, timeout: .seconds(10), attempts: 2)
            return true
        } catch {
            logger.warning("recon.order.failed", metadata: ["order.client_id": "\(submit.clientOrderId ?? "-")", "error": "\(error)"])
            return false
        }
    }
}

extension String {
    /// `BTC/USDT` → `BTC-USDT` (the client_order_id alphabet has no slash).
    var replacingSlash: String { split(separator: "/").joined(separator: "-") }
}

/// Mismatches seen on the previous pass, so only a persistent one is a desync, and the
/// last quantity both sides agreed on per position (what `merge` counts changes from).
actor MismatchMemory {
    private var seen: [String: String] = [:]
    private var agreement: [String: ExactDecimal] = [:]

    /// Both sides agree on `qty` under `key`.
    func agree(_ key: String, _ qty: ExactDecimal) { agreement[key] = qty }

    /// The last quantity both sides agreed on under `key` (this run only), if any.
    func agreed(_ key: String) -> ExactDecimal? { agreement[key] }

    /// Records the mismatch `value` (nil: none) under `key`; true when the same
    /// mismatch was also seen on the previous pass.
    func confirm(_ key: String, _ value: String?) -> Bool {
        let previous = seen[key]
        seen[key] = value
        return value != nil && previous == value
    }
}
