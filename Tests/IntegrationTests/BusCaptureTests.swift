import BusKit
import Foundation
import Glibc
import Testing
import TestSupport
import TradingModel

/// Issue 16's capture test: tcpdump (Debian's, installed by `make deps`) on the loopback ports
/// of the bus while an order goes through the real suite. On the authenticated bus the capture
/// holds none of the order's text; the same capture of a plain-text bus (the control) does.
@Suite("a capture of the bus's traffic (tcpdump)", .serialized)
struct BusCaptureTests {
    /// tcpdump writing every packet of the bus's four ports on `lo` to a file, until stopped.
    final class Capture {
        let process = Process()
        let path: String
        let log: String

        init(suite: Suite) throws {
            path = suite.dataDirectory + "/bus-\(UUID().uuidString.prefix(6)).pcap"
            log = path + ".log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/tcpdump")
            process.arguments = ["-i", "lo", "--immediate-mode", "-U", "-w", path, "tcp portrange \(suite.busPort)-\(suite.busPort + 3)"]
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardError = handle
            process.standardOutput = handle
            try ChildLaunch.run(process)
        }

        /// Whether tcpdump has started capturing ("listening on lo").
        var isListening: Bool {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("listening on")
        }

        /// Whether the capture file holds `text` (packets are written in the order they were seen).
        func holds(_ text: String) -> Bool {
            ((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()).range(of: Data(text.utf8)) != nil
        }

        /// Stops tcpdump and returns the captured bytes. SIGKILL: a child of the test process
        /// inherits its blocked signal mask, so tcpdump never sees SIGINT or SIGTERM; with `-U`
        /// every packet is in the file as soon as it is captured, so nothing is lost.
        func stop() throws -> Data {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
    }

    static var tcpdumpMissing: Bool { !FileManager.default.isExecutableFile(atPath: "/usr/bin/tcpdump") }

    /// Captures the bus's traffic while `traffic` runs. The end: plain bytes sent to the bus's tap
    /// port after it; once the file holds them, it holds every packet of `traffic` too.
    static func capture(_ suite: Suite, _ traffic: () async throws -> Void) async throws -> Data {
        let capture = try Capture(suite: suite)
        var stopped = false
        defer { if !stopped { _ = try? capture.stop() } }  // a failed step leaves no tcpdump behind
        #expect(try await eventually(timeout: .seconds(10)) { capture.isListening }, "tcpdump never listened: run make deps (tcpdump), as root")
        try await traffic()
        let end = "capture-end-\(UUID().uuidString)"
        #expect(send(end, port: suite.busPort + 3))
        #expect(try await eventually(timeout: .seconds(10)) { capture.holds(end) }, "the capture never saw its end marker")
        stopped = true
        return try capture.stop()
    }

    /// Sends `text` over a plain TCP connection to 127.0.0.1:`port` (not ZMTP: the bus drops it).
    static func send(_ text: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard FreePorts.withLoopbackAddress(port: port, { connect(fd, $0, $1) }) == 0 else { return false }
        return text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) } == text.utf8.count
    }

    @Test("an order's traffic on the authenticated bus holds no order JSON in clear; on a plain-text bus it does")
    func noOrderInClear() async throws {
        #expect(!Self.tcpdumpMissing, "tcpdump is not installed: make deps installs it")
        guard !Self.tcpdumpMissing else { return }
        let marker = "capture-\(UUID().uuidString.prefix(12))"

        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady())
        let secure = try await Self.capture(suite) {
            let order = try await client.submit(OrderSubmit(
                clientOrderId: marker, account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!))
            #expect(order.state == .filled)
        }
        #expect(secure.count > 1_000, "the capture saw the order's packets")
        for clear in [marker, "order.submit", "client_order_id", "BTC/USDT"] {
            #expect(secure.range(of: Data(clear.utf8)) == nil, "'\(clear)' in clear on the authenticated bus")
        }

        // The control: the same capture sees a plain-text bus's requests.
        let plain = try Suite()
        defer { plain.tearDown() }
        plain.useInsecureBus()
        try plain.start(["bus"])
        let plainClient = try plain.client()
        defer { plainClient.close() }
        let seen = try await Self.capture(plain) {
            _ = try? await plainClient.bus.request(
                service: "order-gateway", type: "order.get", key: "acct-1",
                body: Data(#"{"account":"acct-1","client_order_id":"\#(marker)"}"#.utf8), timeout: .seconds(2), attempts: 1)
        }
        #expect(seen.range(of: Data(marker.utf8)) != nil, "the control: a plain-text bus's order request is readable")
    }
}
