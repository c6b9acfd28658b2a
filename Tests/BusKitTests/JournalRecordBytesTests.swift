import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel

/// The fact stream's byte-level reader against `JSONDecoder`: the same record from the
/// writer's published form and from `JSONEncoder`'s, and nothing accepted that Foundation
/// refuses. Seeded (`RECORD_BYTES_SEED` replays).
@Suite("JournalRecord byte reader (golden against JSONDecoder)")
struct JournalRecordBytesTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["RECORD_BYTES_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func scanned(_ data: Data) -> JournalRecord? {
        data.withUnsafeBytes { JournalRecord.scanned(from: $0) }
    }

    @Test("today's published bytes of an intent, an acceptance and a fill read as JSONDecoder reads them")
    func goldenRecords() throws {
        let published = [
            #"{"seq":41,"fact":{"id":"intent:acct-1:c-9","type":"order.intent","account":"acct-1","payload":{"approved_at":1764650000000000000,"client_order_id":"c-9","price":"2525.5","qty":"0.01","reserve_amount":"25.280755","reserve_asset":"USDT","side":"buy","symbol":"ETH/USDT","time_in_force":"IOC","type":"market"}},"partition":7,"epoch":2,"ts":1764650000000001000}"#,
            #"{"seq":42,"fact":{"id":"acc:c-9","type":"order.accepted","account":"acct-1","payload":{"client_order_id":"c-9","venue_order_id":"v-77"}},"ts":1764650000000002000}"#,
            #"{"seq":43,"fact":{"id":"fill:sim:t-5","type":"fill.recorded","account":"acct-1","payload":{"client_order_id":"c-9","fee":"0.002525","fee_asset":"USDT","price":"2525.5","qty":"0.01","side":"buy","symbol":"ETH/USDT","trade_id":"t-5","ts":1764650000000001500,"venue_order_id":"v-77"}},"ts":1764650000000003000}"#,
        ]
        for json in published {
            let data = Data(json.utf8)
            let read = try JSONDecoder().decode(JournalRecord.self, from: data)
            #expect(Self.scanned(data) == read)
            // The same record as JSONEncoder writes it (payload before type) reads the same too.
            let sorted = try Self.encoder.encode(read)
            #expect(Self.scanned(sorted) == read)
        }
    }

    @Test("random hot records: the fast reader gives JSONDecoder's record, and takes every plain one")
    func randomRecordsMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed)
        for _ in 0..<2_000 {
            let record = Self.randomRecord(&rng)
            let data = try Self.encoder.encode(record)
            let read = try JSONDecoder().decode(JournalRecord.self, from: data)
            #expect(read == record, "seed \(Self.seed)")
            #expect(Self.scanned(data) == read, "seed \(Self.seed): \(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test("mutated record bytes: whatever the fast reader accepts, JSONDecoder accepts with the same value")
    func mutationsNeverWidenWhatIsAccepted() throws {
        var rng = SeededRandom(seed: Self.seed ^ 0x5DEECE66D)
        var accepted = 0
        for _ in 0..<4_000 {
            let bytes = JSONMutation.mutate(Array(try Self.encoder.encode(Self.randomRecord(&rng))), using: &rng)
            let data = Data(bytes)
            guard let scanned = Self.scanned(data) else { continue }
            accepted += 1
            #expect((try? JSONDecoder().decode(JournalRecord.self, from: data)) == scanned,
                    "seed \(Self.seed): \(String(decoding: data, as: UTF8.self))")
        }
        #expect(accepted > 0, "seed \(Self.seed)")
    }

    @Test("random appends of hot facts: the fast reader gives JSONDecoder's append; mutated bytes it takes, JSONDecoder takes alike")
    func randomAppendsMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed ^ 0xA99E4D)
        var accepted = 0
        for round in 0..<2_000 {
            let facts = (0..<Int(rng.next() % 3 + 1)).map { _ in Self.randomRecord(&rng).fact }
            let append = JournalAppend(
                facts: facts, partition: rng.next() % 2 == 0 ? nil : Int(rng.next() % 64),
                epoch: rng.next() % 2 == 0 ? nil : Int64(rng.next() % 100))
            let data = try Self.encoder.encode(append)
            #expect(try JSONDecoder().decode(JournalAppend.self, from: data) == append, "seed \(Self.seed)")
            #expect(data.withUnsafeBytes { JournalAppend.scanned(from: $0) } == append, "seed \(Self.seed): \(String(decoding: data, as: UTF8.self))")
            guard round % 2 == 0 else { continue }
            let mutated = Data(JSONMutation.mutate(Array(data), using: &rng))
            guard let scanned = mutated.withUnsafeBytes({ JournalAppend.scanned(from: $0) }) else { continue }
            accepted += 1
            #expect((try? JSONDecoder().decode(JournalAppend.self, from: mutated)) == scanned,
                    "seed \(Self.seed): \(String(decoding: mutated, as: UTF8.self))")
        }
        #expect(accepted > 0, "seed \(Self.seed)")
        // An append with another fact type, or an unknown key, is left to JSONDecoder.
        let closed = #"{"facts":[{"id":"x","type":"order.canceled","account":"a","payload":{"client_order_id":"c","state":"canceled"}}]}"#
        let extra = #"{"facts":[],"partition":1,"extra":true}"#
        for json in [closed, extra] {
            #expect(Data(json.utf8).withUnsafeBytes { JournalAppend.scanned(from: $0) } == nil)
            #expect((try? JSONDecoder().decode(JournalAppend.self, from: Data(json.utf8))) != nil)
        }
    }

    @Test("other fact types and refused bodies are left to JSONDecoder", arguments: [
        #"{"seq":1,"fact":{"id":"x","type":"order.canceled","account":"a","payload":{"client_order_id":"c","state":"canceled"}},"ts":1}"#,
        #"{"seq":1,"fact":{"id":"x","type":"order.accepted","account":"a","payload":{"client_order_id":"c","venue_order_id":"v","extra":1}},"ts":1}"#,
        #"{"seq":1,"fact":{"id":"x","type":"fill.recorded","account":"a","payload":{"client_order_id":"c","fee":0.1,"fee_asset":"U","price":"1","qty":"1","side":"buy","symbol":"S","trade_id":"t","ts":1,"venue_order_id":"v"}},"ts":1}"#,
        #"{"seq":1,"fact":{"id":"x","type":"order.intent","account":"a","payload":{"client_order_id":"c","qty":"1.0000000000001","reserve_amount":"1","reserve_asset":"U","side":"buy","symbol":"S","time_in_force":"IOC","type":"market"}},"ts":1}"#,
    ])
    func leftToFoundation(json: String) {
        #expect(Self.scanned(Data(json.utf8)) == nil)
    }

    // MARK: - Generators

    /// `escapes`: strings may hold a quote, a backslash or a control character; `closing`: an
    /// intent may carry the closing flag (both outside the fast reader's subset, so only the
    /// writer's tests ask for them).
    static func randomRecord(_ rng: inout SeededRandom, escapes: Bool = false, closing: Bool = false) -> JournalRecord {
        func text(_ rng: inout SeededRandom) -> String {
            let pieces = ["a", "Z", "0", "-", ":", "/", "é", "日", "😀"] + (escapes && rng.next() % 4 == 0 ? ["\"", "\\", "\u{1}"] : [])
            return (0..<Int(rng.next() % 8 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
        }
        func amount(_ rng: inout SeededRandom) -> ExactDecimal {
            ExactDecimal(units: Int128(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60)))
        }
        let side: Side = rng.next() % 2 == 0 ? .buy : .sell
        let payload: FactPayload
        switch rng.next() % 3 {
        case 0:
            payload = .orderIntent(OrderIntent(
                clientOrderId: text(&rng), symbol: text(&rng), side: side, type: rng.next() % 2 == 0 ? .market : .limit,
                qty: amount(&rng), price: rng.next() % 2 == 0 ? nil : amount(&rng),
                timeInForce: TimeInForce.allCases[Int(rng.next() % 3)], reserveAsset: text(&rng), reserveAmount: amount(&rng),
                approvedAt: rng.next() % 2 == 0 ? nil : Int64(bitPattern: rng.next()),
                closing: closing && rng.next() % 2 == 0 ? rng.next() % 2 == 0 : nil))
        case 1:
            payload = .orderAccepted(OrderAccepted(clientOrderId: text(&rng), venueOrderId: text(&rng)))
        default:
            payload = .fillRecorded(FillRecorded(
                clientOrderId: text(&rng), venueOrderId: text(&rng), tradeId: text(&rng), symbol: text(&rng), side: side,
                qty: amount(&rng), price: amount(&rng), fee: amount(&rng), feeAsset: text(&rng), ts: Int64(bitPattern: rng.next())))
        }
        return JournalRecord(
            seq: Int64(rng.next() % 1_000_000), fact: Fact(id: text(&rng), account: text(&rng), payload: payload),
            partition: rng.next() % 2 == 0 ? nil : Int(rng.next() % 64), epoch: rng.next() % 2 == 0 ? nil : Int64(rng.next() % 100),
            ts: Int64(bitPattern: rng.next()))
    }
}
