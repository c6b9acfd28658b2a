import Foundation

/// The peer figure from the same run: the same kind of market orders through
/// NautilusTrader's BacktestEngine with its RiskEngine on (`scripts/peer_nautilus.py`, run
/// by the Python of the virtual environment `make bench` prepares under `.build/`), and
/// the ratio of Breakwater's saturation figure (section `orders`) to it.
///
/// Not like for like, and printed as such: Nautilus runs in one process on a simulated
/// clock and makes nothing durable; every Breakwater order crosses six processes and is
/// committed to SQLite twice before its reply.
enum PeerBench {
    static func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["BENCH_PEER_PYTHON"], let script = environment["BENCH_PEER_SCRIPT"] else {
            print("— peer: skipped (BENCH_PEER_PYTHON / BENCH_PEER_SCRIPT unset; `make bench` sets them)")
            return
        }
        let orders = knob("BENCH_ORDERS", 2_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "\(orders)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("peer:") }) else {
            print("— peer: \(script) failed (exit \(process.terminationStatus)): \(text)")
            return
        }
        print("— \(line)")
        // "…, 2345 orders/s" → 2345.
        let words = line.split(separator: " ")
        guard let index = words.lastIndex(of: "orders/s"), index > 0, let theirs = Int64(words[index - 1]), theirs > 0 else { return }
        if let ours = OrderBench.saturationPerSecond.withLock({ $0 }) {
            print("Breakwater saturation / NautilusTrader: \(ours) / \(theirs) orders/s = \(BenchSupport.percent(ours, of: theirs))")
        } else {
            print("(run the `orders` section in the same run for the Breakwater / NautilusTrader ratio)")
        }
    }
}
