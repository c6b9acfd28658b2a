import BusProtocol
import Synchronization
import TradingModel

/// The double-submission guard (G2) for orders sent without a client_order_id: the
/// same order (account, symbol, side, qty, price) twice inside the window is refused
/// as DUPLICATE — the usual sign of a strategy that retried with a new request.
/// A resend of the *same* request mints the same id and is answered idempotently.
public final class DuplicateGuard: Sendable {
    /// How long an order counts as "just sent", in nanoseconds.
    public let windowNanos: Int64
    private let recent: Mutex<[Fingerprint: (clientOrderId: String, at: Int64)]>

    public init(windowNanos: Int64) {
        precondition(windowNanos >= 0, "the duplicate window cannot be negative")
        self.windowNanos = windowNanos
        recent = Mutex([:])
    }

    /// The id the gateway gives an order that came without one: derived from the
    /// request id, so every resend of one request names one order.
    public static func mintedId(requestId: String) -> String {
        let direct = "gw-" + requestId
        if OrderValidator.isValidClientOrderId(direct) { return direct }
        return "gw-h" + hex(fnv1a(requestId, basis: 0xcbf2_9ce4_8422_2325)) + hex(fnv1a(requestId, basis: 0x8422_2325_cbf2_9ce4))
    }

    /// Refuses `submit` (minted id `clientOrderId`) if an identical order with another id
    /// was accepted inside the window.
    public func check(_ submit: OrderSubmit, clientOrderId: String, now: Int64) throws(ServiceError) {
        let previous = recent.withLock { $0[Fingerprint(submit)] }
        guard let previous, previous.clientOrderId != clientOrderId, now - previous.at < windowNanos else { return }
        throw ServiceError(
            .duplicate, reason: "probable_double_submission",
            "an identical order (\(previous.clientOrderId)) was accepted \((now - previous.at) / 1_000_000) ms ago; send a client_order_id to place both")
    }

    /// Remembers an accepted order; forgets those older than the window.
    public func record(_ submit: OrderSubmit, clientOrderId: String, now: Int64) {
        recent.withLock { recent in
            recent = recent.filter { now - $0.value.at < windowNanos }
            recent[Fingerprint(submit)] = (clientOrderId, now)
        }
    }

    /// Forgets `submit` if it is remembered under `clientOrderId` (the venue did not take it:
    /// an identical order sent again is a retry, not a double submission).
    public func forget(_ submit: OrderSubmit, clientOrderId: String) {
        recent.withLock { recent in
            if recent[Fingerprint(submit)]?.clientOrderId == clientOrderId { recent[Fingerprint(submit)] = nil }
        }
    }

    private struct Fingerprint: Hashable {
        let account: String, symbol: String, side: Side, qty: ExactDecimal, price: ExactDecimal?, type: OrderType

        init(_ submit: OrderSubmit) {
            account = submit.account
            symbol = submit.symbol
            side = submit.side
            qty = submit.qty
            price = submit.price
            type = submit.type
        }
    }

    private static func fnv1a(_ text: String, basis: UInt64) -> UInt64 {
        text.utf8.reduce(basis) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
