import BusKit
import BusProtocol
import TradingModel
import VenueKit

/// Sends an order to the venue under G10: classify every error; on a transient one ask
/// the venue by client_order_id before resending, and resend under the same id with
/// exponential backoff and full jitter; a permanent or fatal error rejects at once.
/// Every attempt's outcome goes to `report` (the circuit breaker's input).
struct VenuePlacement: Sendable {
    /// What became of the order.
    enum Outcome: Sendable, Equatable {
        /// The venue has the order (acknowledged now, or found when asked).
        case placed(VenueOrder)
        /// The venue refused it; resending cannot help.
        case rejected(ServiceError)
        /// The venue did not answer and could not say whether it has the order.
        case unknown(ServiceError)
    }

    let venue: any Venue
    let retry: RetryPolicy
    /// Waits between attempts (injected: tests pass a recorder instead of a clock).
    let pause: @Sendable (Duration) async -> Void
    let report: @Sendable (VenueOutcome) async -> Void
    /// Whether the venue is reachable now (`VenueLink`); while it is not, nothing is sent.
    var isVenueLive: @Sendable () -> Bool = { true }

    /// - Parameter sent: called once the first attempt is on its way to the venue (and at
    ///   the latest when `place` returns), so the next order of the key may go.
    func place(_ order: VenuePlace, sent: @escaping @Sendable () -> Void = {}) async -> Outcome {
        defer { sent() }
        var lastError = ServiceError(.timeout, reason: "venue_timeout", "the venue did not answer")
        for attempt in 0..<retry.attempts {
            if attempt > 0 { await pause(retry.delay(beforeRetry: attempt)) }
            guard isVenueLive() else {
                // Never queue a place for an unreachable venue. Not sent at all: the venue cannot
                // have it. Sent before: it may, and the order stays unknown until the venue says.
                return attempt == 0 ? .rejected(Self.disconnected) : .unknown(lastError)
            }
            do {
                let placed = try await (attempt == 0 ? venue.place(order, sent: sent) : venue.place(order))
                await report(outcome(order, .ok, nil))
                return .placed(placed)
            } catch {
                switch error {
                case .permanent(let error):
                    await report(outcome(order, .permanent, error))
                    return await refusal(error, for: order, unreadable: .rejected(error))
                case .fatal(let error):
                    await report(outcome(order, .fatal, error))
                    // A fatal error may be our own side failing (an unreadable reply): ask, and
                    // if the venue cannot say either, the order is unknown, not refused.
                    return await refusal(error, for: order, unreadable: .unknown(error))
                case .transient(let error):
                    await report(outcome(order, .transient, error))
                    lastError = error
                    // The venue may have acted before the answer was lost: ask before any resend.
                    if let found = try? await venue.order(account: order.account, clientOrderId: order.clientOrderId) {
                        return .placed(found)
                    }
                }
            }
        }
        return .unknown(lastError)
    }

    /// The refusal of an order the gateway did not send because the venue is unreachable.
    static let disconnected = ServiceError(
        .unavailable, reason: "venue_disconnected", "the venue is unreachable (its stream is silent); nothing was sent, retry", retryAfterMs: 500)

    /// After an error that reads like a refusal, the venue is asked once: a refusal is only
    /// believed when the venue does not have the order (a lost or unreadable ack is not a "no").
    private func refusal(_ error: ServiceError, for order: VenuePlace, unreadable: Outcome) async -> Outcome {
        switch await ask(order) {
        case .some(.some(let found)): .placed(found)
        case .some(.none): .rejected(error)
        case .none: unreadable
        }
    }

    /// The venue's answer about the order: nil when it could not be asked, `.some(nil)` when it has none.
    private func ask(_ order: VenuePlace) async -> VenueOrder?? {
        do {
            return .some(try await venue.order(account: order.account, clientOrderId: order.clientOrderId))
        } catch {
            return nil
        }
    }

    private func outcome(_ order: VenuePlace, _ result: VenueOutcome.Result, _ error: ServiceError?) -> VenueOutcome {
        VenueOutcome(account: order.account, clientOrderId: order.clientOrderId, result: result, code: error?.code.rawValue, reason: error?.reason)
    }
}

/// How often and how patiently a transient venue error is retried.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var attempts: Int
    /// The backoff before the first retry; doubles each retry up to `maxDelay`.
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Picks a delay in 0…bound milliseconds (full jitter); injected for tests.
    public var jitter: @Sendable (_ boundMilliseconds: Int64) -> Int64

    public init(
        attempts: Int, baseDelay: Duration, maxDelay: Duration,
        jitter: @escaping @Sendable (Int64) -> Int64 = { Int64.random(in: 0...$0) }
    ) {
        precondition(attempts >= 1, "at least one attempt")
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// The pause before retry number `retry` (1-based): jitter over base × 2^(retry-1), capped.
    public func delay(beforeRetry retry: Int) -> Duration {
        let base = Int64(baseDelay.wholeMilliseconds), cap = Int64(maxDelay.wholeMilliseconds)
        let exponential = retry > 30 ? cap : min(cap, base << Int64(retry - 1))
        return .milliseconds(jitter(exponential))
    }
}
