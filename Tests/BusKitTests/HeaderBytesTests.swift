import BusKit
import BusProtocol
import Foundation
import TestSupport
import Testing

/// The byte-level header codec against Foundation's: the same bytes out, the same value in,
/// and nothing accepted that `JSONDecoder` would refuse. Seeded (`HEADER_BYTES_SEED` replays).
@Suite("Header byte codec (golden against JSONEncoder / JSONDecoder)")
struct HeaderBytesTests {
    /// The wire's encoder, configured as BusKit's.
    static let foundationEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let seed: UInt64 = ProcessInfo.processInfo.environment["HEADER_BYTES_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)

    @Test("today's wire bytes of a full request header and of a reply header")
    func goldenBytes() throws {
        var request = Header(
            id: "6f1c0d2e9a7b4c3d", type: "risk.authorize", service: "risk-service", key: "acct-1", ts: 1_764_650_000_123_456_789,
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", deadline: 1_764_650_015_123_456_789)
        request.partition = 17
        request.epoch = 3
        let requestWire = #"{"deadline":1764650015123456789,"epoch":3,"id":"6f1c0d2e9a7b4c3d","key":"acct-1","partition":17,"service":"risk-service","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","ts":1764650000123456789,"type":"risk.authorize","v":1}"#
        var reply = Header(id: "a", type: "risk.authorize.ok", ts: -5, replyTo: "6f1c0d2e9a7b4c3d")
        reply.seq = 0
        let replyWire = #"{"id":"a","reply_to":"6f1c0d2e9a7b4c3d","seq":0,"ts":-5,"type":"risk.authorize.ok","v":1}"#
        for (header, wire) in [(request, requestWire), (reply, replyWire)] {
            #expect(String(decoding: try Self.foundationEncoder.encode(header), as: UTF8.self) == wire)
            #expect(header.writtenBytes().map { String(decoding: $0, as: UTF8.self) } == wire)
            #expect(String(decoding: WireCodec.encode(header), as: UTF8.self) == wire)
            #expect(Data(wire.utf8).withUnsafeBytes { Header.scanned(from: $0) } == header)
        }
    }

    @Test("random headers: the fast writer's bytes are JSONEncoder's, and they read back the same")
    func randomHeadersMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed)
        var fastWrites = 0
        for round in 0..<3_000 {
            let header = Self.randomHeader(&rng, plain: round % 2 == 0)
            let foundation = try Self.foundationEncoder.encode(header)
            #expect(WireCodec.encode(header) == foundation, "seed \(Self.seed): \(header)")
            if let fast = header.writtenBytes() {
                fastWrites += 1
                #expect(Data(fast) == foundation, "seed \(Self.seed)")
            }
            let read = try JSONDecoder().decode(Header.self, from: foundation)
            let scanned = foundation.withUnsafeBytes { Header.scanned(from: $0) }
            if let scanned { #expect(scanned == read, "seed \(Self.seed)") }
            // Plain values (what every service writes) must take the fast path both ways.
            if Self.isPlain(header) {
                #expect(scanned != nil && header.writtenBytes() != nil, "seed \(Self.seed): \(header)")
            }
            if let viaWire = try? WireCodec.decodeMessage(header: foundation, body: Data()).header {
                #expect(viaWire == read, "seed \(Self.seed)")
            }
        }
        #expect(fastWrites > 1_000, "seed \(Self.seed): the fast path was hardly taken")
    }

    @Test("mutated header bytes: whatever the fast reader accepts, JSONDecoder accepts with the same value")
    func mutationsNeverWidenWhatIsAccepted() throws {
        var rng = SeededRandom(seed: Self.seed ^ 0x9E37_79B9)
        var accepted = 0
        for _ in 0..<6_000 {
            let bytes = JSONMutation.mutate(Array(try Self.foundationEncoder.encode(Self.randomHeader(&rng, plain: true))), using: &rng)
            let data = Data(bytes)
            guard let scanned = data.withUnsafeBytes({ Header.scanned(from: $0) }) else { continue }
            accepted += 1
            let read = try? JSONDecoder().decode(Header.self, from: data)
            #expect(read == scanned, "seed \(Self.seed): \(String(decoding: data, as: UTF8.self))")
        }
        #expect(accepted > 0, "seed \(Self.seed): no mutation stayed inside the subset")
    }

    @Test("inputs outside the subset go to JSONDecoder, which reads or refuses them as before", arguments: [
        (#"{"v":1,"id":"a","type":"t","ts":1,"extra":{"x":[1,2]}}"#, true),
        (#"{"v":1,"id":"a\"b","type":"t","ts":1}"#, true),
        (#"{"v":1,"id":"a","id":"b","type":"t","ts":1}"#, true),
        (#" {"v" : 1 ,"id":"a","type":"t","ts":1} "#, true),
        (#"{"v":1,"id":"a","type":"t","ts":1.0}"#, true),
        (#"{"v":1,"id":"a","type":"t"}"#, false),
        (#"{"v":1,"id":"a","type":"t","ts":01}"#, false),
        (#"{"v":1,"id":"a","type":"t","ts":1}x"#, false),
        (#"{"v":1,"id":"a","type":null,"ts":1}"#, false),
        (#"{"v":1,"id":"a","type":"t","ts":99999999999999999999}"#, false),
        (#"{"v":true,"id":"a","type":"t","ts":1}"#, false),
    ])
    func outsideTheSubset(json: String, foundationReads: Bool) {
        let data = Data(json.utf8)
        let scanned = data.withUnsafeBytes { Header.scanned(from: $0) }
        let read = try? JSONDecoder().decode(Header.self, from: data)
        #expect((read != nil) == foundationReads)
        if let scanned { #expect(scanned == read) }
        let viaWire = try? WireCodec.decodeMessage(header: data, body: Data()).header
        #expect(viaWire == read)
    }

    // MARK: - Generators

    static func isPlain(_ header: Header) -> Bool {
        [header.id, header.type, header.service, header.key, header.traceparent, header.replyTo]
            .compactMap { $0 }.allSatisfy { $0.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") } }
    }

    static func randomHeader(_ rng: inout SeededRandom, plain: Bool = false) -> Header {
        func text(_ rng: inout SeededRandom) -> String {
            let plainPieces = ["a", "Z", "0", "-", ".", "/", ":", "|", " ", "é", "→", "日本", "\u{7F}", "\u{2028}", "😀"]
            let escaped = ["\"", "\\", "\n", "\t", "\u{01}", "\u{1F}"]
            let pieces = plain ? plainPieces : plainPieces + escaped
            return (0..<Int(rng.next() % 12 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
        }
        func maybe<T>(_ rng: inout SeededRandom, _ make: (inout SeededRandom) -> T) -> T? { rng.next() % 2 == 0 ? nil : make(&rng) }
        func int64(_ rng: inout SeededRandom) -> Int64 {
            switch rng.next() % 4 {
            case 0: Int64(bitPattern: rng.next())
            case 1: Int64(rng.next() % 1000)
            case 2: [Int64.min, Int64.max, 0, -1][Int(rng.next() % 4)]
            default: -Int64(rng.next() % 1000)
            }
        }
        var header = Header(
            id: text(&rng), type: text(&rng), service: maybe(&rng, text), key: maybe(&rng, text), ts: int64(&rng),
            traceparent: maybe(&rng, text), replyTo: maybe(&rng, text), deadline: maybe(&rng, int64))
        header.v = Int(rng.next() % 3)
        header.partition = maybe(&rng) { Int(truncatingIfNeeded: int64(&$0)) }
        header.epoch = maybe(&rng, int64)
        header.seq = maybe(&rng, int64)
        return header
    }
}
