import BusKit
import BusProtocol
import Logging
import TradingModel
import VenueKit

/// One reconciliation of one account against the venue (C1–C4): the venue wins.
///
/// Every repair fact has a deterministic id (the same ids the gateway uses for the
/// same venue answer), so a replay, an overlap with the gateway or a second
/// reconciler writes each fact at most once.
struct AccountPass: Sendable {
    /// The account reconciled.
    let account: String
    /// The venue (the truth).
    let venue: any Venue
    /// Where repair facts go.
    let writer: FactWriter
    /// Grace, tolerance, strategy.
    let configuration: ReconcilerConfiguration
    /// The clock, unix nanoseconds.
    let now: @Sendable () -> Int64
    /// Alerts and refusals.
    let logger: Logger

    /// Runs the order and fill checks: external orders, missed fills, pending
    /// intents, open orders that ended. Returns what it did and the trade cursor past the fills seen.
    func repairOrders(view: JournalView, after cursor: TradeCursor) async throws(ServiceError) -> (PassReport, TradeCursor) {
        var report = PassReport()
        let fills = try await venueCall { () async throws(VenueError) in try await venue.allFills(account: account, after: cursor) }
        let open = try await venueCall { () async throws(VenueError) in try await venue.openOrders(account: account) }
        var view = view
        for clientOrderId in try await unknownOrders(fills: fills, open: open, view: &view) {
            try await adoptExternal(clientOrderId, report: &report)
        }
        try await reopenLateOrders(view: view, fills: fills, open: open, report: &report)
        for fill in fills where !view.hasRecentFill(fill.tradeId) {
            try await recoverFill(fill, report: &report)
        }
        try await resolvePending(view: view, report: &report)
        try await closeEndedOrders(view: view, open: open, report: &report)
        return (report, cursor.advanced(past: fills, of: venue))
    }

    /// The venue's orders (open, or with fills in this pass) the journal does not have. One the
    /// view has forgotten (it ended a while ago) is read from the writer into `view` for this
    /// pass, so it is judged as the journal has it.
    private func unknownOrders(fills: [VenueFill], open: [VenueOrder], view: inout JournalView) async throws(ServiceError) -> [String] {
        var seen = Set<String>()
        var unknown: [String] = []
        for clientOrderId in open.map(\.clientOrderId) + fills.map(\.clientOrderId)
        where seen.insert(clientOrderId).inserted && !view.knows(account: account, clientOrderId: clientOrderId) {
            if let journaled = try await writer.order(account: account, clientOrderId: clientOrderId) {
                view.remember(journaled)
            } else {
                unknown.append(clientOrderId)
            }
        }
        return unknown
    }

    /// A venue order the journal never saw: journaled as an external order (an intent
    /// with nothing reserved, id `external:`), then everything the venue says about it.
    private func adoptExternal(_ clientOrderId: String, report: inout PassReport) async throws(ServiceError) {
        guard let order = try await venueCall({ () async throws(VenueError) in try await venue.order(account: account, clientOrderId: clientOrderId) }) else { return }
        let intent = OrderIntent(
            clientOrderId: clientOrderId, symbol: order.symbol, side: order.side, type: order.type, qty: order.qty,
            price: order.price, timeInForce: order.timeInForce, reserveAsset: Self.reserveAsset(of: order),
            reserveAmount: ExternalOrderCost.reservation(of: order, feeRate: configuration.feeRate))
        let outcome = try await writer.append([Fact(id: "external:\(account):\(clientOrderId)", account: account, payload: .orderIntent(intent))])
        if case .refused(let error) = outcome {
            // DUPLICATE (client_order_id_exists): the order's own intent committed after this pass
            // read the journal — it is ours, not external. Anything else is worth an operator's look.
            if error.code == .duplicate {
                logger.debug("recon.external.known", metadata: ["order.client_id": "\(clientOrderId)"])
            } else {
                logger.error("recon.external.refused", metadata: ["order.client_id": "\(clientOrderId)", "error": "\(error)"])
            }
        }
        guard outcome == .committed else { return }  // ours after all (its intent raced this pass), or already adopted
        report.external += 1
        try await desync(kind: "external_order", subject: clientOrderId, journal: nil, venue: order.status.rawValue, action: "adopted", report: &report)
        try await journalVenueAnswer(order, report: &report)
    }

    /// A fill the stream lost: journaled under its deterministic id (a duplicate if the gateway got there first).
    private func recoverFill(_ fill: VenueFill, report: inout PassReport) async throws(ServiceError) {
        switch try await writer.append([VenueFacts.fill(for: fill, venue: venue.name)]) {
        case .committed:
            report.repairs += 1
            try await desync(kind: "missing_fill", subject: fill.tradeId, journal: nil, venue: "\(fill.qty)", action: "journaled", report: &report)
        case .duplicate:
            break
        case .refused(let error):
            report.fillsComplete = false
            logger.error("recon.fill.refused", metadata: ["trade_id": "\(fill.tradeId)", "error": "\(error)"])
        }
    }

    /// Intents without a venue answer (`pending_new`, `unknown`): adopted when the venue
    /// has the order, failed (reservation released) when it is absent after the grace period.
    private func resolvePending(view: JournalView, report: inout PassReport) async throws(ServiceError) {
        let graceNanos = configuration.grace.wholeNanoseconds
        for order in view.orders(account: account, in: [.pendingNew, .unknown]) {
            if let found = try await venueCall({ () async throws(VenueError) in try await venue.order(account: account, clientOrderId: order.clientOrderId) }) {
                report.adopted += 1
                try await journalVenueAnswer(found, report: &report)
            } else if now() - order.intentTs >= graceNanos {
                // The same fact, id and reason the gateway writes for an order the venue never got.
                let fact = VenueFacts.closed(account: account, clientOrderId: order.clientOrderId, state: .rejected, reason: "not_at_venue")
                if try await writer.append([fact]) == .committed {
                    report.failed += 1
                    report.repairs += 1
                }
            } else {
                report.waiting += 1
            }
        }
    }

    /// Working orders in the journal that the venue no longer lists as open: their end is journaled.
    private func closeEndedOrders(view: JournalView, open: [VenueOrder], report: inout PassReport) async throws(ServiceError) {
        let openIds = Set(open.map(\.clientOrderId))
        for order in view.orders(account: account, in: [.accepted, .partiallyFilled]) where !openIds.contains(order.clientOrderId) {
            guard let found = try await venueCall({ () async throws(VenueError) in try await venue.order(account: account, clientOrderId: order.clientOrderId) }),
                found.status.isTerminal
            else { continue }
            let before = report.repairs
            try await journalVenueAnswer(found, report: &report)
            if report.repairs > before {
                try await desync(kind: "order_state", subject: order.clientOrderId, journal: order.state.rawValue, venue: found.status.rawValue, action: "journaled", report: &report)
            }
        }
    }

    /// Journals what the venue says about an order, fact by fact (each may already exist).
    func journalVenueAnswer(_ order: VenueOrder, report: inout PassReport) async throws(ServiceError) {
        for fact in VenueFacts.facts(for: order, venue: venue.name) {
            switch try await writer.append([fact]) {
            case .committed: report.repairs += 1
            case .duplicate: break
            case .refused(let error):
                logger.warning("recon.fact.refused", metadata: ["fact": "\(fact.id)", "error": "\(error)"])
            }
        }
    }

    /// Journals a `recon.desync` fact (deterministic id: one per distinct mismatch) and, once
    /// it is committed, raises the `reconciliation_mismatch` alert (log line and event) — so a
    /// mismatch found again by a later pass or another reconciler is alerted once.
    func desync(kind: String, subject: String, journal: String?, venue: String?, action: String, strategy: String? = nil, report: inout PassReport) async throws(ServiceError) {
        let body = DesyncDetected(kind: kind, subject: subject, journal: journal, venue: venue, action: action, strategy: strategy)
        let id = "desync:\(account):\(kind):\(subject):\(journal ?? "-"):\(venue ?? "-")"
        guard try await writer.append([Fact(id: id, account: account, payload: .reconciliation(.desync(body)))]) == .committed else { return }
        report.desyncs += 1
        var fields = [
            "account": account, "mismatch": kind, "subject": subject, "journal": journal ?? "-", "venue": venue ?? "-",
            "action": action, "fact_id": id,
        ]
        if let strategy { fields["strategy"] = strategy }
        writer.bus.raiseAlert(
            kind: ReconcilerService.API.mismatchAlert, severity: Self.severity(ofDesync: kind),
            message: "reconciliation mismatch on \(account): \(kind) \(subject), journal \(journal ?? "-"), venue \(venue ?? "-") (\(action))",
            fields: fields)
    }

    /// Positions and balances that disagree with the venue are critical, and so is an order
    /// the journal had given up on that the venue executed; an order or fill the pass
    /// journaled from the venue (already repaired) is a warning.
    static func severity(ofDesync kind: String) -> Alert.Severity {
        ["position", "balance", "reopened_order"].contains(kind) ? .critical : .warning
    }

    /// A venue call; its errors become the pass's error (the pass is retried later).
    func venueCall<T>(_ body: () async throws(VenueError) -> T) async throws(ServiceError) -> T {
        do {
            return try await body()
        } catch {
            throw error.serviceError
        }
    }
}
