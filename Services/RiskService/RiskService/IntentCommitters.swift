import Synchronization

/// Which `risk.authorize` request committed each recent order intent, by request id, so a
/// duplicate intent append can be told apart: the same request resent (its first attempt
/// committed the intent and the reply was lost: approve again, the gateway places) from a
/// new request that reuses a client_order_id (answer with the existing order, place nothing).
///
/// Bounded (`limit`, oldest forgotten first). A forgotten or unrecorded committer only makes
/// a resend look like a reuse: the gateway answers with the order as journaled (still
/// `pending_new`) and places nothing, and the reconciler closes it `not_at_venue` — never
/// a second venue order.
final class IntentCommitters: Sendable {
    /// Intents remembered at most (a resend comes within the gateway's request timeout).
    static let limit = 65_536

    private struct State {
        var byOrder: [String: String] = [:]
        var order: [String] = []
        var head = 0
    }

    private let state = Mutex(State())

    /// Records that request `requestId` committed the intent of (account, client_order_id).
    func record(account: String, clientOrderId: String, requestId: String) {
        let key = account + "|" + clientOrderId
        state.withLock { state in
            if state.byOrder.updateValue(requestId, forKey: key) != nil { return }
            if state.order.count < Self.limit {
                state.order.append(key)
            } else {
                state.byOrder[state.order[state.head]] = nil
                state.order[state.head] = key
                state.head = (state.head + 1) % Self.limit
            }
        }
    }

    /// Whether request `requestId` is the one that committed the intent of the order.
    func committed(account: String, clientOrderId: String, by requestId: String) -> Bool {
        state.withLock { $0.byOrder[account + "|" + clientOrderId] == requestId }
    }
}
