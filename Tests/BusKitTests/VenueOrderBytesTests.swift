import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel
import VenueKit

/// The venue's order and fill through the byte-level codec against `JSONEncoder` and
/// `JSONDecoder`: the same bytes written, the same value read, and nothing accepted that
/// Foundation refuses. Seeded (`VENUE_BYTES_SEED` replays).
@Suite("VenueOrder / VenueFill byte codec (golden against Foundation)")
struct VenueOrderBytesTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["VENUE_BYTES_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    @Test("today's bytes of a filled market order read and write as Foundation does")
    func goldenOrder() throws {
        let json = #"{"account":"acct-1","avg_price":"2525.5","client_order_id":"c-9","created_ts":1764650000000000000,"filled_qty":"0.01","fills":[{"account":"acct-1","client_order_id":"c-9","fee":"0.002525","fee_asset":"USDT","price":"2525.5","qty":"0.01","side":"buy","symbol":"ETH/USDT","trade_id":"T000000000005","trade_seq":5,"ts":1764650000000001500,"venue_order_id":"v-77"}],"qty":"0.01","side":"buy","status":"filled","symbol":"ETH/USDT","time_in_force":"IOC","type":"market","venue_order_id":"v-77"}"#
        let order = try JSONDecoder().decode(VenueOrder.self, from: Data(json.utf8))
        #expect(Data(json.utf8).withUnsafeBytes { VenueOrder.scanned(from: $0) } == order)
        #expect(order.writtenBytes().map { String(decoding: $0, as: UTF8.self) } == json)
        #expect(WireCodec.encode(order) == Data(json.utf8))
    }

    @Test("random orders and fills: the fast writer gives JSONEncoder's bytes, the fast reader JSONDecoder's value")
    func randomValuesMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed)
        var written = 0
        for _ in 0..<2_000 {
            let order = Self.randomOrder(&rng)
            let foundation = try Self.encoder.encode(order)
            if let fast = order.writtenBytes() {
                written += 1
                #expect(fast == Array(foundation), "seed \(Self.seed): \(String(decoding: foundation, as: UTF8.self))")
            } else {
                // Only a string that needs an escape makes the writer give up.
                #expect(String(decoding: foundation, as: UTF8.self).contains("\\"), "seed \(Self.seed)")
            }
            #expect(try JSONDecoder().decode(VenueOrder.self, from: foundation) == order, "seed \(Self.seed)")
            let scanned = foundation.withUnsafeBytes { VenueOrder.scanned(from: $0) }
            #expect(scanned == nil ? String(decoding: foundation, as: UTF8.self).contains("\\") : scanned == order, "seed \(Self.seed)")
            for fill in order.fills {
                let bytes = try Self.encoder.encode(fill)
                #expect(fill.writtenBytes().map { $0 == Array(bytes) } ?? true, "seed \(Self.seed)")
                #expect(bytes.withUnsafeBytes { VenueFill.scanned(from: $0) }.map { $0 == fill } ?? true, "seed \(Self.seed)")
            }
        }
        #expect(written > 0, "seed \(Self.seed)")
    }

    @Test("mutated bytes: whatever the fast reader accepts, JSONDecoder accepts with the same value")
    func mutationsNeverWidenWhatIsAccepted() throws {
        var rng = SeededRandom(seed: Self.seed ^ 0x7E11)
        var accepted = 0
        for _ in 0..<4_000 {
            let data = Data(JSONMutation.mutate(Array(try Self.encoder.encode(Self.randomOrder(&rng, escapes: false))), using: &rng))
            guard let scanned = data.withUnsafeBytes({ VenueOrder.scanned(from: $0) }) else { continue }
            accepted += 1
            #expect((try? JSONDecoder().decode(VenueOrder.self, from: data)) == scanned, "seed \(Self.seed): \(String(decoding: data, as: UTF8.self))")
        }
        #expect(accepted > 0, "seed \(Self.seed)")
    }

    /// `escapes`: strings may hold a quote, a backslash or a control character (which the
    /// fast path leaves to Foundation).
    static func randomOrder(_ rng: inout SeededRandom, escapes: Bool = true) -> VenueOrder {
        func text(_ rng: inout SeededRandom) -> String {
            let pieces = ["a", "Z", "0", "-", ":", "/", "é", "日", "😀"] + (escapes && rng.next() % 4 == 0 ? ["\"", "\\", "\u{1}"] : [])
            return (0..<Int(rng.next() % 8 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
        }
        func amount(_ rng: inout SeededRandom) -> ExactDecimal {
            ExactDecimal(units: Int128(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60)))
        }
        let side: Side = rng.next() % 2 == 0 ? .buy : .sell
        let statuses: [VenueOrderStatus] = [.new, .partiallyFilled, .filled, .canceled, .rejected, .expired]
        let fills = (0..<Int(rng.next() % 3)).map { _ in
            VenueFill(
                tradeId: text(&rng), tradeSeq: Int64(bitPattern: rng.next()), venueOrderId: text(&rng), clientOrderId: text(&rng),
                account: text(&rng), symbol: text(&rng), side: side, qty: amount(&rng), price: amount(&rng), fee: amount(&rng),
                feeAsset: text(&rng), ts: Int64(bitPattern: rng.next()))
        }
        return VenueOrder(
            venueOrderId: text(&rng), clientOrderId: text(&rng), account: text(&rng), symbol: text(&rng), side: side,
            type: rng.next() % 2 == 0 ? .market : .limit, qty: amount(&rng), price: rng.next() % 2 == 0 ? nil : amount(&rng),
            timeInForce: TimeInForce.allCases[Int(rng.next() % 3)], status: statuses[Int(rng.next() % 6)],
            filledQty: amount(&rng), avgPrice: rng.next() % 2 == 0 ? nil : amount(&rng),
            reason: rng.next() % 2 == 0 ? nil : text(&rng), createdTs: Int64(bitPattern: rng.next()), fills: fills)
    }
}
