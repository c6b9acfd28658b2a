@testable import BusKit
import BusProtocol
import Foundation
import Logging
import Testing
import TestSupport
import ZeroMQ
@testable import BusBroker

/// Holds the consumer after its first event, so the rest pile up in its buffer.
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

/// What the slow consumer received, in order.
private actor Received {
    var events: [Message] = []
    func append(_ message: Message) { events.append(message) }
    var count: Int { events.count }
    func topics(_ prefix: String) -> [String] { events.map(\.header.type).filter { $0.hasPrefix(prefix) } }
    func lastTick(_ type: String) -> Int? {
        events.last { $0.header.type == type }.flatMap { try? JSONDecoder().decode(Tick.self, from: $0.body).n }
    }
}

private struct Tick: Codable { var n: Int }

/// B2 with a real broker: a tick flood against a slow consumer is conflated per topic
/// (newest kept, the rest counted), while every fact arrives, in order.
@Suite("tick conflation under pressure", .serialized)
struct ConflationTests {
    @Test("10,000 ticks on 2 topics + 11 facts into a 100-event buffer: all facts in order, ticks conflated, newest tick of each topic delivered")
    func floodIsConflated() async throws {
        let endpoints = BusEndpoints(host: "127.0.0.1", basePort: FreePorts.block(of: 4))
        let busContext = ZMQContext()
        let server = try BusServer(configuration: .init(endpoints: endpoints), context: busContext, logger: Logger(label: "bus"))
        server.start()
        defer { server.stop(); busContext.terminate() }

        let context = ZMQContext()
        let publisher = try BusConnection(configuration: .init(endpoints: endpoints, identity: "venue"), context: context, logger: Logger(label: "pub"))
        publisher.start()
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: "slow-consumer")
        configuration.subscriptions = ["tick.", "fact."]
        configuration.eventBufferLimit = 100
        configuration.conflatedTopicPrefixes = ["tick."]
        let consumer = try BusConnection(configuration: configuration, context: context, logger: Logger(label: "sub"))
        consumer.start()
        defer { publisher.stop(); consumer.stop(); context.terminate() }

        let gate = Gate()
        let received = Received()
        let reading = Task {
            for await event in consumer.events {
                await received.append(event)
                if await received.count == 1 { await gate.wait() }
            }
        }
        defer { reading.cancel() }
        func send(_ topic: String, _ n: Int) {
            publisher.publish(topic: topic, header: publisher.makeHeader(type: topic), body: WireCodec.encode(Tick(n: n)))
        }
        // Joined once a probe arrives (a SUB misses what was sent before it connected).
        #expect(try await eventually { send("fact.probe", 0); return await received.count >= 1 })

        for n in 0..<5_000 {
            send("tick.BTC", n)
            send("tick.ETH", n)
            if n % 500 == 499 { send("fact.recorded", n) }
        }
        send("fact.end", 0)
        #expect(try await eventually { consumer.conflatedEventCount > 0 })
        await gate.open()
        #expect(try await eventually {
            let btc = await received.lastTick("tick.BTC"), eth = await received.lastTick("tick.ETH")
            let ends = await received.topics("fact.end").count
            return btc == 4_999 && eth == 4_999 && ends == 1
        })
        let facts = await received.topics("fact.").filter { $0 != "fact.probe" }
        #expect(facts == Array(repeating: "fact.recorded", count: 10) + ["fact.end"])
        let ticks = await received.topics("tick.").count
        #expect(ticks < 10_000)
        #expect(consumer.conflatedEventCount > 0)
        #expect(consumer.droppedEvents.load(ordering: .relaxed) == 0)
    }
}
