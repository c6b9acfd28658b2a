import Foundation
import Testing
@testable import ZeroMQ

@Suite("ZeroMQ binding")
struct ZMQSocketTests {
    @Test("multipart messages arrive whole, empty frames included")
    func multipartRoundTrip() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let router = try ZMQSocket(context: context, type: .router)
        try router.bind("inproc://roundtrip")
        let dealer = try ZMQSocket(context: context, type: .dealer, options: [.routingId("client-1")])
        try dealer.connect("inproc://roundtrip")
        let frames = [Data(), Data("header".utf8), Data(repeating: 7, count: 70_000)]
        try dealer.send(frames)

        let received = try router.receive()
        #expect(received.count == 4)
        #expect(received[0] == Data("client-1".utf8))
        #expect(Array(received.dropFirst()) == frames)

        try router.send([received[0], Data(), Data("reply".utf8)])
        #expect(try dealer.receive() == [Data(), Data("reply".utf8)])
        router.close()
        dealer.close()
    }

    @Test("a poll with nothing to read returns after its timeout with no events")
    func pollTimeout() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let pull = try ZMQSocket(context: context, type: .pull)
        try pull.bind("inproc://idle")
        var poller = Poller()
        let index = poller.add(.socket(pull, .readable))
        let start = ContinuousClock.now
        let ready = try poller.poll(timeoutMs: 50)
        #expect(ready == 0)
        #expect(poller.events(at: index).isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(45))
        #expect(throws: ZMQError.wouldBlock) { try pull.receive(dontWait: true) }
        pull.close()
    }

    @Test("a ROUTER with ROUTER_MANDATORY reports an unknown peer as unroutable")
    func unroutable() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let router = try ZMQSocket(context: context, type: .router, options: [.routerMandatory])
        try router.bind("inproc://mandatory")
        #expect(throws: ZMQError.unroutable) { try router.send([Data("nobody".utf8), Data("x".utf8)], dontWait: true) }
        router.close()
    }

    @Test("shutdown with messages still queued to an absent peer ends within the linger")
    func shutdownWithPendingMessages() throws {
        let context = ZMQContext()
        let push = try ZMQSocket(context: context, type: .push, options: [.lingerMs(100)])
        try push.connect("tcp://127.0.0.1:1") // nobody listens: messages stay queued
        for _ in 0..<100 { try push.send([Data("pending".utf8)], dontWait: true) }
        let start = ContinuousClock.now
        push.close()
        context.terminate()
        #expect(ContinuousClock.now - start < .seconds(2))
    }
}
