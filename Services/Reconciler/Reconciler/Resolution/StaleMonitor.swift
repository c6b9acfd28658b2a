import TradingModel

/// Finds positions held longer than `maxHoldSeconds` (C6) and names the reduce-only
/// market order that closes each, with a deterministic client_order_id (one per
/// position episode: a replay or a second reconciler sends the same order, which the
/// gateway deduplicates).
struct StaleMonitor: Sendable {
    /// One stale position and its closing order.
    struct ForceClose: Sendable, Equatable {
        var account: String
        var symbol: String
        var side: Side
        var qty: ExactDecimal
        var clientOrderId: String
        var openedTs: Int64
    }

    /// The longest a position may be held.
    let maxHoldSeconds: Int
    /// The clock, unix nanoseconds (injected: tests move time).
    let now: @Sendable () -> Int64

    /// The force-closes due in `view`, skipping those already journaled.
    func due(in view: JournalView) -> [ForceClose] {
        let limit = Int64(maxHoldSeconds) * 1_000_000_000
        let time = now()
        var closes: [ForceClose] = []
        for (account, symbols) in view.positions.sorted(by: { $0.key < $1.key }) {
            for (symbol, position) in symbols.sorted(by: { $0.key < $1.key }) where !position.qty.isZero {
                guard time - position.openedTs > limit else { continue }
                let id = Self.clientOrderId(account: account, symbol: symbol, openingTradeId: position.openingTradeId)
                guard !view.forceClosed.contains(id) else { continue }
                closes.append(ForceClose(
                    account: account, symbol: symbol, side: position.qty.isPositive ? .sell : .buy,
                    qty: position.qty.abs, clientOrderId: id, openedTs: position.openedTs))
            }
        }
        return closes
    }

    /// The most attempts to close one stale position before the reconciler gives up (and alerts).
    static let maxCloseAttempts = 5

    /// The wait before attempt `n + 1` after `n` attempts: 1 s, 2 s, 4 s, 8 s.
    static func backoffNanos(afterAttempts attempts: Int) -> Int64 {
        1_000_000_000 << Int64(min(max(attempts - 1, 0), 6))
    }

    /// The closing order of attempt `attempt` (1-based) of an episode: the episode's id,
    /// then `<episode>:r<n>` (a rejected order's id cannot be used again).
    static func clientOrderId(episode: String, attempt: Int) -> String {
        attempt <= 1 ? episode : "\(episode):r\(attempt)"
    }

    /// The episode of a closing order's id (the inverse of `clientOrderId(episode:attempt:)`).
    static func episode(ofClose clientOrderId: String) -> String {
        guard let range = clientOrderId.range(of: ":r", options: .backwards),
            let attempt = Int(clientOrderId[range.upperBound...]), attempt > 1
        else { return clientOrderId }
        return String(clientOrderId[..<range.lowerBound])
    }

    /// `fc:<account>:<BASE-QUOTE>:<opening trade id>`, within the client_order_id alphabet.
    static func clientOrderId(account: String, symbol: String, openingTradeId: String) -> String {
        let safe = { (text: String) in String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "_.:-".contains($0)) ? $0 : "-" }) }
        return "fc:\(safe(account)):\(safe(symbol)):\(safe(openingTradeId))"
    }
}
