import BusProtocol
import Dispatch
import Logging
import Synchronization
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Bounded input queue and saturation alarms")
struct BoundsTests {
    /// A commit the test holds until it opens the gate; counts the batches it saw.
    final class Gate: Sendable {
        private let batchSizes = Mutex([Int]())
        private let opened = DispatchSemaphore(value: 0)
        var batches: [Int] { batchSizes.withLock { $0 } }
        func open() { opened.signal() }
        /// Runs on the writer's thread: blocks until the gate is open (and leaves it open).
        func commit(_ requests: [AppendRequest]) -> [AppendOutcome] {
            batchSizes.withLock { $0.append(requests.count) }
            opened.wait()
            opened.signal()
            return requests.indices.map { .committed(seqs: [Int64($0)]) }
        }
    }

    @Test func atTheLimitProducersGetOverloadedAndTheQueuedOnesStillCommit() async throws {
        let gate = Gate()
        let alarm = SaturationAlarm(name: "test", logger: Logger(label: "test"), now: { 0 })
        let batcher = AppendBatcher(limit: 2, maxBatch: 10, saturation: alarm) { gate.commit($0) }
        let request = AppendRequest(facts: [Facts.intent("o-1")])
        let first = Task { await batcher.append(request) }
        #expect(await poll { gate.batches == [1] }, "the first append is being committed")
        let queued = [Task { await batcher.append(request) }, Task { await batcher.append(request) }]
        #expect(await poll { batcher.depth == 2 })
        let refused = await batcher.append(request)
        #expect(refused.error?.code == .overloaded)
        #expect(refused.error?.reason == "writer_queue_full")
        #expect(refused.error?.retryable == true)
        gate.open()
        #expect(await first.value == .committed(seqs: [0]))
        for task in queued { #expect(await task.value.seqs.count == 1) }
        #expect(gate.batches == [1, 2], "the two that waited went into one transaction")
    }

    @Test func saturationIsReportedAt80And95PercentAtMostOncePer30Seconds() {
        let clock = Mutex(0)
        let alarm = SaturationAlarm(name: "test", logger: Logger(label: "test"), intervalMs: 30_000, now: { clock.withLock { $0 } })
        #expect(alarm.observe(depth: 79, limit: 100) == nil)
        #expect(alarm.observe(depth: 80, limit: 100) == 80)
        #expect(alarm.observe(depth: 90, limit: 100) == nil, "80 % already reported")
        #expect(alarm.observe(depth: 95, limit: 100) == 95)
        #expect(alarm.observe(depth: 99, limit: 100) == nil)
        clock.withLock { $0 = 29_999 }
        #expect(alarm.observe(depth: 85, limit: 100) == nil)
        clock.withLock { $0 = 30_000 }
        #expect(alarm.observe(depth: 85, limit: 100) == 80)
        #expect(alarm.observe(depth: 96, limit: 100) == 95)
    }

    /// Polls `condition` for up to 5 s (no fixed waits).
    private func poll(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            await Task.yield()
        }
        return condition()
    }
}
