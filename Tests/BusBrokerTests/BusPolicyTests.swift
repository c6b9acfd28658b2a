@testable import BusKit
import BusProtocol
import Foundation
import Testing
import ZeroMQ
@testable import BusBroker

/// The roles of an authenticated bus, rule by rule, and the broker applying them to frames.
@Suite("who may send what on an authenticated bus (BusPolicy)")
struct BusPolicyTests {
    static let client = BusPolicy.Caller.peer(name: "strategy-1", .client(accounts: ["acct-1"]))
    static let operatorCaller = BusPolicy.Caller.peer(name: "operator", .operator)
    static let gateway = BusPolicy.Caller.peer(name: "order-gateway", .service("order-gateway"))
    static let writer = BusPolicy.Caller.peer(name: "persistence-writer", .service("persistence-writer"))

    func reason(_ error: ServiceError?) -> String? {
        guard let error else { return nil }
        #expect(error.code == .forbidden)
        return error.reason
    }

    @Test("roles from the peer list: service:NAME, client with its accounts, operator; anything else is no role")
    func rolesFromThePeerList() throws {
        let key = try #require(CurveKey(raw: Array(repeating: 1, count: 32)))
        #expect(BusPolicy.Role(BusPeer(name: "r", role: "service:risk-service", publicKey: key)) == .service("risk-service"))
        #expect(BusPolicy.Role(BusPeer(name: "c", role: "client", accounts: ["a", "b"], publicKey: key)) == .client(accounts: ["a", "b"]))
        #expect(BusPolicy.Role(BusPeer(name: "o", role: "operator", publicKey: key)) == .operator)
        #expect(BusPolicy.Role(BusPeer(name: "x", role: "service:", publicKey: key)) == nil)
        #expect(BusPolicy.Role(BusPeer(name: "x", role: "admin", publicKey: key)) == nil)
    }

    @Test("a client: orders and risk.show of its own accounts, bus.status; nothing else")
    func clients() {
        #expect(reason(BusPolicy.refusal(Self.client, type: "order.submit", service: "order-gateway", key: "acct-1")) == nil)
        #expect(reason(BusPolicy.refusal(Self.client, type: "order.cancel_all", service: "order-gateway", key: "acct-1")) == nil)
        #expect(reason(BusPolicy.refusal(Self.client, type: "risk.show", service: "risk-service", key: "acct-1")) == nil)
        #expect(reason(BusPolicy.refusal(Self.client, type: "bus.status", service: "bus", key: nil)) == nil)
        #expect(reason(BusPolicy.refusal(Self.client, type: "order.submit", service: "order-gateway", key: "acct-2")) == "account_not_bound")
        #expect(reason(BusPolicy.refusal(Self.client, type: "order.submit", service: "order-gateway", key: nil)) == "account_not_bound")
        for (type, service) in [
            ("journal.append", "persistence-writer"), ("risk.reset", "risk-service"), ("risk.trip", "risk-service"),
            ("order.resume", "order-gateway"), ("recon.status", "reconciler"), ("journal.read", "persistence-writer"),
            ("order.submit", "persistence-writer"), ("risk.show", "order-gateway"),
        ] {
            #expect(reason(BusPolicy.refusal(Self.client, type: type, service: service, key: "acct-1")) == "not_for_clients", "\(type) to \(service)")
        }
    }

    @Test("the operator: every account and the controls, but not the services' own calls")
    func operators() {
        for type in ["order.submit", "order.resume", "risk.trip", "risk.reset", "journal.read", "recon.status"] {
            #expect(reason(BusPolicy.refusal(Self.operatorCaller, type: type, service: "x", key: "acct-9")) == nil, "\(type)")
        }
        for type in ["journal.append", "risk.authorize", "risk.venue_outcomes"] {
            #expect(reason(BusPolicy.refusal(Self.operatorCaller, type: type, service: "x", key: "acct-1")) == "service_only", "\(type)")
        }
    }

    @Test("a service sends the internal calls it makes and no control: risk's calls from the gateway only, the journal's appends from the journaling services")
    func servicesSendTheirOwnCalls() {
        let reconciler = BusPolicy.Caller.peer(name: "reconciler", .service("reconciler"))
        let risk = BusPolicy.Caller.peer(name: "risk-service", .service("risk-service"))
        for type in ["risk.authorize", "risk.venue_outcome", "risk.venue_outcomes", "journal.append", "journal.read", "order.cancel_all"] {
            #expect(reason(BusPolicy.refusal(Self.gateway, type: type, service: "x", key: "acct-1")) == nil, "\(type)")
        }
        #expect(reason(BusPolicy.refusal(reconciler, type: "order.submit", service: "order-gateway", key: "acct-1")) == nil)
        #expect(reason(BusPolicy.refusal(risk, type: "order.cancel_all", service: "order-gateway", key: "acct-1")) == nil)
        #expect(reason(BusPolicy.refusal(reconciler, type: "journal.append", service: "persistence-writer", key: nil)) == nil)
        #expect(reason(BusPolicy.refusal(reconciler, type: "risk.authorize", service: "risk-service", key: "acct-1")) == "not_this_services_call")
        #expect(reason(BusPolicy.refusal(risk, type: "risk.venue_outcomes", service: "risk-service", key: "acct-1")) == "not_this_services_call")
        #expect(reason(BusPolicy.refusal(Self.writer, type: "journal.append", service: "persistence-writer", key: nil)) == "not_this_services_call")
        for type in ["risk.trip", "risk.reset", "order.resume"] {
            #expect(reason(BusPolicy.refusal(Self.gateway, type: type, service: "x", key: "acct-1")) == "operator_only", "\(type)")
        }
    }

    @Test("a service registers as itself only; only services answer requests; facts are the writer's to publish")
    func servicesRegistrationRepliesAndEvents() {
        #expect(reason(BusPolicy.registrationRefusal(Self.gateway, service: "order-gateway")) == nil)
        #expect(reason(BusPolicy.registrationRefusal(Self.gateway, service: "risk-service")) == "not_that_service")
        #expect(reason(BusPolicy.registrationRefusal(Self.client, service: "order-gateway")) == "not_that_service")
        #expect(reason(BusPolicy.registrationRefusal(Self.operatorCaller, service: nil)) == "not_that_service")
        #expect(reason(BusPolicy.replyRefusal(Self.gateway)) == nil)
        #expect(reason(BusPolicy.replyRefusal(Self.client)) == "not_a_worker")
        #expect(reason(BusPolicy.publicationRefusal(Self.writer, topic: "fact.order.intent")) == nil)
        #expect(reason(BusPolicy.publicationRefusal(Self.gateway, topic: "fact.fill.recorded")) == "facts_by_the_writer")
        #expect(reason(BusPolicy.publicationRefusal(Self.gateway, topic: "span.finished")) == nil)
        #expect(reason(BusPolicy.publicationRefusal(Self.operatorCaller, topic: "span.finished")) == nil)
        #expect(reason(BusPolicy.publicationRefusal(Self.operatorCaller, topic: "alert.risk.x")) == "not_a_publisher")
        #expect(reason(BusPolicy.publicationRefusal(Self.client, topic: "span.finished")) == "not_a_publisher")
        let removed = BusPolicy.Caller.unlisted(name: "gone")
        #expect(reason(BusPolicy.refusal(removed, type: "bus.status", service: "bus", key: nil)) == "peer_not_listed")
        #expect(reason(BusPolicy.registrationRefusal(removed, service: "x")) == "not_that_service")
        // A plain-text bus: everything passes, as before.
        #expect(BusPolicy.refusal(.anyone, type: "journal.append", service: "persistence-writer", key: nil) == nil)
        #expect(BusPolicy.publicationRefusal(.anyone, topic: "fact.x") == nil)
    }

    @Test("the broker answers FORBIDDEN for a refused request, registration and forged reply, and forwards the rest")
    func brokerAppliesThePolicy() throws {
        let broker = Broker(partitioner: Partitioner(count: 64), heartbeatIntervalMs: 1_000, liveness: 3, startMs: 1, ids: SystemIDGenerator())
        func frames(type: String, service: String, key: String? = nil, body: some Encodable = [String: String](), route: [Data] = []) -> [Data] {
            let header = Header(id: "m-\(type)", type: type, service: service, key: key, ts: 1)
            return [Data("peer".utf8)] + route + [Data(), WireCodec.encode(header), WireCodec.encode(body)]
        }
        func errorReason(_ outgoing: [Broker.Outgoing]) -> String? {
            guard let out = outgoing.first, out.frames.count == 4 else { return nil }
            return (try? WireCodec.decode(ServiceError.self, from: out.frames[3]))?.reason
        }
        let worker = Data("gw-1".utf8)
        _ = broker.handle([worker, Data(), WireCodec.encode(Header(id: "r", type: BusCommand.ready, service: "bus", ts: 1)),
            WireCodec.encode(BusCommand.Registration(service: "order-gateway", worker: "gw-1"))], nowMs: 0, caller: Self.gateway)
        #expect(broker.workersByID[worker] != nil)
        #expect(errorReason(broker.handle(frames(type: "order.submit", service: "order-gateway", key: "acct-2"), nowMs: 1, caller: Self.client)) == "account_not_bound")
        let forwarded = broker.handle(frames(type: "order.submit", service: "order-gateway", key: "acct-1"), nowMs: 1, caller: Self.client)
        #expect(forwarded.first?.frames.first == worker)
        // The worker learns who sent it from the bus's sender frame, after the lease frame.
        let keyed = try #require(forwarded.first?.frames)
        #expect(keyed.count == 7 && WireCodec.lease(fromFrame: keyed[5]) != nil)
        #expect(WireCodec.sender(fromFrame: keyed[6]) == Sender(name: "strategy-1", role: "client"))
        // Unkeyed: an empty lease frame, then the sender frame.
        let unkeyed = try #require(broker.handle(frames(type: "order.list", service: "order-gateway"), nowMs: 1, caller: Self.operatorCaller).first?.frames)
        #expect(unkeyed.count == 7 && unkeyed[5].isEmpty)
        #expect(WireCodec.sender(fromFrame: unkeyed[6]) == Sender(name: "operator", role: "operator"))
        // A plain-text bus authenticates nobody: no sender frame.
        let plain = try #require(broker.handle(frames(type: "order.list", service: "order-gateway"), nowMs: 1, caller: .anyone).first?.frames)
        #expect(plain.count == 5)
        #expect(errorReason(broker.handle(
            frames(type: BusCommand.ready, service: "bus", body: BusCommand.Registration(service: "risk-service", worker: "x")),
            nowMs: 1, caller: Self.gateway)) == "not_that_service")
        #expect(errorReason(broker.handle(frames(type: "ok.order.submit", service: "order-gateway", route: [Data("victim".utf8)]), nowMs: 1, caller: Self.client)) == "not_a_worker")
    }
}
