import BusKit
import Foundation
import GRDB
import Glibc

/// The writer section: BENCH_WRITER_PRODUCERS (4) producer PROCESSES append
/// BENCH_WRITER_FACTS (200,000) small facts over ZeroMQ through the real bus and
/// persistence-writer, once with one fact per `journal.append` (what risk-service sends:
/// one intent per order) and once with BENCH_WRITER_BATCH facts per append (32 unless
/// set; a set knob runs that batch alone). Then the SAME rows are inserted in-process
/// with prepared statements in batched transactions (the raw ceiling). Prints facts/s,
/// ack latency p50/p99, the ceiling and writer/raw for each run.
enum WriterBench {
    /// One run's figures.
    struct Run {
        var batch: Int
        var factsPerSecond: Int64
        var latencies: LatencySummary
        var acknowledged: Int
        var journaled: Int
    }

    /// Runs the section and prints its figures.
    static func run() async throws {
        let producers = BenchSupport.knob("BENCH_WRITER_PRODUCERS", 4)
        let perProducer = BenchSupport.knob("BENCH_WRITER_FACTS", 200_000) / producers
        let total = producers * perProducer
        let batches = ProcessInfo.processInfo.environment["BENCH_WRITER_BATCH"] == nil ? [1, 32] : [BenchSupport.knob("BENCH_WRITER_BATCH", 1)]
        var runs: [Run] = []
        for batch in batches {
            runs.append(try await measure(batch: batch, producers: producers, perProducer: perProducer))
        }
        let rawDirectory = NSTemporaryDirectory() + "breakwater-writer-raw-\(getpid())"
        try FileManager.default.createDirectory(atPath: rawDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: rawDirectory) }
        let raw = try WriterRawCeiling.measure(
            WriterBenchFacts.all(producers: producers, perProducer: perProducer), batch: 1_024, path: "\(rawDirectory)/raw.sqlite")
        let rawRate = BenchSupport.perSecond(total, raw)
        print("breakwater-bench: persistence-writer, \(producers) producer processes over ZeroMQ through the bus")
        print("machine: \(BenchSupport.machine)")
        print("facts: \(total) per run (order.intent; each projects an order and a reservation), appends in flight per producer: \(BenchSupport.knob("BENCH_WRITER_INFLIGHT", 32))")
        print("raw ceiling (same rows, in-process, prepared statements, 1024 per transaction): \(rawRate) facts/s")
        for run in runs {
            print("writer, \(run.batch) fact(s) per append: \(run.factsPerSecond) facts/s (writer/raw \(BenchSupport.percent(run.factsPerSecond, of: rawRate))), append ack latency \(run.latencies.line); acknowledged \(run.acknowledged), journaled \(run.journaled)")
        }
    }

    /// One run on a fresh bus, writer and database.
    private static func measure(batch: Int, producers: Int, perProducer: Int) async throws -> Run {
        let suite = try BenchSuite(busPort: 46_580, venuePort: 46_590, services: ["bus", "persistence-writer"], environment: [:])
        defer { suite.stop() }
        let data = suite.dataDirectory
        let children = try (0..<producers).map { index in
            try BenchSupport.launch(
                "breakwater-bench", arguments: [WriterBenchProducer.subcommand, "\(index)", "\(perProducer)", "\(suite.busPort)", data],
                environment: ["BENCH_WRITER_BATCH": "\(batch)"])
        }
        defer { BenchSupport.stop(children) }
        while (0..<producers).contains(where: { !FileManager.default.fileExists(atPath: "\(data)/ready-\($0)") }) {
            guard children.allSatisfy(\.isRunning) else { throw BenchFailure("a writer-bench producer died while warming up") }
            usleep(1_000)
        }
        _ = FileManager.default.createFile(atPath: "\(data)/go", contents: nil)
        for child in children { child.waitUntilExit() }

        let results = try (0..<producers).map { try ProducerResult(path: "\(data)/result-\($0)") }
        let elapsed = (results.map(\.endNanos).max() ?? 0) - (results.map(\.startNanos).min() ?? 0)
        let journaled = try await DatabaseQueue(path: suite.databasePath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal") ?? 0 }
        return Run(
            batch: batch, factsPerSecond: BenchSupport.perSecond(producers * perProducer, elapsed),
            latencies: LatencySummary(results.flatMap(\.latencies)), acknowledged: results.map(\.acknowledged).reduce(0, +),
            journaled: journaled)
    }
}

/// One producer's `result-INDEX` file.
struct ProducerResult {
    /// Wall-clock time of the producer's first send, unix ns.
    var startNanos: Int64
    /// Wall-clock time of its last ack, unix ns.
    var endNanos: Int64
    /// Facts acknowledged `committed`.
    var acknowledged: Int
    /// Send → ack latency of each acknowledged append, ns.
    var latencies: [Int64]

    /// Reads a producer's result file.
    init(path: String) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let head = lines.first?.split(separator: " ").compactMap { Int64($0) } ?? []
        guard head.count == 3 else { throw BenchFailure("\(path): no result header") }
        startNanos = head[0]
        endNanos = head[1]
        acknowledged = Int(head[2])
        latencies = lines.dropFirst().compactMap { Int64($0) }
    }
}

/// A benchmark that could not produce its figures.
struct BenchFailure: Error, CustomStringConvertible {
    /// What went wrong.
    var description: String
    /// Creates the failure.
    init(_ description: String) { self.description = description }
}
