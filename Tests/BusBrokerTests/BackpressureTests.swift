@testable import BusKit
import BusProtocol
import Foundation
import Logging
import Testing
import TestSupport
import ZeroMQ
@testable import BusBroker

/// Holds handlers until the test opens it.
private actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters.removeAll()
    }
}

/// B2/B3 with a real broker and real sockets: a flood of commands is answered — each
/// request gets a reply or OVERLOADED, none is dropped silently; the priority lane
/// still admits a cancel; the handler queue's saturation raises one alert.
@Suite("backpressure on the bus", .serialized)
struct BackpressureTests {
    @Test("40 commands against 5 handler slots: 5 replies, 35 OVERLOADED, none lost; a cancel still gets through; one 95 % alert")
    func floodGetsOverloadedNotSilence() async throws {
        let endpoints = BusEndpoints(host: "127.0.0.1", basePort: FreePorts.block(of: 4))
        let busContext = ZMQContext()
        // Default heartbeats (1 s, 3 s of silence to drop a peer): on two busy cores a
        // 300 ms window dropped the connection and the cancel with it.
        let server = try BusServer(configuration: BusServer.Configuration(endpoints: endpoints), context: busContext, logger: Logger(label: "bus"))
        server.start()
        defer { server.stop(); busContext.terminate() }

        let workerContext = ZMQContext()
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: "slow-worker")
        configuration.maxConcurrentHandlers = 5
        configuration.priorityReserve = 2
        let worker = try BusConnection(configuration: configuration, context: workerContext, logger: Logger(label: "worker"))
        worker.serve(service: "slow")
        worker.start()
        let gate = Gate()
        let serving = Task {
            await worker.handleRequests { message in
                if message.header.type != "order.cancel" { await gate.wait() }
                return Data("{}".utf8)
            }
        }
        defer { worker.stop(); serving.cancel(); workerContext.terminate() }

        let clientContext = ZMQContext()
        var clientConfiguration = BusConnection.Configuration(endpoints: endpoints, identity: "flooder")
        clientConfiguration.subscriptions = [Alert.topicPrefix]
        let client = try BusConnection(configuration: clientConfiguration, context: clientContext, logger: Logger(label: "client"))
        client.start()
        defer { client.stop(); clientContext.terminate() }
        let alerts = AlertLog()
        let listening = Task {
            for await event in client.events {
                if let alert = try? event.decode(Alert.self), alert.fields["queue"] == "bus.handlers" { await alerts.append(alert) }
            }
        }
        defer { listening.cancel() }
        // The worker is registered once a request is answered (not UNAVAILABLE).
        #expect(try await eventually {
            let reply = try? await client.request(service: "slow", type: "order.cancel", body: Data("{}".utf8), timeout: .seconds(1), attempts: 1)
            return reply.map { !$0.header.isError } ?? false
        })

        let outcomes = Outcomes()
        let flood = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        let reply = try? await client.request(service: "slow", type: "work", body: Data("{}".utf8), timeout: .seconds(10), attempts: 1)
                        await outcomes.record(reply)
                    }
                }
            }
        }
        #expect(try await eventually { await outcomes.overloaded == 35 })
        // The handler queue stands at 100 %: the worker's next ticks (every 100 ms) raise the 95 % alert.
        #expect(try await eventually { await alerts.count(level: "95") >= 1 })
        // Bulk slots are full; the priority lane still admits a cancel (a full lane would answer
        // OVERLOADED at once, so the long timeout only absorbs a busy machine).
        let cancel = try await client.request(service: "slow", type: "order.cancel", body: Data("{}".utf8), timeout: .seconds(10), attempts: 1)
        #expect(!cancel.header.isError)
        await gate.open()
        await flood.value
        #expect(await outcomes.ok == 5)
        #expect(await outcomes.overloaded == 35)
        #expect(await outcomes.lost == 0)

        // Full for many 100 ms ticks, yet one 95 % alert (30 s cooldown).
        #expect(await alerts.count(level: "95") == 1)
        #expect(await alerts.all.allSatisfy { $0.kind == "queue_saturation" && $0.source == "slow-worker" })
    }
}

/// The alerts a subscriber received.
private actor AlertLog {
    var all: [Alert] = []
    func append(_ alert: Alert) { all.append(alert) }
    func count(level: String) -> Int { all.filter { $0.fields["level"] == level }.count }
}

/// Counts how the flood's requests ended.
private actor Outcomes {
    var ok = 0, overloaded = 0, lost = 0

    func record(_ reply: Message?) {
        guard let reply else { lost += 1; return }
        if !reply.header.isError { ok += 1 } else if reply.errorBody().code == .overloaded { overloaded += 1 } else { lost += 1 }
    }
}
