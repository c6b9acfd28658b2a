import BusKit
import BusProtocol
import ServiceRuntime
import TradingModel
import VenueKit

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

    /// How long an order that ended, and a fill's trade id, stay in the view after the
    /// journal recorded them, by default (`BW_RECON_RECENT_WINDOW_MS`): a pass looks at the
    /// venue's fills since the previous pass and its open orders, so only recent ones are
    /// asked about. Anything older the pass asks the writer for (`remember`), so forgetting
    /// costs a read, never a wrong answer, and the view's memory stops growing with the journal.
    static let defaultRecentWindow: Duration = .seconds(120)
    /// Ended orders and trade ids kept at most (a burst inside the window).
    static let recentLimit = 65_536

    /// Orders not yet ended (every one, whatever its age).
    private(set) var working: [String: Order] = [:]
    /// Orders that ended within `recentWindow`.
    private(set) var ended: RecentMemory<String, Order>
    /// Trade ids of the fills journaled within `recentWindow`.
    private(set) var recentTradeIds: RecentMemory<String, Void>
    private(set) var positions: [String: [String: Position]] = [:]
    /// Accounts whose latest `recon.account_ready` is ok.
    private(set) var readyAccounts: Set<String> = []
    /// Stale-position episodes closed (the first attempt's client_order_id), and the
    /// closing orders themselves.
    private(set) var forceClosed: Set<String> = []
    /// Per stale-position episode: the attempts journaled so far, when the last one was,
    /// and the last attempt itself (an episode the venue closed is finished from it).
    private(set) var closeAttempts: [String: (count: Int, lastTs: Int64, last: ForceCloseAttempt, account: String)] = [:]
    /// Per account: the venue trade seqs (per trade series) up to which every fill is journaled (`recon.fills_checked`).
    private(set) var fillsChecked: [String: TradeCursor] = [:]
    private(set) var lastSeq: Int64 = 0
    /// Commit time of the last fact folded (the window's clock).
    private(set) var lastTs: Int64 = 0

    /// An empty view keeping ended orders and trade ids for `recentWindow`.
    init(recentWindow: Duration = JournalView.defaultRecentWindow) {
        ended = RecentMemory(window: recentWindow.wholeNanoseconds, limit: Self.recentLimit)
        recentTradeIds = RecentMemory(window: recentWindow.wholeNanoseconds, limit: Self.recentLimit)
    }

    /// Forgets the ended orders and trade ids recorded before `now − recentWindow`.
    mutating func expire(now: Int64) {
        ended.expire(now: now)
        recentTradeIds.expire(now: now)
    }

    /// The map key of an order: account and client_order_id.
    static func key(_ account: String, _ clientOrderId: String) -> String { account + "\u{1F}" + clientOrderId }

    /// The order with this id, if the view has it (working, or ended recently).
    func order(account: String, clientOrderId: String) -> Order? {
        let key = Self.key(account, clientOrderId)
        return working[key] ?? ended[key]
    }

    /// Whether the view has the order (a miss is asked of the writer).
    func knows(account: String, clientOrderId: String) -> Bool { order(account: account, clientOrderId: clientOrderId) != nil }

    /// Whether the fill with this trade id was journaled recently (a miss is offered to the
    /// writer, which answers `duplicate` for one it has).
    func hasRecentFill(_ tradeId: String) -> Bool { recentTradeIds[tradeId] != nil }

    /// The account's orders in `states` the view has, oldest intent first.
    func orders(account: String, in states: Set<OrderState>) -> [Order] {
        let candidates = states.allSatisfy { !$0.isTerminal } ? Array(working.values) : Array(working.values) + Array(ended.values)
        return candidates.filter { $0.account == account && states.contains($0.state) }.sorted { $0.intentTs < $1.intentTs }
    }

    /// Adds an order the writer has (`journal.order`) that the view had forgotten or not yet
    /// folded, for one pass's questions; a known order is left as folded. The intent's time
    /// is not in the writer's view: an ended order does not need it, and a working order
    /// the view lacks has just been committed (its grace starts now).
    mutating func remember(_ view: OrderView) {
        guard !knows(account: view.account, clientOrderId: view.clientOrderId) else { return }
        let order = Order(
            account: view.account, clientOrderId: view.clientOrderId, symbol: view.symbol, side: view.side, qty: view.qty,
            state: view.state, reason: view.reason, venueOrderId: view.venueOrderId, filledQty: view.filledQty, intentTs: lastTs)
        store(order)
    }

    /// Folds one committed fact.
    mutating func apply(_ record: JournalRecord) {
        lastSeq = record.seq
        lastTs = max(lastTs, record.ts)
        expire(now: lastTs)
        let account = record.fact.account
        switch record.fact.payload {
        case .orderIntent(let intent):
            guard !knows(account: account, clientOrderId: intent.clientOrderId) else { return }
            store(Order(
                account: account, clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side,
                qty: intent.qty, state: .pendingNew, intentTs: record.ts))
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
        case .reconciliation(.fillsChecked(let checked)):
            fillsChecked[account, default: TradeCursor()].advance(checked.series ?? "", to: checked.tradeSeq)
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
        guard recentTradeIds.record(fill.tradeId, (), at: lastTs) else { return }
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
        guard var order = order(account: account, clientOrderId: clientOrderId) else { return }
        change(&order)
        store(order)
    }

    /// Keeps `order` with the working orders or, once it ended, with the recently ended
    /// (from now: a late change renews its time in the view).
    private mutating func store(_ order: Order) {
        let key = Self.key(order.account, order.clientOrderId)
        if order.state.isTerminal {
            working[key] = nil
            ended.record(key, order, at: lastTs)
        } else {
            ended.remove(key)
            working[key] = order
        }
    }
}
