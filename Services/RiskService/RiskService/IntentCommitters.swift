import BusKit
import ServiceRuntime
import Synchronization

/// Which `risk.authorize` request committed each recent order intent, by request id, so a
/// duplicate intent append can be told apart: the same request resent (its first attempt
/// committed the intent and the reply was lost: approve again, the gateway places) from a
/// new request that reuses a client_order_id (answer with the existing order, place nothing).
///
/// Kept for `window` (a resend comes within the gateway's request timeout and its retries),
/// at most `limit`. A forgotten or unrecorded committer only makes a resend look like a
/// reuse: the gateway answers with the order as journaled (still `pending_new`) and places
/// nothing, and the reconciler closes it `not_at_venue` — never a second venue order.
final class IntentCommitters: Sendable {
    /// How long a committer is remembered: well past the gateway's attempts at one request.
    static let window: Duration = .seconds(120)
    /// Intents remembered at most (a burst inside the window).
    static let limit = 65_536

    private let clock = MonotonicNanos()
    private let state = Mutex(RecentMemory<String, String>(window: IntentCommitters.window.wholeNanoseconds, limit: IntentCommitters.limit))

    /// Records that request `requestId` committed the intent of (account, client_order_id).
    func record(account: String, clientOrderId: String, requestId: String) {
        let now = clock.now()
        state.withLock { $0.record(account + "|" + clientOrderId, requestId, at: now) }
    }

    /// Whether request `requestId` is the one that committed the intent of the order.
    func committed(account: String, clientOrderId: String, by requestId: String) -> Bool {
        state.withLock { $0[account + "|" + clientOrderId] == requestId }
    }
}
