import BusKit
import BusProtocol
import Foundation
import Glibc

/// The real suite for a benchmark: the release executables next to this binary, on
/// fixed bench ports with a temporary data directory, stopped (SIGTERM) at the end.
final class BenchSuite {
    static let defaultServices = ["bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler"]
    let busPort: Int
    let venuePort: Int
    let dataDirectory: String
    private var children: [Process] = []
    /// On an authenticated bus: the bench's own key (`bench`, role `service:bench-echo`: a
    /// service's key is not rate-limited, and it may register the echo worker). Nil: plain text.
    let credentials: BusCredentials?

    var endpoints: BusEndpoints {
        var endpoints = BusEndpoints(host: "127.0.0.1", basePort: busPort)
        endpoints.credentials = credentials
        return endpoints
    }
    var databasePath: String { dataDirectory + "/breakwater.sqlite" }

    /// The directory holding this binary and the suite's executables.
    static var binDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The suite on a plain-text bus, or with `secure` on the authenticated bus with a key set
    /// made as `tradectl up` makes it (CURVE on the bus and venue-sim, roles, the writer's rights).
    init(
        busPort: Int = 46_555, venuePort: Int = 46_570, services: [String] = defaultServices, secure: Bool = false,
        environment extra: [String: String]
    ) throws {
        self.busPort = busPort
        self.venuePort = venuePort
        dataDirectory = NSTemporaryDirectory() + "breakwater-bench-\(getpid())-\(busPort)"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let keys = dataDirectory + "/keys"
        if secure {
            try BusKeySet.make(in: keys, extra: [("bench", Sender.servicePrefix + Self.echoService)])
            credentials = try BusKeyFile.load(path: keys + "/bench.key").credentials()
        } else {
            credentials = nil
        }
        for name in services {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "\(Self.binDirectory)/\(name)")
            var environment = ProcessInfo.processInfo.environment
            environment["BW_BUS_PORT"] = "\(busPort)"
            environment["BW_VENUE_PORT"] = "\(venuePort)"
            environment["BW_DB_PATH"] = databasePath
            // The venue keeps its book on disk as under `tradectl up`: its replies wait for that save.
            environment["BW_VENUE_STATE_PATH"] = dataDirectory + "/venue-book.json"
            environment["BW_LOG_LEVEL"] = "error"
            // The figures of docs/benchmarks.md are of the plain-text bus, but for the `curve` section's.
            environment.merge(secure ? BusKeySet.environment(for: name, in: keys) : ["BW_INSECURE_BUS": "true"]) { _, new in new }
            environment.merge(extra) { _, new in new }
            process.environment = environment
            try process.run()
            children.append(process)
        }
    }

    /// The service of the bench's in-process echo worker (the transport's baseline).
    static let echoService = "bench-echo"

    func stop() {
        for child in children.reversed() {
            child.terminate()
            child.waitUntilExit()
        }
        children = []
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

/// Latency figures without floating point: nanoseconds in, "12.34 ms" out.
struct LatencySummary {
    let sortedNanos: [Int64]

    init(_ samples: [Int64]) { sortedNanos = samples.sorted() }

    /// The value at `perMille` (500 = p50, 999 = p99.9).
    func at(perMille: Int) -> Int64 {
        guard !sortedNanos.isEmpty else { return 0 }
        return sortedNanos[min(sortedNanos.count - 1, sortedNanos.count * perMille / 1000)]
    }

    var line: String {
        "p50 \(Self.milliseconds(at(perMille: 500))), p99 \(Self.milliseconds(at(perMille: 990))), p99.9 \(Self.milliseconds(at(perMille: 999)))"
    }

    static func milliseconds(_ nanos: Int64) -> String {
        let hundredths = (nanos + 5_000) / 10_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) ms"
    }

    /// `count` events over `elapsed` as "1234 /s".
    static func rate(_ count: Int, over elapsed: Duration) -> String {
        let nanos = max(elapsed.wholeNanoseconds, 1)
        return "\(Int64(count) * 1_000_000_000 / nanos) /s"
    }
}

/// An integer knob from the environment.
func knob(_ name: String, _ fallback: Int) -> Int {
    Int(ProcessInfo.processInfo.environment[name] ?? "") ?? fallback
}
