import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

@Suite("CURVE keys and the ZAP handler")
struct CurveTests {
    @Test("a key pair: Z85 text of 40 characters, the public half derived from the secret, never printed")
    func keys() throws {
        #expect(CurveKeyPair.isAvailable)
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.z85.count == 40 && pair.secretKey.z85.count == 40)
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(try CurveKeyPair.generate() != pair)
        #expect(CurveKey(z85: String(pair.publicKey.z85.dropLast())) == nil)
        #expect(CurveKey(z85: String(repeating: "\"", count: 40)) == nil)  // not Z85
        #expect(CurveKey(raw: Array(repeating: 7, count: 31)) == nil)
        let raw = CurveKey(raw: Array(0..<32))
        #expect(raw.flatMap { CurveKey(z85: $0.z85) } == raw)
        #expect(!"\(pair.secretKey)".contains(pair.secretKey.z85) && "\(pair.secretKey)".contains(pair.secretKey.fingerprint))
    }

    @Test("a listed key is admitted under its name, which every message carries; an unknown key and a plain peer get nothing")
    func zapAdmitsOnlyListedKeys() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let server = try CurveKeyPair.generate(), alice = try CurveKeyPair.generate(), mallory = try CurveKeyPair.generate()
        let refused = Mutex<[String]>([])
        let zap = try ZAPHandler(
            context: context, decide: { _, key in key == alice.publicKey ? "alice" : nil },
            refused: { _, key, _ in refused.withLock { $0.append(key?.fingerprint ?? "plain") } })
        defer { zap.stop() }
        let router = try ZMQSocket(context: context, type: .router, options: [
            .curveServer(secretKey: server.secretKey), .zapDomain("test"), .receiveTimeoutMs(3_000),
        ])
        try router.bind("tcp://127.0.0.1:*")
        func client(_ pair: CurveKeyPair?) throws -> ZMQSocket {
            let options: [SocketOption] = pair.map { [.curveClient(publicKey: $0.publicKey, secretKey: $0.secretKey, serverKey: server.publicKey)] } ?? []
            let socket = try ZMQSocket(context: context, type: .dealer, options: options)
            try socket.connect(router.lastEndpoint)
            return socket
        }
        let strangers = [try client(mallory), try client(nil)]
        for stranger in strangers { try stranger.send([Data("from a stranger".utf8)]) }
        let friend = try client(alice)
        try friend.send([Data("hello".utf8)])
        let received = try router.receive()
        #expect(received.last == Data("hello".utf8))
        #expect(router.lastUserId == "alice")
        // The strangers' messages are never delivered: the next receive times out.
        #expect(throws: ZMQError.wouldBlock) { try router.receive() }
        // The unknown key is asked of ZAP and refused; the plain peer fails earlier, at the
        // mechanism mismatch, without reaching ZAP.
        #expect(refused.withLock { Set($0) } == [mallory.publicKey.fingerprint])
        for stranger in strangers { stranger.close() }
        friend.close()
        router.close()
    }

    @Test("a malformed ZAP request is answered 500, one without CURVE credentials 400")
    func malformedRequests() throws {
        let context = ZMQContext()
        defer { context.terminate() }
        let zap = try ZAPHandler(context: context, decide: { _, _ in "x" }, refused: { _, _, _ in })
        defer { zap.stop() }
        let short = zap.answer([Data("1.0".utf8), Data("r1".utf8)])
        #expect(short.count == 6 && short[2] == Data("500".utf8) && short[1] == Data("r1".utf8))
        let wrongVersion = zap.answer([Data("2.0".utf8), Data("r2".utf8), Data(), Data(), Data(), Data("CURVE".utf8), Data(count: 32)])
        #expect(wrongVersion[2] == Data("500".utf8))
        let plain = zap.answer([Data("1.0".utf8), Data("r3".utf8), Data("d".utf8), Data("127.0.0.1".utf8), Data(), Data("NULL".utf8)])
        #expect(plain[2] == Data("400".utf8))
        let shortKey = zap.answer([Data("1.0".utf8), Data("r4".utf8), Data("d".utf8), Data(), Data(), Data("CURVE".utf8), Data(count: 31)])
        #expect(shortKey[2] == Data("400".utf8))
        let admitted = zap.answer([Data("1.0".utf8), Data("r5".utf8), Data("d".utf8), Data(), Data(), Data("CURVE".utf8), Data(count: 32)])
        #expect(admitted[2] == Data("200".utf8) && admitted[4] == Data("x".utf8))
    }
}
