import BusKit
import BusProtocol
import Foundation
import Glibc
import TradingModel

/// One producer PROCESS of the writer benchmark (`breakwater-bench writer-producer
/// INDEX COUNT BUS_PORT DIR`): connects, says ready, waits for the go file, appends
/// COUNT facts, BENCH_WRITER_BATCH (1) per `journal.append`, with BENCH_WRITER_INFLIGHT
/// (32) appends in flight, and writes its timings to `DIR/result-INDEX`:
/// `start_ns end_ns acknowledged_facts`, then one append latency (ns) per line.
enum WriterBenchProducer {
    /// The subcommand that runs a producer.
    static let subcommand = "writer-producer"

    /// Runs one producer with its command-line arguments (after the subcommand).
    static func run(_ arguments: [String]) async throws {
        guard arguments.count == 4, let index = Int(arguments[0]), let count = Int(arguments[1]), let busPort = Int(arguments[2]) else {
            FileHandle.standardError.write(Data("usage: breakwater-bench \(subcommand) INDEX COUNT BUS_PORT DIR\n".utf8))
            exit(2)
        }
        let directory = arguments[3]
        let inflight = BenchSupport.knob("BENCH_WRITER_INFLIGHT", 32)
        let batch = max(1, BenchSupport.knob("BENCH_WRITER_BATCH", 1))
        let appends = stride(from: 0, to: count, by: batch).map { first in
            (first..<min(first + batch, count)).map { WriterBenchFacts.fact(producer: index, index: $0) }
        }
        let (context, bus) = try BenchSupport.client(busPort: busPort, name: "writer-producer-\(index)")
        defer {
            bus.stop()
            context.terminate()
        }
        // Warm up: the writer answers a read once it is registered.
        while (try? await bus.call(
            service: JournalAPI.service, type: JournalAPI.read, body: JournalRead(fromSeq: 1, limit: 1),
            replyType: JournalPage.self, timeout: .seconds(1), attempts: 1)) == nil {}
        _ = FileManager.default.createFile(atPath: "\(directory)/ready-\(index)", contents: nil)
        while !FileManager.default.fileExists(atPath: "\(directory)/go") { usleep(500) }

        /// The append's latency and fact count once committed; nil otherwise.
        @Sendable func append(_ facts: [Fact]) async -> (nanos: Int64, facts: Int)? {
            let start = ContinuousClock.now
            let ack = try? await bus.call(
                service: JournalAPI.service, type: JournalAPI.append, key: facts[0].account, body: JournalAppend(facts: facts),
                replyType: AppendAck.self, timeout: .seconds(60), attempts: 1)
            guard ack?.status == "committed" else { return nil }
            return ((ContinuousClock.now - start).wholeNanoseconds, facts.count)
        }
        let startNanos = WallClock.nowNanos()
        let results = await withTaskGroup(of: (nanos: Int64, facts: Int)?.self) { group in
            var next = 0, results: [(nanos: Int64, facts: Int)?] = []
            results.reserveCapacity(appends.count)
            while next < min(inflight, appends.count) { let facts = appends[next]; group.addTask { await append(facts) }; next += 1 }
            for await result in group {
                results.append(result)
                if next < appends.count { let facts = appends[next]; group.addTask { await append(facts) }; next += 1 }
            }
            return results
        }
        let endNanos = WallClock.nowNanos()
        let acknowledged = results.compactMap { $0 }
        let factCount = acknowledged.map(\.facts).reduce(0, +)
        let lines = ["\(startNanos) \(endNanos) \(factCount)"] + acknowledged.map { String($0.nanos) }
        try lines.joined(separator: "\n").write(toFile: "\(directory)/result-\(index)", atomically: true, encoding: .utf8)
    }
}
