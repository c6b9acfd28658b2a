import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel

/// S1 against the real suite: a canary secret planted in the configuration and in
/// message bodies and headers appears in no log file, no tap output, no database byte.
@Suite("secrets never leak", .serialized)
struct SecretCanaryTests {
    @Test("a canary secret in env, bodies and headers reaches no log, no tap line, no database row")
    func canary() async throws {
        let canary = "CANARY-\(UUID().uuidString.prefix(8))-7f3a9"
        let suite = try Suite()
        defer { suite.tearDown() }
        // Trace level: every request body is logged, so only the redaction keeps the canary out.
        suite.environment = ["BW_VENUE_API_SECRET": canary + "-cfg", "BW_LOG_LEVEL": "trace"]
        try suite.start()
        let tap = try TapProcess(suite: suite, arguments: [])
        defer { tap.stop() }
        let client = try suite.client()
        defer { client.close() }

        let body = #"{"client_order_id":"canary-1","account":"acct-1","symbol":"BTC/USDT","side":"buy","type":"market","qty":"0.01","#
            + #""api_key":"\#(canary)-body","note":"password=\#(canary)-note"}"#
        let accepted = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            guard let reply = try? await client.bus.request(
                service: "order-gateway", type: "order.submit", key: "acct-1", body: Data(body.utf8), timeout: .seconds(5), attempts: 1)
            else { return false }
            return !reply.header.isError
        }
        #expect(accepted)
        // A header carrying a secret-looking key: the bus taps it, the gateway logs it.
        var header = client.bus.makeHeader(type: "order.get", service: "order-gateway", key: "token=\(canary)-hdr")
        header.deadline = WallClock.nowNanos() + 5_000_000_000
        _ = try? await client.bus.send(
            header: header, body: Data(#"{"account":"acct-1","client_order_id":"canary-1","secret":"\#(canary)-get"}"#.utf8),
            timeout: .seconds(5), attempts: 1)
        #expect(try await eventually { tap.output().contains("order.submit") && tap.output().contains("order.get") })

        suite.stop()
        tap.stop()
        let logs = try Self.expectNoLeak(of: canary, suite: suite, tap: tap, files: ["breakwater.sqlite"])
        // The canary was there to leak: the gateway's trace log shows the masked body.
        #expect(logs.values.contains { $0.contains("[REDACTED]") })
        #expect(tap.output().contains("[REDACTED]"))
    }

    /// Expects `canary` in no log file, no tap line and no data file whose name starts with
    /// one of `files`; returns the logs.
    @discardableResult
    static func expectNoLeak(of canary: String, suite: Suite, tap: TapProcess, files: [String]) throws -> [String: String] {
        let logs = suite.allLogs()
        #expect(!logs.isEmpty)
        for (file, text) in logs {
            #expect(!text.contains(canary), "the canary leaked into \(file)")
        }
        #expect(!tap.output().contains(canary), "the canary leaked into the tap")
        for file in try FileManager.default.contentsOfDirectory(atPath: suite.dataDirectory) where files.contains(where: file.hasPrefix) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: suite.dataDirectory + "/" + file))
            #expect(bytes.range(of: Data(canary.utf8)) == nil, "the canary is in \(file)")
        }
        return logs
    }
}

extension SecretCanaryTests {
    @Test("the Binance key and secret (key file, venue-sim's credentials) reach no log, no tap line, no database row")
    func binanceCanary() async throws {
        let canary = "CANARY-\(UUID().uuidString.prefix(8))-b1n4"
        let suite = try Suite()
        defer { suite.tearDown() }
        try VenueFront.binance.configure(suite, key: canary + "-apikey", secret: canary + "-secret")
        suite.environment["BW_LOG_LEVEL"] = "trace"
        try suite.start()
        let tap = try TapProcess(suite: suite, arguments: [])
        defer { tap.stop() }
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady(accounts: VenueFront.binance.accounts))
        let order = try await client.submit(OrderSubmit(
            clientOrderId: "canary-binance-1", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!))
        #expect(order.venueOrderId != nil)
        suite.stop()
        tap.stop()
        let logs = try Self.expectNoLeak(of: canary, suite: suite, tap: tap, files: ["breakwater.sqlite", "venue-book"])
        #expect(logs.keys.contains { $0.contains("venue-sim") } && logs.keys.contains { $0.contains("order-gateway") })
    }
}

/// `tradectl tap` running against a suite, its output captured in a file.
final class TapProcess: @unchecked Sendable {
    private let process = Process()
    private let outputPath: String

    init(suite: Suite, arguments: [String]) throws {
        outputPath = suite.dataDirectory + "/tap-\(UUID().uuidString.prefix(6)).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/tradectl")
        process.arguments = ["tap", "--bus-port", "\(suite.busPort)", "--key-file", suite.keyFile("operator")] + arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = handle
        process.standardError = handle
        try ChildLaunch.run(process)
    }

    /// What the tap printed so far.
    func output() -> String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Whether the tap exited by itself (after --count lines or --idle-seconds).
    var hasExited: Bool { !process.isRunning }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
