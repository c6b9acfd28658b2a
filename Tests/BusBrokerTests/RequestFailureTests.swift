@testable import BusKit
import BusProtocol
import Foundation
import Logging
import Testing
import TestSupport
import ZeroMQ
@testable import BusBroker

/// Holds the worker's handlers until the test opens it: a reply that does not come.
private actor Hold {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var requestIds: [String] = []
    private var refusals = 0

    /// True the first time only: that request is refused, its resends are held.
    func refuseFirst() -> Bool {
        refusals += 1
        return refusals == 1
    }

    func wait(_ id: String) async {
        requestIds.append(id)
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters.removeAll()
    }
}

/// TIMEOUT and INTERNAL as the client library raises them, with a real broker and real
/// sockets: a reply that never comes, a deadline that passed before a worker started,
/// and an error reply that cannot be read.
@Suite("what a bus client gets when the reply does not come or cannot be read", .serialized)
struct RequestFailureTests {
    /// A bus and a worker of `held` whose `ping` answers at once and whose other
    /// requests wait on `hold`; runs `body` with a client, then tears it all down.
    private func withHeldWorker(_ body: (BusConnection, Hold) async throws -> Void) async throws {
        let endpoints = BusEndpoints(host: "127.0.0.1", basePort: FreePorts.block(of: 4))
        let busContext = ZMQContext()
        var busConfiguration = BusServer.Configuration(endpoints: endpoints)
        // Liveness generous enough for 2 busy cores: a worker declared dead would answer UNAVAILABLE.
        busConfiguration.heartbeatIntervalMs = 1_000
        let server = try BusServer(configuration: busConfiguration, context: busContext, logger: Logger(label: "bus"))
        server.start()
        defer { server.stop(); busContext.terminate() }

        let hold = Hold()
        let workerContext = ZMQContext()
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: "held-worker")
        configuration.heartbeatInterval = .seconds(1)
        let worker = try BusConnection(configuration: configuration, context: workerContext, logger: Logger(label: "worker"))
        worker.serve(service: "held")
        worker.start()
        let serving = Task {
            await worker.handleRequests { message throws(ServiceError) in
                if message.header.type == "huge" {
                    return Data(repeating: UInt8(ascii: "x"), count: WireCodec.maxMessageBytes)  // no receiver would read it
                }
                if message.header.type == "refused-then-silent", await hold.refuseFirst() {
                    throw ServiceError(.unavailable, reason: "venue_unreachable", "the venue did not answer")
                }
                if message.header.type != "ping" { await hold.wait(message.header.id) }
                return Data("{}".utf8)
            }
        }
        defer { worker.stop(); serving.cancel(); workerContext.terminate() }

        let clientContext = ZMQContext()
        let client = try BusConnection(
            configuration: .init(endpoints: endpoints, identity: "client-\(UUID())"), context: clientContext, logger: Logger(label: "client"))
        client.start()
        defer { client.stop(); clientContext.terminate() }
        // The worker is registered once a ping is answered (not UNAVAILABLE).
        #expect(try await eventually {
            let reply = try? await client.request(service: "held", type: "ping", body: Data("{}".utf8), timeout: .seconds(1), attempts: 1)
            return reply.map { !$0.header.isError } ?? false
        })
        do {
            try await body(client, hold)
        } catch {
            await hold.open()
            throw error
        }
        // Let the held handlers reply, so the worker can stop.
        await hold.open()
    }

    @Test("a request whose reply never comes is TIMEOUT (no_reply) after every attempt, resent under the same id")
    func replyNeverComes() async throws {
        try await withHeldWorker { (client: BusConnection, hold: Hold) async throws in
            let clock = ContinuousClock()
            let started = clock.now
            // A deadline far off: this test is about the resend, not about a late resend being refused.
            var header = client.makeHeader(type: "work", service: "held")
            header.deadline = WallClock.nowNanos() + 600_000_000_000
            do throws(ServiceError) {
                let reply = try await client.send(header: header, body: Data("{}".utf8), timeout: .seconds(1), attempts: 2)
                Issue.record("expected TIMEOUT, got a reply of type \(reply.header.type): \(reply.errorBody())")
            } catch {
                #expect(error.code == .timeout)
                #expect(error.reason == "no_reply")
                #expect(error.retryable)
                #expect(error.message.contains("2 attempt(s)"), "\(error.message)")
            }
            #expect(clock.now - started >= .seconds(2))
            // The worker did get it — twice, under one id: the reply, not the request, was missing.
            // (The resend leaves 1 s before the deadline the client put in the header.)
            #expect(try await eventually { await hold.requestIds.count == 2 })
            let ids = await hold.requestIds
            #expect(Set(ids).count == 1)
        }
    }

    @Test("a request still waiting when its connection stops ends at once with TIMEOUT, not after its timeout")
    func stopEndsWaitingRequests() async throws {
        try await withHeldWorker { (client: BusConnection, hold: Hold) async throws in
            let clock = ContinuousClock()
            let started = clock.now
            let waiting = Task { () -> ServiceError? in
                do throws(ServiceError) {
                    _ = try await client.request(service: "held", type: "work", body: Data("{}".utf8), timeout: .seconds(600), attempts: 1)
                    return nil
                } catch {
                    return error
                }
            }
            #expect(try await eventually { await hold.requestIds.count == 1 })
            // No deadline tick runs once the loop stopped: the waiter must be ended by the stop.
            client.stop()
            let error = await waiting.value
            #expect(error?.code == .timeout)
            #expect(clock.now - started < .seconds(300))
        }
    }

    @Test("an UNAVAILABLE reply whose resends get no reply is returned as it is, not turned into TIMEOUT")
    func unavailableThenSilence() async throws {
        try await withHeldWorker { (client: BusConnection, hold: Hold) async throws in
            // 5 s, not less: on two loaded cores a resend can take over a second to reach the
            // worker, which then answers TIMEOUT / deadline_passed instead of holding it.
            let reply = try await client.request(service: "held", type: "refused-then-silent", body: Data("{}".utf8), timeout: .seconds(5), attempts: 2)
            #expect(reply.header.isError)
            #expect(reply.errorBody().code == .unavailable)
            #expect(reply.errorBody().reason == "venue_unreachable")
            // Both resends after the refusal reached the worker and were held.
            #expect(try await eventually { await hold.requestIds.count == 2 })
        }
    }

    @Test("a request whose deadline passed before a worker started it is TIMEOUT (deadline_passed), and no handler runs")
    func deadlinePassed() async throws {
        try await withHeldWorker { (client: BusConnection, hold: Hold) async throws in
            var header = client.makeHeader(type: "work", service: "held")
            header.deadline = WallClock.nowNanos() - 1_000_000_000
            let reply = try await client.send(header: header, body: Data("{}".utf8), timeout: .seconds(5), attempts: 1)
            #expect(reply.header.isError)
            #expect(reply.header.replyTo == header.id)
            let error = reply.errorBody()
            #expect(error.code == .timeout)
            #expect(error.reason == "deadline_passed")
            #expect(error.retryable)
            #expect(await hold.requestIds.isEmpty)
        }
    }

    /// The first request a fake bus receives (empty if none came within the poll's deadline).
    static func firstRequest(at fakeBus: ZMQSocket) async throws -> [Data] {
        var request: [Data] = []
        #expect(try await eventually {
            if let frames = try? fakeBus.receive(dontWait: true) { request = frames }
            return !request.isEmpty
        })
        return request
    }

    @Test("an error reply whose body cannot be read is INTERNAL (malformed_error_reply) to the caller, never a success")
    func unreadableErrorReply() async throws {
        // A bus that answers every request with an `error` reply carrying garbage.
        try await withFakeBus { fakeBus, client in
            let call = Task {
                try await client.call(
                    service: "risk-service", type: "risk.ping", body: [String: String](), replyType: [String: String].self,
                    timeout: .seconds(10), attempts: 1)
            }
            let request = try await Self.firstRequest(at: fakeBus)
            // [client identity, delimiter, header, body]
            try #require(request.count == 4)
            let asked = try WireCodec.decodeMessage(header: request[2], body: request[3])
            let replyHeader = Header(id: "reply-1", type: MessageType.error, ts: WallClock.nowNanos(), replyTo: asked.header.id)
            try fakeBus.send([request[0], Data(), WireCodec.encode(replyHeader), Data("not an error body".utf8)])

            switch await call.result {
            case .success(let body):
                Issue.record("an unreadable error reply was taken as a success: \(body)")
            case .failure(let error):
                let refusal = try #require(error as? ServiceError)
                #expect(refusal.code == .internal)
                #expect(refusal.reason == "malformed_error_reply")
                #expect(!refusal.retryable)
            }        }
        }

        @Test("a reply over the message limit is INTERNAL (reply_too_large) at once, from its sender; never resent and waited for")
        func replyTooLargeFromTheSender() async throws {
            try await withHeldWorker { (client: BusConnection, _: Hold) async throws in
                let clock = ContinuousClock()
                let started = clock.now
                let reply = try await client.request(service: "held", type: "huge", body: Data("{}".utf8), timeout: .seconds(5), attempts: 3)
                #expect(reply.header.isError)
                #expect(reply.errorBody().code == .internal && reply.errorBody().reason == "reply_too_large")
                #expect(clock.now - started < .seconds(5))  // answered, not timed out
        }
    }

    @Test("a reply over the message limit that reaches a client fails its request at once (reply_too_large), not after every resend")
    func replyTooLargeAtTheReceiver() async throws {
        try await withFakeBus { fakeBus, client in
            let call = Task {
                try await client.call(
                    service: "persistence-writer", type: "journal.read", body: [String: String](), replyType: [String: String].self,
                    timeout: .seconds(30), attempts: 3)
            }
            let request = try await Self.firstRequest(at: fakeBus)
            try #require(request.count == 4)
            let asked = try WireCodec.decodeMessage(header: request[2], body: request[3])
            let replyHeader = Header(id: "reply-1", type: "journal.read.ok", ts: WallClock.nowNanos(), replyTo: asked.header.id)
            try fakeBus.send([request[0], Data(), WireCodec.encode(replyHeader), Data(repeating: UInt8(ascii: "x"), count: WireCodec.maxMessageBytes)])
            let clock = ContinuousClock()
            let sent = clock.now
            switch await call.result {
            case .success(let body):
                Issue.record("an oversized reply was read: \(body)")
            case .failure(let error):
                let refusal = try #require(error as? ServiceError)
                #expect(refusal.code == .internal && refusal.reason == "reply_too_large")
            }
            #expect(clock.now - sent < .seconds(30))  // not one more 30 s wait
        }
    }

    /// A raw ROUTER bound where the bus would be (the test answers by hand) and a client of it.
    private func withFakeBus(_ body: (ZMQSocket, BusConnection) async throws -> Void) async throws {
        let endpoints = BusEndpoints(host: "127.0.0.1", basePort: FreePorts.block(of: 4))
        let busContext = ZMQContext()
        let fakeBus = try ZMQSocket(context: busContext, type: .router, options: [.lingerMs(0)])
        try fakeBus.bind(endpoints.rpc)
        defer { fakeBus.close(); busContext.terminate() }
        let clientContext = ZMQContext()
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: "client-\(UUID())")
        configuration.publishesEvents = false
        let client = try BusConnection(configuration: configuration, context: clientContext, logger: Logger(label: "client"))
        client.start()
        defer { client.stop(); clientContext.terminate() }
        try await body(fakeBus, client)
    }
}
