import BusKit
import BusProtocol
import Foundation
import Glibc
import TradingModel

/// One producer PROCESS of the writer benchmark (`breakwater-bench writer-producer
/// INDEX COUNT BUS_PORT DIR`): connects, says ready, waits for the go file, appends
/// COUNT facts with BENCH_WRITER_INFLIGHT (32) in flight, and writes its timings to
/// `DIR/result-INDEX`: `start_ns end_ns acknowledged`, then one latency (ns) per line.
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
        let facts = (0..<count).map { WriterBenchFacts.fact(producer: index, index: $0) }
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

        @Sendable func append(_ fact: Fact) async -> Int64? {
            let start = ContinuousClock.now
            let ack = try? await bus.call(
                service: JournalAPI.service, type: JournalAPI.append, key: fact.account, body: JournalAppend(facts: [fact]),
                replyType: AppendAck.self, timeout: .seconds(60), attempts: 1)
            guard ack?.status == "committed" else { return nil }
            return (ContinuousClock.now - start).wholeNanoseconds
        }
        let startNanos = WallClock.nowNanos()
        let latencies = await withTaskGroup(of: Int64?.self) { group in
            var next = 0, latencies: [Int64?] = []
            latencies.reserveCapacity(count)
            while next < min(inflight, count) { let fact = facts[next]; group.addTask { await append(fact) }; next += 1 }
            for await latency in group {
                latencies.append(latency)
                if next < count { let fact = facts[next]; group.addTask { await append(fact) }; next += 1 }
            }
            return latencies
        }
        let endNanos = WallClock.nowNanos()
        let acknowledged = latencies.compactMap { $0 }
        let lines = ["\(startNanos) \(endNanos) \(acknowledged.count)"] + acknowledged.map(String.init)
        try lines.joined(separator: "\n").write(toFile: "\(directory)/result-\(index)", atomically: true, encoding: .utf8)
    }
}
