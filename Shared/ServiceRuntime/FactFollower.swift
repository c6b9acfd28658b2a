import BusKit
import BusProtocol
import Logging
import Observability
import TradingModel

/// Follows the journal's committed facts in order, without ever missing one (P5).
///
/// Live facts come from the event plane (lossy); each carries its journal seq.
/// The follower remembers the last seq it applied; on start, on a gap (a seq that
/// skips ahead) and when the live stream goes quiet, it replays from the writer with
/// `journal.read` and then resumes live. Facts at or below the last seq are skipped,
/// so a replay overlapping the live stream applies nothing twice.
public actor FactFollower {
    private let bus: BusConnection
    private let logger: Logger
    private let pageSize: Int
    private let quietInterval: Duration
    public private(set) var lastSeq: Int64
    /// How many replays a gap (not the start) triggered.
    public private(set) var gapReplays = 0
    /// Set once the first catch-up finished; `/health` reports `catching_up` until then.
    private let caughtUp = ReadinessFlag()

    /// - Parameter bus: a connection subscribed to `JournalAPI.factTopic`.
    public init(bus: BusConnection, logger: Logger, fromSeq lastSeq: Int64 = 0, pageSize: Int = 1_000, quietInterval: Duration = .seconds(1)) {
        self.bus = bus
        self.logger = logger
        self.lastSeq = lastSeq
        self.pageSize = pageSize
        self.quietInterval = quietInterval
        let caughtUp = caughtUp
        ServiceHealth.shared.setCheck("facts") { caughtUp.isSet ? nil : "catching_up" }
    }

    /// Replays everything after `lastSeq` (returns once caught up with the writer).
    public func catchUp(_ apply: (JournalRecord) async -> Void) async throws(ServiceError) {
        while true {
            let page = try await bus.call(
                service: JournalAPI.service, type: JournalAPI.read, body: JournalRead(fromSeq: lastSeq + 1, limit: pageSize),
                replyType: JournalPage.self)
            for record in page.records where record.seq == lastSeq + 1 {
                await apply(record)
                lastSeq = record.seq
            }
            if page.records.isEmpty || lastSeq >= page.lastSeq {
                caughtUp.set()
                return
            }
        }
    }

    /// Applies one live fact; replays first if it reveals a gap.
    public func receive(_ message: Message, _ apply: (JournalRecord) async -> Void) async {
        guard let seq = message.header.seq, seq > lastSeq else { return }
        if seq > lastSeq + 1 {
            gapReplays += 1
            logger.info("facts.gap", metadata: ["last_seq": "\(lastSeq)", "seen_seq": "\(seq)"])
            try? await catchUp(apply)
            if seq <= lastSeq { return }
        }
        guard let record = try? message.decode(JournalRecord.self), record.seq == lastSeq + 1 else { return }
        // B5: applying a live fact is a span in the trace of the request that committed it.
        await withEventSpan(message.header.type, following: message.header) { await apply(record) }
        lastSeq = record.seq
    }

    /// Runs until the event stream ends: catch up, then live, replaying on gaps and
    /// whenever the stream has been quiet for `quietInterval` (a lost last fact).
    public func run(events: AsyncStream<Message>, _ apply: @escaping @Sendable (JournalRecord) async -> Void) async {
        while (try? await catchUp(apply)) == nil {
            if Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(200))
        }
        await withDiscardingTaskGroup { group in
            group.addTask { [quietInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: quietInterval)
                    try? await self.catchUp(apply)
                }
            }
            for await message in events where message.header.type.hasPrefix(JournalAPI.factTopic) || message.header.seq != nil {
                await receive(message, apply)
            }
            group.cancelAll()
        }
    }
}
