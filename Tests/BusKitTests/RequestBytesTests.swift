import BusKit
import BusProtocol
import Foundation
import TestSupport
import Testing
import TradingModel
import VenueKit

/// `order.submit` and `venue.place` through the byte-level codec against Foundation's: the same
/// bytes out, the same value in, nothing accepted that `JSONDecoder` would refuse. Seeded
/// (`REQUEST_BYTES_SEED` replays).
@Suite("OrderSubmit / VenuePlace byte codec (golden against JSONEncoder / JSONDecoder)")
struct RequestBytesTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["REQUEST_BYTES_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)
    static let encoder = HeaderBytesTests.foundationEncoder

    @Test("today's wire bytes of a client's market order with its quote, and of the venue place")
    func goldenBytes() throws {
        let submit = #"{"account":"acct-1","client_order_id":"c-9","qty":"0.01","quote":{"ask":"2525.5","bid":"2525.25","ts":1764650000000000000},"reduce_only":false,"side":"buy","symbol":"ETH/USDT","type":"market"}"#
        let place = #"{"account":"acct-1","client_order_id":"c-9","price":"2550.75","qty":"0.01","side":"buy","symbol":"ETH/USDT","time_in_force":"IOC","type":"market"}"#
        try Self.golden(OrderSubmit.self, submit)
        try Self.golden(VenuePlace.self, place)
    }

    @Test("random requests: JSONEncoder's bytes, JSONDecoder's values, the fast path taken for plain ones")
    func randomMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed)
        for round in 0..<2_000 {
            let plain = round % 2 == 0
            try Self.matches(Self.randomSubmit(&rng, plain: plain), plain: plain, seed: Self.seed)
            try Self.matches(Self.randomPlace(&rng, plain: plain), plain: plain, seed: Self.seed)
        }
    }

    @Test("mutated bytes: whatever the fast readers accept, JSONDecoder accepts with the same value")
    func mutationsNeverWidenWhatIsAccepted() throws {
        var rng = SeededRandom(seed: Self.seed ^ 0x5B17)
        var accepted = 0
        for _ in 0..<3_000 {
            accepted += try Self.mutatedAgrees(Self.randomSubmit(&rng, plain: true), &rng, seed: Self.seed) ? 1 : 0
            accepted += try Self.mutatedAgrees(Self.randomPlace(&rng, plain: true), &rng, seed: Self.seed) ? 1 : 0
        }
        #expect(accepted > 0, "seed \(Self.seed)")
    }

    @Test("what a client gets wrong is left to JSONDecoder, which gives it its error as before", arguments: [
        #"{"account":"a","qty":0.5,"side":"buy","symbol":"S","type":"market"}"#,
        #"{"account":"a","qty":"0.5","side":"hold","symbol":"S","type":"market"}"#,
        #"{"account":"a","qty":"0.5","side":"buy","symbol":"S","type":"market","leverage":"10"}"#,
        #"{"account":"a","qty":"0.5","side":"buy","symbol":"S\u0041","type":"market"}"#,
        #"{"qty":"0.5","side":"buy","symbol":"S","type":"market"}"#,
    ])
    func clientMistakesAreFoundations(json: String) {
        #expect(Data(json.utf8).withUnsafeBytes { OrderSubmit.scanned(from: $0) } == nil)
    }

    // MARK: - Checks (shared with the other request codecs' tests)

    typealias Codec = Codable & Equatable & WireBytesEncodable & WireBytesDecodable

    static func golden<T: Codec>(_ type: T.Type, _ json: String) throws {
        let value = try JSONDecoder().decode(T.self, from: Data(json.utf8))
        #expect(try encoder.encode(value) == Data(json.utf8))
        #expect(value.writtenBytes().map { String(decoding: $0, as: UTF8.self) } == json)
        #expect(Data(json.utf8).withUnsafeBytes { T.scanned(from: $0) } == value)
    }

    static func matches<T: Codec>(_ value: T, plain: Bool, seed: UInt64) throws {
        let json = try encoder.encode(value)
        #expect(WireCodec.encode(value) == json, "seed \(seed): \(String(decoding: json, as: UTF8.self))")
        #expect(try WireCodec.decode(T.self, from: json) == value, "seed \(seed)")
        if plain {
            #expect(value.writtenBytes() != nil, "seed \(seed)")
            #expect(json.withUnsafeBytes { T.scanned(from: $0) } == value, "seed \(seed)")
        } else if String(decoding: json, as: UTF8.self).contains("\\") {
            #expect(value.writtenBytes() == nil, "seed \(seed)")
        }
    }

    static func mutatedAgrees<T: Codec>(_ value: T, _ rng: inout SeededRandom, seed: UInt64) throws -> Bool {
        let data = Data(JSONMutation.mutate(Array(try encoder.encode(value)), using: &rng))
        guard let scanned = data.withUnsafeBytes({ T.scanned(from: $0) }) else { return false }
        #expect((try? JSONDecoder().decode(T.self, from: data)) == scanned, "seed \(seed): \(String(decoding: data, as: UTF8.self))")
        return true
    }

    // MARK: - Generators

    static func randomSubmit(_ rng: inout SeededRandom, plain: Bool) -> OrderSubmit {
        let order = OrderViewBytesTests.randomOrder(&rng, plain: plain)
        let quote = rng.next() % 2 == 0 ? nil : Quote(bid: order.qty, ask: order.filledQty, ts: Int64(bitPattern: rng.next()))
        return OrderSubmit(
            clientOrderId: order.venueOrderId, account: order.account, symbol: order.symbol, side: order.side, type: order.type,
            qty: order.qty, price: order.price, timeInForce: rng.next() % 2 == 0 ? nil : TimeInForce.allCases[Int(rng.next() % 3)],
            reduceOnly: rng.next() % 3 == 0 ? nil : rng.next() % 2 == 0, quote: quote)
    }

    static func randomPlace(_ rng: inout SeededRandom, plain: Bool) -> VenuePlace {
        let order = OrderViewBytesTests.randomOrder(&rng, plain: plain)
        return VenuePlace(
            account: order.account, clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side, type: order.type,
            qty: order.qty, price: order.price, timeInForce: TimeInForce.allCases[Int(rng.next() % 3)])
    }
}
