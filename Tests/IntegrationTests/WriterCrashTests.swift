import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel

/// kill -9 of the writer while producers stream: nothing acknowledged is lost or doubled.
@Suite("persistence-writer survives kill -9", .serialized, .timeLimit(.minutes(5)))
struct WriterCrashTests {
    static let producers = 4
    static let perProducer = 150

    /// The seed of the kill schedule: BW_TEST_SEED, or the clock (printed, to replay a failure).
    static func seed() -> UInt64 {
        if let raw = ProcessInfo.processInfo.environment["BW_TEST_SEED"], let seed = UInt64(raw) { return seed }
        return UInt64(Date().timeIntervalSince1970 * 1_000)
    }

    @Test("kill -9 at random points under 4 producers: every ack is in the database exactly once")
    func killNineUnderLoadLosesNoAcknowledgedAppend() async throws {
        let seed = Self.seed()
        print("WriterCrashTests seed: \(seed) (BW_TEST_SEED=\(seed) replays it)")
        var random = SeededRandom(seed: seed)
        let total = Self.producers * Self.perProducer
        let killPoints = (0..<3).map { _ in Int.random(in: 20..<(total - 20), using: &random) }.sorted()

        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus", "persistence-writer"])
        let log = AckLog()
        let clients = try (0..<Self.producers).map { _ in try suite.client() }
        defer { clients.forEach { $0.close() } }
        let deadline = ContinuousClock.now.advanced(by: .seconds(240))

        let producing = Task {
            await withTaskGroup(of: Int.self) { group in
                for (index, client) in clients.enumerated() {
                    let producer = JournalProducer(client: client, name: "p\(index)", log: log)
                    group.addTask { await producer.run(count: Self.perProducer, deadline: deadline) }
                }
                return await group.reduce(0, +)
            }
        }
        for point in killPoints {
            #expect(try await eventually(timeout: .seconds(120), every: .milliseconds(2)) { log.count >= point })
            suite.kill("persistence-writer")
            print("WriterCrashTests: kill -9 after \(log.count) acks (kill point \(point))")
            try suite.start("persistence-writer")
        }
        let acknowledged = await producing.value

        #expect(acknowledged == total)
        #expect(log.rejected.isEmpty, "\(log.rejected.prefix(3))")
        let journal = try JournalFile.seqs(suite.databasePath)
        let acks = log.snapshot
        #expect(acks.count == total)
        #expect(journal.count == total, "every fact once, no extra rows")
        let mismatched = acks.filter { journal[$0.key] != $0.value }
        #expect(mismatched.isEmpty, "acknowledged seqs missing or moved: \(mismatched.prefix(5))")
        #expect(try JournalFile.count(suite.databasePath, "orders") == total, "each intent projected once")
        #expect(try JournalFile.integrity(suite.databasePath) == "ok")
    }
}
