import BusKit
import Foundation
import Glibc
import Logging
import ZeroMQ

/// Helpers of the writer section beside `BenchSuite` and `LatencySummary`: knobs, helper
/// processes, a client connection, integer rates and ratios (no floating point in Services/).
enum BenchSupport {
    /// An integer knob from the environment, or `fallback`.
    static func knob(_ name: String, _ fallback: Int) -> Int {
        Int(ProcessInfo.processInfo.environment[name] ?? "") ?? fallback
    }

    /// Starts `name` from the bench's directory with the bench's environment plus `environment`.
    static func launch(_ name: String, arguments: [String] = [], environment extra: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(BenchSuite.binDirectory)/\(name)")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        process.environment = environment
        try process.run()
        return process
    }

    /// SIGTERM to each child, newest first, and waits for it.
    static func stop(_ children: [Process]) {
        for child in children.reversed() where child.isRunning {
            child.terminate()
            child.waitUntilExit()
        }
    }

    /// A client connection to the bus at `busPort` (errors only in the log).
    static func client(busPort: Int, name: String) throws -> (ZMQContext, BusConnection) {
        var logger = Logger(label: name)
        logger.logLevel = .error
        let context = ZMQContext()
        let bus = try BusConnection(
            configuration: .init(endpoints: .init(host: "127.0.0.1", basePort: busPort), identity: "\(name)-\(getpid())"),
            context: context, logger: logger)
        bus.start()
        return (context, bus)
    }

    /// Events per second for `count` events in `nanos`.
    static func perSecond(_ count: Int, _ nanos: Int64) -> Int64 {
        nanos > 0 ? Int64(count) * 1_000_000_000 / nanos : 0
    }

    /// `part / whole` as a percentage with one decimal, e.g. `73.4 %`.
    static func percent(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "n/a" }
        let tenths = part * 1_000 / whole
        return "\(tenths / 10).\(tenths % 10) %"
    }

    /// The machine: core count and CPU model from /proc/cpuinfo, libzmq version.
    static var machine: String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(model)), libzmq \(ZMQContext.version)"
    }
}
