import BusKit
import BusProtocol
import Foundation
import Logging
import Synchronization
import TradingModel

/// The gateway's venue outcomes on their way to risk-service (the circuit breaker's input).
/// The order path only enqueues: a slow risk-service never slows an order. The queue is
/// bounded; on overflow the oldest reports are dropped and counted (a breaker fed late is
/// better than an order path that stalls).
///
/// Reports are sent in batches: whatever queued while the previous requests were out goes
/// as one `risk.venue_outcomes` per account (at most `VenueOutcomeBatch.limit` each), in
/// the order the outcomes happened. Under load that is one request for many orders; alone,
/// an outcome still leaves at once.
final class OutcomeReports: Sendable {
    /// Reports waiting to be sent, at most.
    static let limit = 10_000
    private let queue = Mutex<[VenueOutcome]>([])
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    private let droppedCount = Atomic<Int>(0)

    init() {
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Reports dropped because the queue was full.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Queues one report; never waits.
    func enqueue(_ outcome: VenueOutcome) {
        let full = queue.withLock { queue in
            let full = queue.count >= Self.limit
            if full { queue.removeFirst() }
            queue.append(outcome)
            return full
        }
        if full { droppedCount.add(1, ordering: .relaxed) }
        ring.yield()
    }

    /// Takes everything queued, grouped per account in arrival order, each group cut at the
    /// batch limit.
    func takeBatches() -> [[VenueOutcome]] {
        let taken = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        var order: [String] = []
        var byAccount: [String: [VenueOutcome]] = [:]
        for outcome in taken {
            if byAccount[outcome.account] == nil { order.append(outcome.account) }
            byAccount[outcome.account, default: []].append(outcome)
        }
        return order.flatMap { account in
            let all = byAccount[account] ?? []
            return stride(from: 0, to: all.count, by: VenueOutcomeBatch.limit).map {
                Array(all[$0..<min($0 + VenueOutcomeBatch.limit, all.count)])
            }
        }
    }

    /// Sends queued reports to risk-service, batch after batch, until finished.
    func deliver(over bus: BusConnection, logger: Logger) async {
        for await _ in doorbell {
            for batch in takeBatches() {
                guard let account = batch.first?.account else { continue }
                do {
                    let reply = try await bus.request(
                        service: RiskAPI.service, type: RiskAPI.venueOutcomes, key: account,
                        body: WireCodec.encode(VenueOutcomeBatch(outcomes: batch)), timeout: .seconds(2), attempts: 2)
                    if reply.header.isError {
                        logger.warning("gateway.venue_outcome.refused", metadata: ["account": "\(account)", "outcomes": "\(batch.count)", "code": "\(reply.errorBody().code.rawValue)"])
                    }
                } catch {
                    logger.warning("gateway.venue_outcome.unreported", metadata: ["account": "\(account)", "outcomes": "\(batch.count)", "error": "\(error.code.rawValue)"])
                }
            }
        }
    }

    func finish() { ring.finish() }
}
