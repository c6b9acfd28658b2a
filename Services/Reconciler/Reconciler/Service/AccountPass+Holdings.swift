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
            let differs = (journal - venueQty).abs > configuration.tolerance
            guard await memory.confirm("\(account)|position|\(symbol)", differs ? "\(journal)|\(venueQty)" : nil) else { continue }
            let conflict = PositionResolver.Conflict(
                journal: journal, venue: venueQty, journalUpdatedTs: journalPositions[symbol]?.updatedTs ?? 0, venueUpdatedTs: now())
            let resolution = PositionResolver.resolve(conflict, strategy: configuration.strategy)
            var action = "journal_adjusted:\(resolution.journalAdjustment)"
            if let plan = resolution.venueOrder {
                let id = "rs:\(account):\(symbol.replacingSlash):\(journal):\(venueQty)"
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
        try await checkBalances(view: view, bus: bus, memory: memory, report: &report)
    }

    private func checkBalances(view: JournalView, bus: BusConnection, memory: MismatchMemory, report: inout PassReport) async throws(ServiceError) {
        let risk = try await bus.call(
            service: RiskAPI.service, type: RiskAPI.show, key: account, body: AccountRef(account: account),
            replyType: AccountRisk.self, timeout: .seconds(5), attempts: 2)
        // Risk has not folded what the journal holds yet: compare next time.
        guard risk.lastSeq >= view.lastSeq else { return }
        let venueBalances = try await venueCall { () async throws(VenueError) in try await venue.balances(account: account) }.balances
        let ledger = Dictionary(risk.balances.map { ($0.asset, $0.total) }, uniquingKeysWith: { first, _ in first })
        for asset in Set(venueBalances.keys).union(ledger.keys).sorted() {
            let journal = ledger[asset] ?? .zero
            let venueTotal = venueBalances[asset] ?? .zero
            let differs = (journal - venueTotal).abs > configuration.tolerance
            guard await memory.confirm("\(account)|balance|\(asset)", differs ? "\(journal)|\(venueTotal)" : nil) else { continue }
            try await desync(kind: "balance", subject: asset, journal: "\(journal)", venue: "\(venueTotal)", action: "alert_only", report: &report)
        }
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

/// Mismatches seen on the previous pass, so only a persistent one is a desync.
actor MismatchMemory {
    private var seen: [String: String] = [:]

    /// Records the mismatch `value` (nil: none) under `key`; true when the same
    /// mismatch was also seen on the previous pass.
    func confirm(_ key: String, _ value: String?) -> Bool {
        let previous = seen[key]
        seen[key] = value
        return value != nil && previous == value
    }
}
