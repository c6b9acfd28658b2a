import BusKit
import BusProtocol
import Foundation
import Glibc
import Logging
import TradingModel
import ZeroMQ

// breakwater-bench: N market orders end to end through the real processes
// (bus → gateway → risk → writer → venue-sim → writer), C in flight at once.
// Prints orders/s and latency percentiles with the machine's core count: a figure, not a test.

let orders = Int(ProcessInfo.processInfo.environment["BENCH_ORDERS"] ?? "") ?? 2_000
let concurrency = Int(ProcessInfo.processInfo.environment["BENCH_CONCURRENCY"] ?? "") ?? 16
let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
let data = NSTemporaryDirectory() + "breakwater-bench-\(getpid())"
let busPort = 46_555, venuePort = 46_570
try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)

var children: [Process] = []
for name in ["bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler"] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "\(bin)/\(name)")
    var environment = ProcessInfo.processInfo.environment
    environment["BW_BUS_PORT"] = "\(busPort)"
    environment["BW_VENUE_PORT"] = "\(venuePort)"
    environment["BW_DB_PATH"] = "\(data)/breakwater.sqlite"
    environment["BW_LOG_LEVEL"] = "error"
    environment["BW_ACCOUNTS"] = "bench-1:USDT=1000000000;bench-2:USDT=1000000000;bench-3:USDT=1000000000;bench-4:USDT=1000000000"
    process.environment = environment
    try process.run()
    children.append(process)
}
defer {
    for child in children.reversed() { child.terminate(); child.waitUntilExit() }
    try? FileManager.default.removeItem(atPath: data)
}

var logger = Logger(label: "bench")
logger.logLevel = .error
let context = ZMQContext()
let bus = try BusConnection(configuration: .init(endpoints: .init(host: "127.0.0.1", basePort: busPort), identity: "bench-\(getpid())"), context: context, logger: logger)
bus.start()

func submit(_ index: Int) async -> (Duration, Bool) {
    let account = "bench-\(index % 4 + 1)"
    let body = OrderSubmit(clientOrderId: "bench-\(index)", account: account, symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!)
    let start = ContinuousClock.now
    let reply = try? await bus.call(service: "order-gateway", type: "order.submit", key: account, body: body, replyType: OrderReply.self, timeout: .seconds(30), attempts: 1)
    return (ContinuousClock.now - start, reply?.order.state == .filled)
}

// Warm up: wait until the gateway answers (it registers once it has market data).
_ = try? await bus.call(service: "order-gateway", type: "order.get", key: "bench-1", body: OrderRef(account: "bench-1", clientOrderId: "warmup"), replyType: OrderReply.self, timeout: .seconds(60), attempts: 1)

let started = ContinuousClock.now
let latencies = await withTaskGroup(of: (Duration, Bool).self) { group in
    var next = 0, results: [(Duration, Bool)] = []
    while next < min(concurrency, orders) { let i = next; group.addTask { await submit(i) }; next += 1 }
    for await result in group {
        results.append(result)
        if next < orders { let i = next; group.addTask { await submit(i) }; next += 1 }
    }
    return results
}
let elapsed = ContinuousClock.now - started
let filled = latencies.filter(\.1).count
let sorted = latencies.map { $0.0.wholeNanoseconds }.sorted()
func percentile(_ p: Int) -> String { String(format: "%.2f ms", Double(sorted[min(sorted.count - 1, sorted.count * p / 100)]) / 1e6) }
let seconds = Double(elapsed.wholeNanoseconds) / 1e9
print("breakwater-bench: end-to-end market orders through the real processes")
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, libzmq \(ZMQContext.version)")
print("orders: \(orders), concurrency: \(concurrency), filled: \(filled)")
print(String(format: "throughput: %.0f orders/s", Double(orders) / seconds))
print("latency p50: \(percentile(50)), p99: \(percentile(99))")
bus.stop()
context.terminate()
