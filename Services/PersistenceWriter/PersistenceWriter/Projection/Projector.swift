import BusProtocol
import GRDB
import TradingModel

/// Applies one newly journaled fact to the projections, inside the request's savepoint.
///
/// Every refusal throws a `ServiceError`; the caller rolls the savepoint back, so the
/// journal row and every projection change of the request disappear together.
/// Order states move only through `OrderState.applying(_:)` (G9); a refused event is
/// `INVALID_REQUEST` / `illegal_transition`.
struct Projector {
    /// The open transaction.
    let db: Database
    /// The journal seq of the fact being applied.
    let seq: Int64
    /// The account of the fact being applied.
    let account: String
    /// The id of the fact being applied (a fill's id names its venue).
    let factId: String

    /// Projects `payload`.
    func apply(_ payload: FactPayload) throws {
        switch payload {
        case .orderIntent(let intent): try applyIntent(intent)
        case .orderAccepted(let accepted): try applyAccepted(accepted)
        case .fillRecorded(let fill): try applyFill(fill)
        case .orderClosed(let closed): try applyClosed(closed)
        case .reconciliation(.positionAdjusted(let adjusted)):
            var position = try PositionRow.fetchOrFlat(db, account: account, symbol: adjusted.symbol)
            position.adjust(by: adjusted.delta, price: adjusted.price)
            try position.save(db, seq: seq)
        case .reconciliation(.orderReopened(let reopened)): try applyReopened(reopened)
        case .reconciliation: break  // journaled only; nothing to project
        case .breakerTransition(let transition): try applyBreaker(transition)
        case .governorTransition(let transition): try applyGovernor(transition)
        case .equityMark: break  // journaled only; risk-service restores its equity curves from it
        case .operationRecorded(let entry): try applyOperation(entry)
        case .tradingHalt(let halt): try applyHalt(halt)
        @unknown default:
            // A fact type this projection does not know yet (added to TradingModel by
            // another service): journaled and published, not projected.
            return
        }
    }

    /// A new order in `pending_new` with its reservation held, unless the account is halted
    /// (`TRADING_HALTED`, see `checkTrading`) or a breaker or the governor stops it
    /// (`checkStops`). The orders PRIMARY KEY
    /// is the final arbiter: a second intent for the same client_order_id under a
    /// different fact id is refused as `DUPLICATE` / `client_order_id_exists`.
    private func applyIntent(_ intent: OrderIntent) throws {
        try checkTrading(intentFactId: factId)
        try checkStops(intent, intentFactId: factId)
        var order = OrderRecord(account: account, intent: intent, seq: seq)
        do {
            try order.insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw ServiceError(
                .duplicate, reason: "client_order_id_exists",
                "order \(intent.clientOrderId) of \(account) already exists")
        }
        var reservation: ReservationRow? = ReservationRow(
            account: account, clientOrderId: intent.clientOrderId, asset: intent.reserveAsset,
            amount: intent.reserveAmount)
        try reservation?.insert(db, seq: seq)
        // Fills that overtook their intent were recorded without an order: fold them now.
        let early = try FillRow.fetchAll(db, account: account, clientOrderId: intent.clientOrderId)
        guard !early.isEmpty else { return }
        for row in early {
            try fold(row.fill, into: &order, reservation: &reservation)
        }
        try order.update(db)
        try reservation?.update(db, seq: seq)
    }

    /// The venue acknowledged the order: `accepted` from `pending_new` or `unknown`; an
    /// order already further along (filled, canceled…) keeps its state (a late ack).
    private func applyAccepted(_ accepted: OrderAccepted) throws {
        var order = try existingOrder(accepted.clientOrderId)
        try checkVenueOrderId(accepted.venueOrderId, of: order)
        switch order.state {
        case .partiallyFilled, .filled, .canceled, .expired:
            break
        case .pendingNew, .unknown, .accepted, .rejected:
            order.state = try transition(order, .venueAccepted)
        }
        order.venueOrderId = accepted.venueOrderId
        order.updatedSeq = seq
        try order.update(db)
    }

    /// Canceled, rejected, expired (terminal: the reservation releases what is left
    /// and closes) or unknown (the reservation stays held).
    private func applyClosed(_ closed: OrderClosed) throws {
        var order = try existingOrder(closed.clientOrderId)
        let event: OrderEvent
        switch closed.state {
        case .canceled: event = .venueCanceled
        case .rejected: event = .venueRejected
        case .expired: event = .venueExpired
        case .unknown: event = .sendTimedOut
        case .pendingNew, .accepted, .partiallyFilled, .filled:
            preconditionFailure("FactValidator let a \(closed.state) close through")
        }
        order.state = try transition(order, event)
        order.reason = closed.reason ?? order.reason
        order.updatedSeq = seq
        try order.update(db)
        guard order.state.isTerminal,
              var reservation = try ReservationRow.fetch(db, account: account, clientOrderId: order.clientOrderId)
        else { return }
        reservation.close()
        try reservation.update(db, seq: seq)
    }

    /// An order closed `rejected` / `not_at_venue` that the venue has after all: `unknown`
    /// again (then the venue's answer moves it on), its reservation held again. Any other
    /// order is refused `INVALID_REQUEST` / `not_reopenable`: only the journal's own give-up
    /// may be undone by the venue; a venue's rejection, a cancel or a fill never is.
    private func applyReopened(_ reopened: OrderReopened) throws {
        var order = try existingOrder(reopened.clientOrderId)
        guard order.state == .rejected, order.reason == OrderReopened.reopenableReason else {
            throw ServiceError(
                .invalidRequest, reason: "not_reopenable",
                "order \(order.clientOrderId) is \(order.state.rawValue) (\(order.reason ?? "no reason")); only an order closed \(OrderReopened.reopenableReason) can be reopened")
        }
        order.state = try transition(order, .venueReopened)
        order.reason = "reopened_by_venue"
        order.updatedSeq = seq
        try order.update(db)
        if var reservation = try ReservationRow.fetch(db, account: account, clientOrderId: order.clientOrderId) {
            reservation.reopen(holding: reopened.reserveAmount)
            try reservation.update(db, seq: seq)
        } else {
            try ReservationRow(
                account: account, clientOrderId: order.clientOrderId, asset: reopened.reserveAsset, amount: reopened.reserveAmount
            ).insert(db, seq: seq)
        }
    }

    /// Records the trade, then updates its order and reservation. A fill of an order
    /// the journal has not seen is recorded alone (see `applyIntent`).
    /// Trade-id duplicates never get here: the appender answers them before journaling.
    private func applyFill(_ fill: FillRecorded) throws {
        let venue = FillRow.venue(factId: factId, tradeId: fill.tradeId)
        try FillRow(seq: seq, account: account, fill: fill, venue: venue).insert(db)
        try PositionRow.apply(fill, account: account, seq: seq, in: db)
        guard var order = try OrderRecord.fetch(db, account: account, clientOrderId: fill.clientOrderId) else {
            return
        }
        var reservation = try ReservationRow.fetch(db, account: account, clientOrderId: fill.clientOrderId)
        try fold(fill, into: &order, reservation: &reservation)
        try order.update(db)
        try reservation?.update(db, seq: seq)
    }

    /// The order a fact refers to; `NOT_FOUND` / `unknown_order` when there is none.
    private func existingOrder(_ clientOrderId: String) throws -> OrderRecord {
        guard let order = try OrderRecord.fetch(db, account: account, clientOrderId: clientOrderId) else {
            throw ServiceError(.notFound, reason: "unknown_order", "no order \(clientOrderId) for \(account)")
        }
        return order
    }

    /// Refuses a venue order id that contradicts the one already recorded.
    func checkVenueOrderId(_ venueOrderId: String, of order: OrderRecord) throws(ServiceError) {
        guard let known = order.venueOrderId, known != venueOrderId else { return }
        throw ServiceError(
            .invalidRequest, reason: "venue_order_id_mismatch",
            "order \(order.clientOrderId) is venue order \(known), not \(venueOrderId)")
    }

    /// The state after `event`, or `INVALID_REQUEST` / `illegal_transition`.
    func transition(_ order: OrderRecord, _ event: OrderEvent) throws(ServiceError) -> OrderState {
        do {
            return try order.state.applying(event)
        } catch {
            throw ServiceError(
                .invalidRequest, reason: "illegal_transition", "order \(order.clientOrderId): \(error.description)")
        }
    }
}
