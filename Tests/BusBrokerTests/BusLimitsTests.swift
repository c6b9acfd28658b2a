@testable import BusKit
import BusProtocol
import Foundation
import ServiceRuntime
import Testing
@testable import BusBroker

/// Issue 16 step 5: the per-key request rate (one bucket per authenticated name, services
/// exempt) and the handshake budget per address, on an injected clock; and their settings.
@Suite("the bus's limits: per-key request rate, handshake budget, their settings")
struct BusLimitsTests {
    static let client = BusPolicy.Caller.peer(name: "strategy-1", .client(accounts: ["acct-1"]))
    static let other = BusPolicy.Caller.peer(name: "strategy-2", .client(accounts: ["acct-2"]))
    static let gateway = BusPolicy.Caller.peer(name: "order-gateway", .service("order-gateway"))
    static let second: Int64 = 1_000_000_000

    @Test("a key gets its burst, then RATE_LIMITED/peer_rate_limit with retry_after_ms; other keys, services and a plain bus are not limited")
    func perKeyRate() throws {
        var limits = BusLimits()
        limits.peerRequestsPerSecond = 2
        limits.peerRequestBurst = 3
        var rates = PeerRateLimits(limits)
        let burst = (0..<3).map { _ in rates.refusal(Self.client, nowNanos: 0) }
        #expect(burst == [nil, nil, nil])
        let over = rates.refusal(Self.client, nowNanos: 0)
        let refused = try #require(over)
        #expect(refused.code == .rateLimited && refused.reason == "peer_rate_limit" && refused.retryAfterMs == 500)
        #expect(refused.code.isRetryable)
        let other = rates.refusal(Self.other, nowNanos: 0)
        let unlisted = rates.refusal(.unlisted(name: "gone"), nowNanos: 0)  // counted under its name too
        #expect(other == nil && unlisted == nil)
        var exempt = 0
        for _ in 0..<1_000 where rates.refusal(Self.gateway, nowNanos: 0) == nil && rates.refusal(.anyone, nowNanos: 0) == nil { exempt += 1 }
        #expect(exempt == 1_000)
        let refilled = rates.refusal(Self.client, nowNanos: Self.second / 2)
        #expect(refilled == nil)  // a token refilled
    }

    @Test("the broker answers a key over its rate with RATE_LIMITED to the request's id, before routing it")
    func brokerLimits() throws {
        var limits = BusLimits()
        limits.peerRequestsPerSecond = 1
        limits.peerRequestBurst = 1
        let broker = Broker(partitioner: Partitioner(count: 64), heartbeatIntervalMs: 1_000, liveness: 3, startMs: 1, ids: SystemIDGenerator(), limits: limits)
        func status(_ id: String) -> [Data] {
            [Data("peer".utf8), Data(), WireCodec.encode(Header(id: id, type: BusCommand.status, service: "bus", ts: 1)), Data("{}".utf8)]
        }
        func reply(_ outgoing: [Broker.Outgoing]) throws -> (header: Header, error: ServiceError?) {
            let frames = try #require(outgoing.first?.frames)
            let header = try WireCodec.decode(Header.self, from: frames[2])
            return (header, header.type == MessageType.error ? try WireCodec.decode(ServiceError.self, from: frames[3]) : nil)
        }
        #expect(try reply(broker.handle(status("s-1"), nowMs: 0, caller: Self.client)).error == nil)
        let limited = try reply(broker.handle(status("s-2"), nowMs: 0, caller: Self.client))
        #expect(limited.header.replyTo == "s-2" && limited.error?.code == .rateLimited && limited.error?.retryAfterMs == 1_000)
        #expect(try reply(broker.handle(status("s-3"), nowMs: 1_000, caller: Self.client)).error == nil)
    }

    @Test("refused handshakes are logged within an address's budget, then only counted; the flood is announced once; known keys are never its business")
    func handshakeBudget() {
        let budget = HandshakeBudget(perSecond: 1, burst: 2)
        #expect(budget.spend(address: "10.0.0.1", nowNanos: 0) == .withinBudget)
        #expect(budget.spend(address: "10.0.0.1", nowNanos: 0) == .withinBudget)
        #expect(budget.spend(address: "10.0.0.1", nowNanos: 0) == .overBudget(first: true))
        #expect(budget.spend(address: "10.0.0.1", nowNanos: 0) == .overBudget(first: false))
        #expect(budget.spend(address: "10.0.0.2", nowNanos: 0) == .withinBudget)  // another address has its own
        #expect(budget.spend(address: "10.0.0.1", nowNanos: Self.second) == .withinBudget)
        #expect(budget.spend(address: "10.0.0.1", nowNanos: Self.second) == .overBudget(first: true))
    }

    @Test("many addresses together are bounded by the shared budget")
    func handshakeBudgetAcrossAddresses() {
        let budget = HandshakeBudget(perSecond: 1, burst: 1)
        let outcomes = (0..<100).map { budget.spend(address: "10.0.1.\($0)", nowNanos: 0) }
        #expect(outcomes.filter { $0 == .withinBudget }.count == Int(HandshakeBudget.sharedFactor))
    }

    static func plain(_ values: [String: String]) -> Settings {
        Settings(values.merging(["BW_INSECURE_BUS": "true"]) { mine, _ in mine })
    }

    @Test("the bus's settings: documented defaults, each limit read")
    func settings() throws {
        let defaults = try BusServer.Configuration(settings: Self.plain([:]))
        #expect(defaults.limits == BusLimits())
        #expect(defaults.limits.peerRequestsPerSecond == 1_000 && defaults.limits.peerRequestBurst == 2_000)
        #expect(defaults.limits.handshakeRefusalsPerSecond == 5 && defaults.limits.handshakeRefusalBurst == 20)
        #expect(defaults.limits.handshakeTimeoutMs == 10_000 && defaults.heartbeatIntervalMs == 1_000 && defaults.security == nil)
        let set = try BusServer.Configuration(settings: Self.plain([
            "BW_BUS_PEER_RATE_PER_SEC": "7", "BW_BUS_PEER_RATE_BURST": "9", "BW_BUS_HANDSHAKE_REFUSALS_PER_SEC": "2",
            "BW_BUS_HANDSHAKE_REFUSALS_BURST": "4", "BW_BUS_HANDSHAKE_TIMEOUT_MS": "500", "BW_BUS_PORT": "6000",
        ]))
        #expect(set.limits.peerRequestsPerSecond == 7 && set.limits.peerRequestBurst == 9)
        #expect(set.limits.handshakeRefusalsPerSecond == 2 && set.limits.handshakeRefusalBurst == 4 && set.limits.handshakeTimeoutMs == 500)
        #expect(set.endpoints.rpc == "tcp://127.0.0.1:6000")
    }

    @Test("a limit out of range stops the bus, naming the setting", arguments: [
        ("BW_BUS_PEER_RATE_PER_SEC", "0"), ("BW_BUS_PEER_RATE_BURST", "lots"), ("BW_BUS_HANDSHAKE_REFUSALS_PER_SEC", "-1"),
        ("BW_BUS_HANDSHAKE_REFUSALS_BURST", "0"), ("BW_BUS_HANDSHAKE_TIMEOUT_MS", "50"), ("BW_HEARTBEAT_MS", "10"),
    ])
    func refusals(key: String, value: String) {
        do {
            _ = try BusServer.Configuration(settings: Self.plain([key: value]))
            Issue.record("\(key)=\(value) must be refused")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
