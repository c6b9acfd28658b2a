@testable import BusKit
import BusProtocol
import Foundation
import Logging
import Testing
import TestSupport
import ZeroMQ
@testable import BusBroker

/// What a test worker answers: who handled the request, under which lease.
private struct Handled: Codable, Sendable {
    var worker: String
    var partition: Int?
    var epoch: Int64?
    /// The sender's role as the worker's connection set it (`Header.sender`).
    var senderRole: String?
}

/// A worker of `service` in its own ZeroMQ context, as a separate process would have.
private final class TestWorker: Sendable {
    let name: String
    let context = ZMQContext()
    let connection: BusConnection
    let task: Task<Void, Never>

    init(name: String, service: String, endpoints: BusEndpoints) throws {
        self.name = name
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: name)
        configuration.heartbeatInterval = .milliseconds(100)
        connection = try BusConnection(configuration: configuration, context: context, logger: Logger(label: name))
        connection.serve(service: service)
        connection.start()
        let connection = connection
        task = Task {
            await connection.handleRequests { message in
                WireCodec.encode(Handled(
                    worker: name, partition: message.header.partition, epoch: message.header.epoch, senderRole: message.header.sender?.role))
            }
        }
    }

    /// Dies without saying goodbye: no DISCONNECT, heartbeats just stop.
    func crash() {
        connection.halt()
        context.terminate()
    }
}

@Suite("bus routing with real sockets", .serialized)
struct BrokerRoutingTests {
    let endpoints = BusEndpoints(host: "127.0.0.1", basePort: FreePorts.block(of: 4))

    private func startBus() throws -> (BusServer, ZMQContext) {
        let context = ZMQContext()
        var configuration = BusServer.Configuration(endpoints: endpoints)
        configuration.heartbeatIntervalMs = 100
        let server = try BusServer(configuration: configuration, context: context, logger: Logger(label: "bus"))
        server.start()
        return (server, context)
    }

    private func client() throws -> (BusConnection, ZMQContext) {
        let context = ZMQContext()
        let connection = try BusConnection(
            configuration: .init(endpoints: endpoints, identity: "client-\(UUID())"), context: context, logger: Logger(label: "client"))
        connection.start()
        return (connection, context)
    }

    private func status(_ client: BusConnection) async throws -> BrokerStatus {
        try await client.call(service: BusCommand.service, type: BusCommand.status, body: [String: String](), replyType: BrokerStatus.self)
    }

    private func ask(_ client: BusConnection, key: String?) async throws -> Handled {
        try await client.call(service: "risk-service", type: "risk.ping", key: key, body: [String: String](), replyType: Handled.self, timeout: .seconds(2))
    }

    @Test("two workers split keyed traffic by partition; a dead worker's partitions move with a higher epoch")
    func partitionsFailOver() async throws {
        let (bus, busContext) = try startBus()
        let (client, clientContext) = try client()
        let a = try TestWorker(name: "risk-a", service: "risk-service", endpoints: endpoints)
        let b = try TestWorker(name: "risk-b", service: "risk-service", endpoints: endpoints)
        #expect(try await eventually { try await status(client).workers.count == 2 })

        let keys = (0..<40).map { "acct-\($0)" }
        var before: [String: Handled] = [:]
        for key in keys { before[key] = try await ask(client, key: key) }
        let partitioner = Partitioner()
        // Each partition has exactly one owner, and both workers own some.
        var owners: [Int: String] = [:]
        for (key, handled) in before {
            let partition = partitioner.partition(of: key)
            #expect(handled.partition == partition)
            #expect(owners[partition, default: handled.worker] == handled.worker)
            owners[partition] = handled.worker
        }
        #expect(Set(before.values.map(\.worker)) == ["risk-a", "risk-b"])
        // Sticky: asking again lands on the same owner with the same epoch.
        for key in keys.prefix(10) {
            let again = try await ask(client, key: key)
            #expect(again.worker == before[key]?.worker && again.epoch == before[key]?.epoch)
        }

        let crashedAt = ContinuousClock.now
        a.crash()
        #expect(try await eventually { try await status(client).workers.map(\.worker) == ["risk-b"] })
        // Expiry, not a goodbye: the bus noticed only after the missed heartbeats.
        #expect(ContinuousClock.now - crashedAt >= .milliseconds(200))
        for key in keys where before[key]?.worker == "risk-a" {
            let after = try await ask(client, key: key)
            #expect(after.worker == "risk-b")
            #expect(after.epoch! > before[key]!.epoch!)
        }
        b.crash()
        client.stop()
        clientContext.terminate()
        bus.stop()
        busContext.terminate()
    }

    @Test("unkeyed requests rotate over live workers; no worker gives UNAVAILABLE")
    func unkeyedRotationAndUnavailable() async throws {
        let (bus, busContext) = try startBus()
        let (client, clientContext) = try client()
        do {
            _ = try await client.call(service: "risk-service", type: "risk.ping", body: [String: String](), replyType: Handled.self, timeout: .milliseconds(300), attempts: 1)
            Issue.record("expected UNAVAILABLE")
        } catch {
            #expect(error.code == .unavailable)
        }
        let a = try TestWorker(name: "risk-a", service: "risk-service", endpoints: endpoints)
        let b = try TestWorker(name: "risk-b", service: "risk-service", endpoints: endpoints)
        #expect(try await eventually { try await status(client).workers.count == 2 })
        var seen: [String] = []
        for _ in 0..<4 { seen.append(try await ask(client, key: nil).worker) }
        #expect(Set(seen) == ["risk-a", "risk-b"])
        #expect(seen[0] != seen[1] && seen[1] != seen[2])

        // A client cannot forge a lease or a sender: fencing fields it sends are stripped, and
        // the sender is no header field at all (only the bus's sender frame sets it).
        var forged = client.makeHeader(type: "risk.ping", service: "risk-service")
        forged.partition = 7
        forged.epoch = Int64.max
        forged.sender = Sender(name: "risk-service", role: "service:risk-service")
        let reply = try await client.send(header: forged, body: Data("{}".utf8), timeout: .seconds(2), attempts: 1)
        let handled = try reply.decodeReply(Handled.self)
        #expect(handled.partition == nil && handled.epoch == nil && handled.senderRole == nil)
        let written = #"{"v":1,"id":"m-1","type":"risk.ping","ts":1,"sender":{"name":"risk-service","role":"service:risk-service"}}"#
        #expect(try WireCodec.decode(Header.self, from: Data(written.utf8)).sender == nil)
        #expect(!String(decoding: WireCodec.encode(forged), as: UTF8.self).contains("sender"))
        a.crash()
        b.crash()
        client.stop()
        clientContext.terminate()
        bus.stop()
        busContext.terminate()
    }

    @Test("garbage frames get an INVALID_REQUEST reply and the bus keeps routing")
    func garbageIsAnswered() async throws {
        let (bus, busContext) = try startBus()
        let context = ZMQContext()
        let raw = try ZMQSocket(context: context, type: .dealer, options: [.receiveTimeoutMs(2000)])
        try raw.connect(endpoints.rpc)
        try raw.send([Data(), Data("not json".utf8), Data("{}".utf8)])
        let reply = try raw.receive()
        let message = try WireCodec.decodeMessage(header: reply[1], body: reply[2])
        #expect(message.header.type == "error")
        #expect(message.errorBody().code == .invalidRequest)
        // Wrong framing (no delimiter) is answered too, not dropped in silence.
        try raw.send([Data("just one frame".utf8)])
        let framing = try raw.receive()
        #expect(try WireCodec.decodeMessage(header: framing[1], body: framing[2]).errorBody().reason == "malformed_frames")
        // An oversized request is refused with a reply that names it, so the sender can correlate.
        let header = WireCodec.encode(Header(id: "big-1", type: "order.submit", service: "order-gateway", ts: 1))
        try raw.send([Data(), header, Data(repeating: UInt8(ascii: "x"), count: WireCodec.maxMessageBytes)])
        let big = try WireCodec.decodeMessage(header: try raw.receive()[1], body: Data("{}".utf8))
        #expect(big.header.replyTo == "big-1")
        let (client, clientContext) = try client()
        #expect(try await status(client).partitionCount == 64)
        raw.close()
        context.terminate()
        client.stop()
        clientContext.terminate()
        bus.stop()
        busContext.terminate()
    }
}
