import BusProtocol
import Foundation
import Synchronization
import TradingModel

/// Group commit (P2): appends that arrive while a commit runs wait together and go
/// into the next transaction; each is acknowledged only after its commit.
///
/// The queue is bounded: at the limit a producer gets OVERLOADED (retryable), and
/// saturation is logged at 80 % and 95 % at most once per 30 s each.
final class AppendBatcher: Sendable {
    struct Waiting {
        var request: AppendRequest
        var continuation: CheckedContinuation<AppendResult, Never>
    }

    private struct State {
        var queue: [Waiting] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let limit: Int
    private let maxBatch: Int
    private let commit: @Sendable ([AppendRequest]) -> [AppendResult]
    private let writerQueue = DispatchQueue(label: "journal-writer")
    let saturation: SaturationAlarm

    /// - Parameter commit: runs on the writer's own thread; returns after COMMIT.
    convenience init(limit: Int, maxBatch: Int, saturation: SaturationAlarm, commit: @escaping @Sendable ([AppendRequest]) -> [AppendOutcome]) {
        self.init(limit: limit, maxBatch: maxBatch, saturation: saturation, committing: { commit($0).map { AppendResult($0) } })
    }

    /// - Parameter committing: runs on the writer's own thread; returns after COMMIT, each
    ///   outcome with the order its request is about.
    init(limit: Int, maxBatch: Int, saturation: SaturationAlarm, committing: @escaping @Sendable ([AppendRequest]) -> [AppendResult]) {
        self.limit = limit
        self.maxBatch = maxBatch
        self.saturation = saturation
        self.commit = committing
    }

    /// Appends waiting for a commit (not counting the batch being committed).
    var depth: Int { state.withLock { $0.queue.count } }

    /// Queues one append and waits for its outcome (after the commit that holds it).
    func append(_ request: AppendRequest) async -> AppendOutcome {
        await appendResult(request).outcome
    }

    /// `append`, with the order the request is about as committed.
    func appendResult(_ request: AppendRequest) async -> AppendResult {
        await withCheckedContinuation { continuation in
            let (accepted, startDrain, depth) = state.withLock { state -> (Bool, Bool, Int) in
                guard state.queue.count < limit else { return (false, false, state.queue.count) }
                state.queue.append(Waiting(request: request, continuation: continuation))
                defer { state.draining = true }
                return (true, !state.draining, state.queue.count)
            }
            saturation.observe(depth: depth, limit: limit)
            guard accepted else {
                continuation.resume(returning: AppendResult(.rejected(ServiceError(
                    .overloaded, reason: "writer_queue_full", "the journal writer's queue is full; retry", retryAfterMs: 20))))
                return
            }
            if startDrain { writerQueue.async { self.drain() } }
        }
    }

    /// Commits batch after batch until the queue is empty (on the writer thread).
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let outcomes = commit(batch.map(\.request))
            for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(returning: outcome) }
        }
    }
}
