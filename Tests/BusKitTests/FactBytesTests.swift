import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel

/// The byte-level writer of appends and stored payloads against `JSONEncoder`: the same bytes
/// for every hot fact, and Foundation's for everything else. Seeded (`FACT_BYTES_SEED` replays).
@Suite("JournalAppend / fact payload byte writer (golden against JSONEncoder)")
struct FactBytesTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["FACT_BYTES_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)

    static let encoder = JournalRecordBytesTests.encoder

    @Test("today's append of an intent is written byte for byte as JSONEncoder writes it, payload included")
    func goldenIntentAppend() throws {
        let json = #"{"epoch":2,"facts":[{"account":"acct-1","id":"intent:acct-1:c-9","payload":{"approved_at":1764650000000000000,"client_order_id":"c-9","closing":true,"price":"2525.5","qty":"0.01","reserve_amount":"25.280755","reserve_asset":"USDT","side":"buy","symbol":"ETH/USDT","time_in_force":"IOC","type":"market"},"type":"order.intent"}],"partition":7}"#
        let append = try JSONDecoder().decode(JournalAppend.self, from: Data(json.utf8))
        #expect(try Self.encoder.encode(append) == Data(json.utf8))
        #expect(append.writtenBytes().map { String(decoding: $0, as: UTF8.self) } == json)
        #expect(WireCodec.encode(append) == Data(json.utf8))
        let payload = try #require(append.facts.first?.payload)
        #expect(try payload.writtenBodyBytes() == Array(payload.bodyJSON(using: Self.encoder)))
    }

    @Test("random appends and payloads of hot facts: the fast writer gives JSONEncoder's bytes, or gives up on an escape")
    func randomAppendsMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed)
        var written = 0
        for _ in 0..<2_000 {
            let facts = (0..<Int(rng.next() % 3 + 1)).map { _ in
                JournalRecordBytesTests.randomRecord(&rng, escapes: true, closing: true).fact
            }
            let append = JournalAppend(
                facts: facts, partition: rng.next() % 2 == 0 ? nil : Int(rng.next() % 64),
                epoch: rng.next() % 2 == 0 ? nil : Int64(rng.next() % 100))
            let foundation = try Self.encoder.encode(append)
            if let fast = append.writtenBytes() {
                written += 1
                #expect(fast == Array(foundation), "seed \(Self.seed): \(String(decoding: foundation, as: UTF8.self))")
            } else {
                // Only a string that needs an escape makes the writer give up.
                #expect(String(decoding: foundation, as: UTF8.self).contains("\\"), "seed \(Self.seed)")
            }
            #expect(WireCodec.encode(append) == foundation, "seed \(Self.seed)")
            for fact in facts {
                let body = try fact.payload.bodyJSON(using: Self.encoder)
                #expect(fact.payload.writtenBodyBytes().map { $0 == Array(body) } ?? String(decoding: body, as: UTF8.self).contains("\\"),
                        "seed \(Self.seed): \(String(decoding: body, as: UTF8.self))")
            }
        }
        #expect(written > 0, "seed \(Self.seed)")
    }

    @Test("an append with any other fact type is Foundation's, with the same bytes on the wire")
    func otherFactsAreFoundations() throws {
        let canceled = Fact(id: "x", account: "a", payload: .orderClosed(OrderClosed(clientOrderId: "c", state: .canceled, reason: "user")))
        let accepted = Fact(id: "y", account: "a", payload: .orderAccepted(OrderAccepted(clientOrderId: "c", venueOrderId: "v")))
        let append = JournalAppend(facts: [accepted, canceled], partition: 3)
        #expect(append.writtenBytes() == nil)
        #expect(canceled.payload.writtenBodyBytes() == nil)
        #expect(WireCodec.encode(append) == (try Self.encoder.encode(append)))
    }
}
