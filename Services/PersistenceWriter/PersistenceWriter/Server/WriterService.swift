import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import TradingModel
import ZeroMQ

/// The persistence-writer process: the only writer of the journal. Appends are
/// group-committed and acknowledged after commit; every committed fact is then
/// published on the event plane with its seq; reads and replays are served too.
public struct WriterService: Service {
    /// Settings of the writer process.
    public struct Configuration: Sendable {
        public var endpoints: BusEndpoints
        public var journal: JournalConfiguration
        /// Appends waiting for a commit before producers get OVERLOADED.
        public var queueLimit = 50_000
        /// Appends per transaction at most.
        public var maxBatch = 1_024

        public init(endpoints: BusEndpoints, journal: JournalConfiguration) {
            self.endpoints = endpoints
            self.journal = journal
        }
    }

    private let configuration: Configuration
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let directory = URL(fileURLWithPath: configuration.journal.path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try await WriterLock(path: configuration.journal.path + ".lock", logger: logger)
        let store = try JournalStore(configuration: configuration.journal)
        let context = ZMQContext()
        var busConfiguration = BusConnection.Configuration(
            endpoints: configuration.endpoints, identity: Settings.replicaIdentity(service: JournalAPI.service))
        busConfiguration.subscriptions = [SpanRecord.topic]
        let bus = try BusConnection(configuration: busConfiguration, context: context, logger: logger)
        // Committed facts are published from their own serial queue, in commit order,
        // so the writer's thread goes straight on to the next commit.
        let publisher = DispatchQueue(label: "journal-publisher")
        let batcher = AppendBatcher(
            limit: configuration.queueLimit, maxBatch: configuration.maxBatch,
            saturation: SaturationAlarm(name: "writer.append", logger: logger, now: { Int(WallClock.nowNanos() / 1_000_000) }),
            committing: { [logger, publisher] requests in
                Self.commit(requests, store: store, bus: bus, publisher: publisher, logger: logger)
            })
        let handler = WriterHandler(store: store, batcher: batcher, checksAppenders: configuration.endpoints.credentials != nil)
        bus.serve(service: JournalAPI.service)
        bus.start()
        logger.info("writer.ready", metadata: ["db": "\(configuration.journal.path)", "last_seq": "\((try? store.lastSeq()) ?? -1)"])
        await withDiscardingTaskGroup { group in
            group.addTask { [logger] in await SpanRecorder(store: store, logger: logger).run(events: bus.events) }
            await withGracefulShutdownHandler {
                await bus.handleRequests { message throws(ServiceError) in try await handler.handle(message) }
            } onGracefulShutdown: {
                bus.stopAccepting()
            }
            group.cancelAll()
        }
        // Every started append has been committed and acknowledged by now.
        _ = try? store.checkpoint()
        publisher.sync {}
        bus.stop()
        context.terminate()
        _ = consume lock
    }

    /// Commits one batch, then hands its facts to `publisher` to publish in seq order.
    /// A database failure rejects the whole batch as retryable: the senders resend
    /// (idempotent by id).
    static func commit(
        _ requests: [AppendRequest], store: JournalStore, bus: BusConnection, publisher: DispatchQueue, logger: Logger
    ) -> [AppendResult] {
        let results: [AppendResult]
        let payloads: [Int64: String]
        let started = ContinuousClock.now
        do {
            (results, payloads) = try store.appendProjecting(requests)
            OpsMetrics.writerCommitted(batch: requests.count, duration: ContinuousClock.now - started)
        } catch {
            logger.error("writer.commit.failed", metadata: ["error": "\(error)"])
            let failure = ServiceError(.unavailable, reason: "commit_failed", "the journal commit failed; retry", retryAfterMs: 100)
            return requests.map { _ in AppendResult(.rejected(failure)) }
        }
        let now = WallClock.nowNanos()
        publisher.async {
            for (request, result) in zip(requests, results) {
                guard case .committed(let seqs) = result.outcome else { continue }
                for (fact, seq) in zip(request.facts, seqs) {
                    var header = bus.makeHeader(type: JournalAPI.factTopic + fact.type, traceparent: request.trace)
                    header.seq = seq
                    let body = payloads[seq].map {
                        RecordJSON.body(seq: seq, fact: fact, payloadJSON: $0, partition: request.partition, epoch: request.epoch, ts: now)
                    } ?? WireCodec.encode(JournalRecord(seq: seq, fact: fact, partition: request.partition, epoch: request.epoch, ts: now))
                    bus.publish(topic: JournalAPI.factTopic + fact.type, header: header, body: body)
                }
            }
        }
        return results
    }
}
