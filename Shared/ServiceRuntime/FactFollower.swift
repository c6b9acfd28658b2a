import BusKit
import BusProtocol
import Logging
import Observability
import Synchronization
import TradingModel

/// Where a follower replays the journal from: the writer over the bus (`BusConnection`),
/// or a fixed list in a unit test of the follower alone.
public protocol JournalPageSource: Sendable {
    /// One page of committed records from `fromSeq` on (`journal.read`).
    func readJournal(fromSeq: Int64, limit: Int) async throws(ServiceError) -> JournalPage
}

extension BusConnection: JournalPageSource {
    /// `journal.read` at the writer.
    public func readJournal(fromSeq: Int64, limit: Int) async throws(ServiceError) -> JournalPage {
        try await call(
            service: JournalAPI.service, type: JournalAPI.read, body: JournalRead(fromSeq: fromSeq, limit: limit),
            replyType: JournalPage.self)
    }
}

/// Follows the journal's committed facts in order, without ever missing one or applying
/// one twice.
///
/// Live facts come from the event plane (lossy); each carries its journal seq.
/// The follower remembers the last seq it applied; on start, on a gap (a seq that
/// skips ahead) and when the live stream goes quiet, it replays from the writer with
/// `journal.read` and then resumes live. Facts at or below the last seq are skipped,
/// so a replay overlapping the live stream applies nothing twice.
///
/// Applying is exclusive: a replay and a live fact never interleave. `apply` suspends
/// (it awaits an actor), and an actor method is re-entered at every suspension, so
/// without the gate a replay started meanwhile read the old `lastSeq` and applied the
/// same record again, and the live fact then moved `lastSeq` backwards.
public actor FactFollower {
    private let source: any JournalPageSource
    private let logger: Logger
    private let pageSize: Int
    private let quietInterval: Duration
    public private(set) var lastSeq: Int64
    /// How many replays a gap (not the start) triggered.
    public private(set) var gapReplays = 0
    /// Whether a replay or a live fact is being applied; others wait in `waiters`, in order.
    private var applying = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Where the first catch-up stands; `/health` reports it until it is done.
    private let progress: CatchUpProgress

    /// - Parameter source: the writer (a `BusConnection` subscribed to `JournalAPI.factTopic`).
    public init(
        source: some JournalPageSource, logger: Logger, fromSeq lastSeq: Int64 = 0, pageSize: Int = 1_000,
        quietInterval: Duration = .seconds(1), health: ServiceHealth = .shared
    ) {
        self.source = source
        self.logger = logger
        self.lastSeq = lastSeq
        self.pageSize = pageSize
        self.quietInterval = quietInterval
        let progress = CatchUpProgress(appliedSeq: lastSeq)
        self.progress = progress
        health.setCheck("facts") { progress.problem }
    }

    /// A follower of the writer on `bus`.
    public init(bus: BusConnection, logger: Logger, fromSeq lastSeq: Int64 = 0, pageSize: Int = 1_000, quietInterval: Duration = .seconds(1)) {
        self.init(source: bus, logger: logger, fromSeq: lastSeq, pageSize: pageSize, quietInterval: quietInterval)
    }

    /// Replays everything after `lastSeq` (returns once caught up with the writer).
    /// A read that keeps failing (e.g. no writer, `reply_too_large`) shows on `/health` with
    /// the progress, and is logged once per kind of failure, not on every retry.
    public func catchUp(_ apply: (JournalRecord) async -> Void) async throws(ServiceError) {
        await acquire()
        defer { release() }
        do {
            try await replay(apply)
        } catch {
            if progress.failed(error) {
                logger.error("facts.catch_up.failed", metadata: ["last_seq": "\(lastSeq)", "error": "\(error)"])
            }
            throw error
        }
    }

    /// Applies one live fact; replays first if it reveals a gap.
    public func receive(_ message: Message, _ apply: (JournalRecord) async -> Void) async {
        guard let seq = message.header.seq, seq > lastSeq else { return }
        await acquire()
        defer { release() }
        guard seq > lastSeq else { return }  // a replay applied it while this one waited
        if seq > lastSeq + 1 {
            gapReplays += 1
            logger.info("facts.gap", metadata: ["last_seq": "\(lastSeq)", "seen_seq": "\(seq)"])
            try? await replay(apply)
            if seq <= lastSeq { return }
        }
        guard let record = try? message.decode(JournalRecord.self), record.seq == lastSeq + 1 else { return }
        // Applying a live fact is a span in the trace of the request that committed it.
        await withEventSpan(message.header.type, following: message.header) { await apply(record) }
        lastSeq = record.seq
        progress.applied(lastSeq)
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

    /// The replay itself; the caller holds the gate.
    private func replay(_ apply: (JournalRecord) async -> Void) async throws(ServiceError) {
        while true {
            let page = try await source.readJournal(fromSeq: lastSeq + 1, limit: pageSize)
            progress.target(page.lastSeq)
            for record in page.records where record.seq == lastSeq + 1 {
                await apply(record)
                lastSeq = record.seq
            }
            progress.applied(lastSeq)
            if page.records.isEmpty || lastSeq >= page.lastSeq {
                progress.caughtUp()
                return
            }
        }
    }

    private func acquire() async {
        guard applying else {
            applying = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }  // `release` hands the gate over
    }

    private func release() {
        if waiters.isEmpty {
            applying = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// How far a follower's first catch-up has come, readable by `/health` without awaiting.
final class CatchUpProgress: Sendable {
    private struct State {
        var applied: Int64
        var target: Int64?
        var done = false
        var lastError: String?
    }

    private let state: Mutex<State>

    init(appliedSeq: Int64) {
        state = Mutex(State(applied: appliedSeq))
    }

    /// Nil once caught up; else `catching_up` with the seqs (and the last failure, if any).
    var problem: String? {
        state.withLock { state in
            if state.done { return nil }
            var text = "catching_up: applied seq \(state.applied)"
            if let target = state.target { text += " of \(target)" }
            if let error = state.lastError { text += "; last read failed: \(error)" }
            return text
        }
    }

    func applied(_ seq: Int64) { state.withLock { $0.applied = seq } }
    func target(_ seq: Int64) { state.withLock { $0.target = max($0.target ?? 0, seq) } }
    func caughtUp() { state.withLock { $0.done = true; $0.lastError = nil } }

    /// Records a failed read; true when it differs from the previous one (worth a log line).
    func failed(_ error: ServiceError) -> Bool {
        let text = "\(error.code.rawValue) \(error.reason)"
        return state.withLock { state in
            defer { state.lastError = text }
            return state.lastError != text
        }
    }
}
