import BusKit
import BusProtocol
import Foundation
import Logging
import Synchronization
import TradingModel

/// The gateway's venue outcomes on their way to risk-service (`risk.venue_outcome`, the
/// circuit breaker's input). The order path only enqueues: a slow risk-service never
/// slows an order. The queue is bounded; on overflow the oldest reports are dropped
/// and counted (a breaker fed late is better than an order path that stalls).
final class OutcomeReports: Sendable {
    /// Reports waiting to be sent, at most.
    static let limit = 10_000
    private let stream: AsyncStream<VenueOutcome>
    private let continuation: AsyncStream<VenueOutcome>.Continuation
    private let droppedCount = Atomic<Int>(0)

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: VenueOutcome.self, bufferingPolicy: .bufferingNewest(Self.limit))
    }

    /// Reports dropped because the queue was full.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Queues one report; never waits.
    func enqueue(_ outcome: VenueOutcome) {
        if case .dropped = continuation.yield(outcome) { droppedCount.add(1, ordering: .relaxed) }
    }

    /// Sends queued reports to risk-service, one at a time, until cancelled.
    func deliver(over bus: BusConnection, logger: Logger) async {
        for await outcome in stream {
            do {
                let reply = try await bus.request(
                    service: RiskAPI.service, type: RiskAPI.venueOutcome, key: outcome.account, body: WireCodec.encode(outcome),
                    timeout: .seconds(2), attempts: 2)
                if reply.header.isError {
                    logger.warning("gateway.venue_outcome.refused", metadata: ["order.client_id": "\(outcome.clientOrderId)", "code": "\(reply.errorBody().code.rawValue)"])
                }
            } catch {
                logger.warning("gateway.venue_outcome.unreported", metadata: ["order.client_id": "\(outcome.clientOrderId)", "error": "\(error.code.rawValue)"])
            }
        }
    }

    func finish() { continuation.finish() }
}
