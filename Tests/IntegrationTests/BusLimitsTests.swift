import BusKit
import BusProtocol
import Foundation
import Glibc
import Testing
import TestSupport
import ZeroMQ

/// Issue 16, step 5, against the real bus: a key over its request rate is answered
/// `RATE_LIMITED` while services are never limited; a flood of unknown keys is throttled per
/// address (counted, not logged per attempt) while a known key still gets in and is served;
/// a connection that never finishes its handshake is dropped after BW_BUS_HANDSHAKE_TIMEOUT_MS.
@Suite("the bus's limits for unauthenticated and abusive load", .serialized)
struct BusLimitsTests {
    /// "ok", the error's "CODE/reason", or "no reply" for one `bus.status`.
    static func status(_ client: SuiteClientConnection, timeout: Duration = .seconds(5)) async -> (outcome: String, error: ServiceError?) {
        do {
            let reply = try await client.bus.request(service: BusCommand.service, type: BusCommand.status, body: Data("{}".utf8), timeout: timeout, attempts: 1)
            guard reply.header.isError else { return ("ok", nil) }
            let error = reply.errorBody()
            return ("\(error.code.rawValue)/\(error.reason)", error)
        } catch {
            return ("no reply", nil)
        }
    }

    @Test("a client key past its rate gets RATE_LIMITED/peer_rate_limit with retry_after_ms; a service key is never limited")
    func perKeyRequestRate() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let added = try TradectlProcess.run(["keys", "add-client", "--dir", suite.keysDirectory, "--name", "strategy-1", "--accounts", "acct-1"])
        #expect(added.status == 0, "\(added.stderr)")
        suite.serviceEnvironment["bus"] = ["BW_BUS_PEER_RATE_PER_SEC": "1", "BW_BUS_PEER_RATE_BURST": "3"]
        try suite.start(["bus"])
        let service = try suite.client()  // test-service: a service key
        defer { service.close() }
        #expect(try await eventually(timeout: .seconds(30)) { await Self.status(service).outcome == "ok" })

        let strategy = try suite.client(as: "strategy-1")
        defer { strategy.close() }
        var outcomes: [String] = []
        var limited: ServiceError?
        for _ in 0..<20 where limited == nil {
            let (outcome, error) = await Self.status(strategy, timeout: .seconds(10))
            outcomes.append(outcome)
            if error?.code == .rateLimited { limited = error }
        }
        #expect(outcomes.prefix(3).allSatisfy { $0 == "ok" }, "\(outcomes)")
        #expect(limited?.reason == "peer_rate_limit", "\(outcomes)")
        #expect(limited?.retryable == true && (1...1_000).contains(limited?.retryAfterMs ?? 0), "\(String(describing: limited))")

        var serviceOutcomes: [String] = []
        for _ in 0..<50 { serviceOutcomes.append(await Self.status(service).outcome) }
        #expect(serviceOutcomes.allSatisfy { $0 == "ok" }, "\(serviceOutcomes)")
    }

    static func metric(_ port: Int, _ name: String) async -> Int {
        guard let metrics = await HTTPProbe.get(port: port, path: "/metrics") else { return -1 }
        return HTTPProbe.sample(metrics.body, metric: name) ?? 0
    }

    @Test("a flood of unknown keys from one address is throttled (counted, logged once), while known keys get in and are served")
    func handshakeFloodIsThrottled() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let busHTTP = FreePorts.block(of: 1)
        suite.serviceEnvironment["bus"] = [
            "BW_HTTP_PORT": "\(busHTTP)", "BW_BUS_HANDSHAKE_REFUSALS_PER_SEC": "1", "BW_BUS_HANDSHAKE_REFUSALS_BURST": "3",
        ]
        let started = ContinuousClock.now
        try suite.start(["bus"])
        let before = try suite.client()
        defer { before.close() }
        #expect(try await eventually(timeout: .seconds(30)) { await Self.status(before).outcome == "ok" })

        // Strangers: CURVE clients with keys the bus does not list, each retrying its handshake.
        let serverKey = try suite.credentials("operator").serverKey
        let context = ZMQContext()
        var strangers: [ZMQSocket] = []
        defer {
            for socket in strangers { socket.close() }
            context.terminate()
        }
        for _ in 0..<20 {
            let key = try CurveKeyPair.generate()
            let socket = try ZMQSocket(context: context, type: .dealer, options: [
                .lingerMs(0), .reconnectIntervalMs(50),
                .curveClient(publicKey: key.publicKey, secretKey: key.secretKey, serverKey: serverKey),
            ])
            try socket.connect("tcp://127.0.0.1:\(suite.busPort)")
            strangers.append(socket)
        }
        #expect(try await eventually(timeout: .seconds(30)) { await Self.metric(busHTTP, "bw_bus_handshakes_throttled_total") >= 1 })

        // During the flood: the connection already in is served, and a known key from the same
        // (throttled) address still gets in.
        for _ in 0..<5 { #expect(await Self.status(before).outcome == "ok") }
        let during = try suite.client(as: "operator")
        defer { during.close() }
        #expect(await Self.status(during, timeout: .seconds(10)).outcome == "ok")

        let log = suite.log("bus")
        let logged = log.components(separatedBy: "bus.handshake.refused").count - 1
        let refused = await Self.metric(busHTTP, "bw_bus_handshakes_refused_total")
        let seconds = Int((ContinuousClock.now - started).components.seconds) + 1
        #expect(log.contains("bus.handshake.throttled") && log.contains("127.0.0.1"))
        #expect(logged >= 1 && logged <= 3 + seconds, "\(logged) refusals logged in \(seconds) s")
        #expect(refused > logged, "\(refused) refused, \(logged) logged")
    }

    @Test("a connection that never finishes its handshake is dropped after BW_BUS_HANDSHAKE_TIMEOUT_MS")
    func silentConnectionIsDropped() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        suite.serviceEnvironment["bus"] = ["BW_BUS_HANDSHAKE_TIMEOUT_MS": "500"]
        try suite.start(["bus"])
        let client = try suite.client()
        defer { client.close() }
        #expect(try await eventually(timeout: .seconds(30)) { await Self.status(client).outcome == "ok" })

        // A raw TCP connection that says nothing: the bus sends its greeting, then must hang up
        // (libzmq's default would hold it, and its descriptor, for 30 s).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(FreePorts.withLoopbackAddress(port: suite.busPort) { connect(fd, $0, $1) } == 0)
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let clock = ContinuousClock()
        let start = clock.now
        var buffer = [UInt8](repeating: 0, count: 512)
        let capacity = buffer.count
        var hungUp = false
        while true {
            let count = recv(fd, &buffer, capacity, 0)
            if count == 0 { hungUp = true }
            if count <= 0 { break }
        }
        let waited = clock.now - start
        #expect(hungUp && waited < .seconds(10), "hung up: \(hungUp) after \(waited)")
    }
}
