import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

@Suite("SocketLoop: the I/O thread bridge")
struct SocketLoopTests {
    @Test("messages sent from async code reach the peer and replies reach the handler")
    func roundTripThroughLoop() async throws {
        let context = ZMQContext()
        let loop = SocketLoop(name: "test")
        let (stream, continuation) = AsyncStream.makeStream(of: [Data].self)
        let echo = try ZMQSocket(context: context, type: .router)
        try echo.bind("tcp://127.0.0.1:*")
        let endpoint = echo.lastEndpoint
        // The echo side answers on the loop thread through the same outbox API. It
        // only answers what it received, so no reply races the dealer's connect.
        let echoID = Mutex<SocketLoop.SocketID?>(nil)
        let id = loop.register(echo, name: "echo") { frames in
            guard let echoID = echoID.withLock({ $0 }) else { return }
            try? loop.send(frames, on: echoID)
        }
        echoID.withLock { $0 = id }
        let dealer = try ZMQSocket(context: context, type: .dealer, options: [.routingId("d")])
        try dealer.connect(endpoint)
        let dealerID = loop.register(dealer, name: "dealer") { continuation.yield($0) }
        loop.start()

        for i in 0..<100 {
            try loop.send([Data("m\(i)".utf8)], on: dealerID)
        }
        var seen: [String] = []
        for await frames in stream {
            seen.append(String(decoding: frames[0], as: UTF8.self))
            if seen.count == 100 { break }
        }
        #expect(seen == (0..<100).map { "m\($0)" })
        loop.stop()
        #expect(throws: SocketLoop.SendRefusal.self) { try loop.send([Data("late".utf8)], on: dealerID) }
        context.terminate()
    }

    @Test("an outbox at its limit refuses instead of growing")
    func boundedOutbox() throws {
        let context = ZMQContext()
        let loop = SocketLoop(name: "bounded", outboxLimit: 3)
        let push = try ZMQSocket(context: context, type: .push, options: [.lingerMs(0)])
        let id = loop.register(push, name: "push") { _ in }
        // Not started: nothing drains, so the fourth message is refused.
        for _ in 0..<3 { try loop.send([Data("x".utf8)], on: id) }
        #expect(throws: SocketLoop.SendRefusal.outboxFull) { try loop.send([Data("x".utf8)], on: id) }
        #expect(loop.outboxDepth(id) == 3)
        loop.start()
        loop.stop()
        context.terminate()
    }

    @Test("a tick handler bound after init runs at the same stack depth on its 1,000th tick as on its first")
    func handlersKeepTheirDepth() async throws {
        let loop = SocketLoop(name: "ticks", tickIntervalMs: 1)
        // Where a local of the handler lives, on the first tick and on the last: a handler
        // re-wrapped per call (as one kept in a Mutex<closure> was) sits deeper every tick.
        let depths = Mutex<(ticks: Int, first: UInt, last: UInt)>((0, 0, 0))
        let (done, finished) = AsyncStream.makeStream(of: Void.self)
        loop.onTick {
            var local = 0
            let address = withUnsafeMutablePointer(to: &local) { UInt(bitPattern: $0) }
            let ticks = depths.withLock { state -> Int in
                state.ticks += 1
                if state.ticks == 1 { state.first = address }
                if state.ticks == 1_000 { state.last = address }
                return state.ticks
            }
            if ticks == 1_000 { finished.yield() }
        }
        loop.start()
        for await _ in done { break }
        loop.stop()
        let seen = depths.withLock { $0 }
        #expect(seen.first != 0)
        #expect(seen.last == seen.first, "the 1,000th tick ran \(Int(seen.first) - Int(seen.last)) bytes deeper than the first")
    }
}
