import BusKit
import BusProtocol
import TradingModel
import VenueKit

extension AccountPass {
    /// C6: a position held longer than max_hold_seconds is closed for real: a reduce-only
    /// market order through the gateway (reduce-only closes pass the breaker and the
    /// governor) for the venue's own quantity, each attempt journaled with its outcome,
    /// retried with backoff until the venue is flat; `position.force_closed` only then. After
    /// `StaleMonitor.maxCloseAttempts` a critical `force_close_failed` alert says it gave up.
    func forceCloseStale(view: JournalView, bus: BusConnection, report: inout PassReport) async throws(ServiceError) {
        try await finishClosedEpisodes(view: view, bus: bus, report: &report)
        let monitor = StaleMonitor(maxHoldSeconds: configuration.maxHoldSeconds, now: now)
        for close in monitor.due(in: view) where close.account == account {
            let episode = close.clientOrderId
            let done: (count: Int, lastTs: Int64) = view.closeAttempts[episode].map { ($0.count, $0.lastTs) } ?? (0, 0)
            guard done.count < StaleMonitor.maxCloseAttempts,
                done.count == 0 || now() - done.lastTs >= StaleMonitor.backoffNanos(afterAttempts: done.count)
            else { continue }
            let held = try await venuePosition(close.symbol)
            if held.isZero {
                try await journalClosed(close, closingOrder: StaleMonitor.clientOrderId(episode: episode, attempt: done.count), qty: close.qty, report: &report)
                continue
            }
            let attempt = done.count + 1
            let id = StaleMonitor.clientOrderId(episode: episode, attempt: attempt)
            let submit = OrderSubmit(
                clientOrderId: id, account: account, symbol: close.symbol, side: held.isPositive ? .sell : .buy, type: .market,
                qty: held.abs, reduceOnly: true)
            let sent = await submitThroughGateway(submit, bus: bus)
            // The outcome as the venue has it: the order's status, or `not_sent` when the gateway refused it.
            var outcome = "not_sent"
            if sent, let order = try await venueOrder(id) { outcome = order.status.rawValue }
            let after = try await venuePosition(close.symbol)
            let body = ForceCloseAttempt(
                symbol: close.symbol, episode: episode, clientOrderId: id, attempt: attempt, side: submit.side, qty: held.abs,
                openedTs: close.openedTs, outcome: outcome, venueQtyAfter: after)
            _ = try await writer.append([Fact(id: "fc_attempt:\(account):\(id)", account: account, payload: .reconciliation(.forceCloseAttempt(body)))])
            if after.isZero {
                try await journalClosed(close, closingOrder: id, qty: held.abs, report: &report)
            } else if attempt >= StaleMonitor.maxCloseAttempts {
                logger.critical("recon.position.force_close_failed", metadata: ["account": "\(account)", "symbol": "\(close.symbol)", "venue_qty": "\(after)"])
                writer.bus.raiseAlert(
                    kind: "force_close_failed", severity: .critical,
                    message: "could not close the stale \(close.symbol) position of \(account) after \(attempt) attempts (venue still holds \(after))",
                    fields: ["account": account, "symbol": close.symbol, "venue_qty": "\(after)", "episode": episode])
            }
        }
    }

    /// The venue's position of `account` in `symbol`. Through `AccountPass.venueCall`, as every
    /// venue call here: a typed-throws async requirement called straight on `any Venue`
    /// crashed the process (a jump to a null pointer) when the call threw, e.g. on a timeout.
    /// Episodes with journaled attempts but no `position.force_closed`: once their closing
    /// fills are journaled the position is flat and no longer due, so the pass that made the
    /// venue flat may not have finished them (a failed append, a venue answer after the pass).
    /// An episode whose symbol the venue holds no more is finished here.
    private func finishClosedEpisodes(view: JournalView, bus: BusConnection, report: inout PassReport) async throws(ServiceError) {
        for (episode, attempts) in view.closeAttempts.sorted(by: { $0.key < $1.key })
        where attempts.account == account && !view.forceClosed.contains(episode) {
            guard try await venuePosition(attempts.last.symbol).isZero else { continue }
            let close = StaleMonitor.ForceClose(
                account: account, symbol: attempts.last.symbol, side: attempts.last.side, qty: attempts.last.qty,
                clientOrderId: episode, openedTs: attempts.last.openedTs)
            try await journalClosed(close, closingOrder: attempts.last.clientOrderId, qty: attempts.last.qty, report: &report)
        }
    }

    private func venueOrder(_ clientOrderId: String) async throws(ServiceError) -> VenueOrder? {
        try await venueCall { () async throws(VenueError) in try await venue.order(account: account, clientOrderId: clientOrderId) }
    }

    /// The venue's position of the account in `symbol`.
    private func venuePosition(_ symbol: String) async throws(ServiceError) -> ExactDecimal {
        try await venueCall { () async throws(VenueError) in try await venue.positions(account: account) }[symbol] ?? .zero
    }

    /// The venue is flat in the symbol: the episode ends with `position.force_closed`.
    private func journalClosed(_ close: StaleMonitor.ForceClose, closingOrder: String, qty: ExactDecimal, report: inout PassReport) async throws(ServiceError) {
        let body = PositionForceClosed(
            symbol: close.symbol, side: close.side, qty: qty, clientOrderId: closingOrder,
            openedTs: close.openedTs, maxHoldSeconds: configuration.maxHoldSeconds)
        let fact = Fact(id: "force_closed:\(account):\(close.clientOrderId)", account: account, payload: .reconciliation(.positionForceClosed(body)))
        if try await writer.append([fact]) == .committed {
            report.forceClosed += 1
            logger.warning("recon.position.force_closed", metadata: ["account": "\(account)", "symbol": "\(close.symbol)", "qty": "\(qty)"])
        }
    }
}
