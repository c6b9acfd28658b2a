import BusProtocol
import TradingModel

/// What the journal says, folded from its committed facts: the reconciler's side
/// of every comparison with the venue. A value; the reconciler keeps it in an actor.
struct JournalView: Sendable {
    /// One order as the journal knows it.
    struct Order: Sendable, Equatable {
        var account: String
        var clientOrderId: String
        var symbol: String
        var side: Side
        var qty: ExactDecimal
        var state: OrderState
        /// Why it closed (or became unknown), as journaled.
        var reason: String?
        var venueOrderId: String?
        var filledQty: ExactDecimal = .zero
        /// Commit time of the intent, unix nanoseconds (the grace period counts from it).
        var intentTs: Int64
    }

    /// One account's net position in one symbol.
    struct Position: Sendable, Equatable {
        var qty: ExactDecimal = .zero
        /// Venue time of the fill that opened the position from flat.
        var openedTs: Int64 = 0
        /// Venue time of the last fill.
        var updatedTs: Int64 = 0
        /// Trade id of the fill that opened it (names the episode).
        var openingTradeId: String = ""
    }

    private(set) var orders: [String: Order] = [:]
    private(set) var tradeIds: Set<String> = []
    private(set) var positions: [String: [String: Position]] = [:]
    /// Accounts whose latest `recon.account_ready` is ok.
    private(set) var readyAccounts: Set<String> = []
    /// Stale-position episodes closed (the first attempt's client_order_id), and the
    /// closing orders themselves.
    private(set) var forceClosed: Set<String> = []
    /// Per stale-position episode: the attempts journaled so far, when the last one was,
    /// and the last attempt itself (an episode the venue closed is finished from it).
    private(set) var closeAttempts: [String: (count: Int, lastTs: Int64, last: ForceCloseAttempt, account: String)] = [:]
    private(set) var lastSeq: Int64 = 0

    /// The map key of an order: account and client_order_id.
    static func key(_ account: String, _ clientOrderId: String) -> String { account + "\u{1F}" + clientOrderId }

    /// The order with this id, if the journal has it.
    func order(account: String, clientOrderId: String) -> Order? { orders[Self.key(account, clientOrderId)] }

    /// The account's orders in `states`.
    func orders(account: String, in states: Set<OrderState>) -> [Order] {
        orders.values.filter { $0.account == account && states.contains($0.state) }.sorted { $0.intentTs < $1.intentTs }
    }

    /// Folds one committed fact.
    mutating func apply(_ record: JournalRecord) {
        lastSeq = record.seq
        let account = record.fact.account
        switch record.fact.payload {
        case .orderIntent(let intent):
            let key = Self.key(account, intent.clientOrderId)
            guard orders[key] == nil else { return }
            orders[key] = Order(
                account: account, clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side,
                qty: intent.qty, state: .pendingNew, intentTs: record.ts)
        case .orderAccepted(let accepted):
            update(account, accepted.clientOrderId) { order in
                order.venueOrderId = accepted.venueOrderId
                if let next = try? order.state.applying(.venueAccepted) { order.state = next }
            }
        case .fillRecorded(let fill):
            apply(fill, account: account)
        case .orderClosed(let closed):
            update(account, closed.clientOrderId) { order in
                if !order.state.isTerminal {
                    order.state = closed.state
                    order.reason = closed.reason
                }
            }
        case .reconciliation(.orderReopened(let reopened)):
            update(account, reopened.clientOrderId) { order in
                if let next = try? order.state.applying(.venueReopened) { order.state = next }
                order.reason = nil
            }
        case .reconciliation(.accountReady(let ready)):
            if ready.ok { readyAccounts.insert(account) } else { readyAccounts.remove(account) }
        case .reconciliation(.runStarted):
            readyAccounts.removeAll()
        case .reconciliation(.positionForceClosed(let closed)):
            forceClosed.insert(closed.clientOrderId)
            forceClosed.insert(StaleMonitor.episode(ofClose: closed.clientOrderId))
        case .reconciliation(.forceCloseAttempt(let attempt)):
            let known = closeAttempts[attempt.episode]?.count ?? 0
            closeAttempts[attempt.episode] = (max(known, attempt.attempt), record.ts, attempt, account)
        case .reconciliation(.positionAdjusted(let adjusted)):
            var position = positions[account]?[adjusted.symbol] ?? Position()
            if position.qty.isZero {
                position.openedTs = record.ts
                position.openingTradeId = "adjusted-\(record.seq)"
            }
            position.qty += adjusted.delta
            position.updatedTs = record.ts
            positions[account, default: [:]][adjusted.symbol] = position
        default:
            break  // desyncs and other services' facts (breakers, governors, operations) change nothing here
        }
    }

    private mutating func apply(_ fill: FillRecorded, account: String) {
        guard tradeIds.insert(fill.tradeId).inserted else { return }
        update(account, fill.clientOrderId) { order in
            order.filledQty += fill.qty
            order.state = order.filledQty >= order.qty ? .filled : (order.state.isTerminal ? order.state : .partiallyFilled)
        }
        var position = positions[account]?[fill.symbol] ?? Position()
        if position.qty.isZero {
            position.openedTs = fill.ts
            position.openingTradeId = fill.tradeId
        }
        position.qty += fill.side == .buy ? fill.qty : -fill.qty
        position.updatedTs = fill.ts
        positions[account, default: [:]][fill.symbol] = position
    }

    private mutating func update(_ account: String, _ clientOrderId: String, _ change: (inout Order) -> Void) {
        let key = Self.key(account, clientOrderId)
        guard var order = orders[key] else { return }
        change(&order)
        orders[key] = order
    }
}
