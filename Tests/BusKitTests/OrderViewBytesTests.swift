import BusKit
import BusProtocol
import Foundation
import TestSupport
import Testing
import TradingModel

/// The writer's ack and the gateway's reply through the byte-level codec against Foundation's:
/// the same bytes out, the same value in, nothing accepted that `JSONDecoder` would refuse.
/// Seeded (`ORDER_BYTES_SEED` replays).
@Suite("AppendAck and OrderReply byte codec (golden against JSONEncoder / JSONDecoder)")
struct OrderViewBytesTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["ORDER_BYTES_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)

    @Test("today's wire bytes of a committed ack with its order, and of the reply")
    func goldenBytes() throws {
        let order = OrderView(
            clientOrderId: "c-9", account: "acct-1", symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!,
            price: ExactDecimal("2550.75")!, state: .filled, filledQty: ExactDecimal("0.01")!, avgPrice: ExactDecimal("2525.5")!,
            venueOrderId: "v-77")
        let ack = AppendAck(status: "committed", seqs: [42, 43], order: order)
        let orderWire = #"{"account":"acct-1","avg_price":"2525.5","client_order_id":"c-9","filled_qty":"0.01","price":"2550.75","qty":"0.01","side":"buy","state":"filled","symbol":"ETH/USDT","type":"market","venue_order_id":"v-77"}"#
        let ackWire = #"{"order":"# + orderWire + #","seqs":[42,43],"status":"committed"}"#
        #expect(String(decoding: WireCodec.encode(ack), as: UTF8.self) == ackWire)
        #expect(String(decoding: try HeaderBytesTests.foundationEncoder.encode(ack), as: UTF8.self) == ackWire)
        #expect(String(decoding: WireCodec.encode(OrderReply(order: order)), as: UTF8.self) == #"{"order":"# + orderWire + "}")
        #expect(try WireCodec.decode(AppendAck.self, from: Data(ackWire.utf8)) == ack)
        #expect(Data(ackWire.utf8).withUnsafeBytes { AppendAck.scanned(from: $0) } == ack)
        let empty = AppendAck(status: "duplicate", seqs: [])
        #expect(String(decoding: WireCodec.encode(empty), as: UTF8.self) == #"{"seqs":[],"status":"duplicate"}"#)
    }

    @Test("random acks and replies: JSONEncoder's bytes, JSONDecoder's values, the fast path taken for plain ones")
    func randomMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed)
        for round in 0..<2_000 {
            let plain = round % 2 == 0
            let ack = Self.randomAck(&rng, plain: plain)
            let reply = OrderReply(order: Self.randomOrder(&rng, plain: plain))
            let ackJSON = try HeaderBytesTests.foundationEncoder.encode(ack)
            let replyJSON = try HeaderBytesTests.foundationEncoder.encode(reply)
            #expect(WireCodec.encode(ack) == ackJSON, "seed \(Self.seed)")
            #expect(WireCodec.encode(reply) == replyJSON, "seed \(Self.seed)")
            #expect(try WireCodec.decode(AppendAck.self, from: ackJSON) == JSONDecoder().decode(AppendAck.self, from: ackJSON))
            #expect(try WireCodec.decode(OrderReply.self, from: replyJSON) == reply)
            if plain {
                #expect(ack.writtenBytes() != nil && reply.writtenBytes() != nil, "seed \(Self.seed)")
                #expect(ackJSON.withUnsafeBytes { AppendAck.scanned(from: $0) } == ack, "seed \(Self.seed)")
                #expect(replyJSON.withUnsafeBytes { OrderReply.scanned(from: $0) } == reply, "seed \(Self.seed)")
            }
        }
    }

    @Test("mutated ack bytes: whatever the fast reader accepts, JSONDecoder accepts with the same value")
    func mutationsNeverWidenWhatIsAccepted() throws {
        var rng = SeededRandom(seed: Self.seed ^ 0xA5A5)
        var accepted = 0
        for _ in 0..<4_000 {
            let data = Data(JSONMutation.mutate(Array(try HeaderBytesTests.foundationEncoder.encode(Self.randomAck(&rng, plain: true))), using: &rng))
            guard let scanned = data.withUnsafeBytes({ AppendAck.scanned(from: $0) }) else { continue }
            accepted += 1
            #expect((try? JSONDecoder().decode(AppendAck.self, from: data)) == scanned, "seed \(Self.seed): \(String(decoding: data, as: UTF8.self))")
        }
        #expect(accepted > 0, "seed \(Self.seed)")
    }

    @Test("an ack carrying a refusal is written and read by Foundation, unchanged")
    func refusalsStayFoundations() throws {
        let refused = AppendAck(status: "rejected", seqs: [], error: ServiceError(.invalidRequest, reason: "bad_fact", "a \"quoted\" reason"))
        #expect(refused.writtenBytes() == nil)
        let json = try HeaderBytesTests.foundationEncoder.encode(refused)
        #expect(WireCodec.encode(refused) == json)
        #expect(json.withUnsafeBytes { AppendAck.scanned(from: $0) } == nil)
        #expect(try WireCodec.decode(AppendAck.self, from: json) == refused)
    }

    // MARK: - Generators

    static func randomOrder(_ rng: inout SeededRandom, plain: Bool) -> OrderView {
        func text(_ rng: inout SeededRandom) -> String {
            let pieces = ["a", "Z", "0", "-", ":", "/", "é", "😀"] + (plain ? [] : ["\"", "\\", "\n"])
            return (0..<Int(rng.next() % 8 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
        }
        func amount(_ rng: inout SeededRandom) -> ExactDecimal {
            ExactDecimal(units: Int128(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60)))
        }
        func maybe<T>(_ rng: inout SeededRandom, _ make: (inout SeededRandom) -> T) -> T? { rng.next() % 2 == 0 ? nil : make(&rng) }
        return OrderView(
            clientOrderId: text(&rng), account: text(&rng), symbol: text(&rng), side: rng.next() % 2 == 0 ? .buy : .sell,
            type: rng.next() % 2 == 0 ? .market : .limit, qty: amount(&rng), price: maybe(&rng, amount),
            state: OrderState.allCases[Int(rng.next() % UInt64(OrderState.allCases.count))], filledQty: amount(&rng),
            avgPrice: maybe(&rng, amount), venueOrderId: maybe(&rng, text), reason: maybe(&rng, text))
    }

    static func randomAck(_ rng: inout SeededRandom, plain: Bool) -> AppendAck {
        let seqs = (0..<Int(rng.next() % 4)).map { _ in Int64(bitPattern: rng.next()) >> Int64(rng.next() % 63) }
        let order = rng.next() % 3 == 0 ? nil : randomOrder(&rng, plain: plain)
        return AppendAck(status: ["committed", "duplicate"][Int(rng.next() % 2)], seqs: seqs, order: order)
    }
}
