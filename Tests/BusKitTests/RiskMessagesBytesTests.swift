import BusKit
import BusProtocol
import Foundation
import TestSupport
import Testing
import TradingModel

/// `risk.authorize`'s request and decision, and `risk.venue_outcomes`, through the byte-level codec against Foundation's:
/// the same bytes out, the same value in, nothing accepted that `JSONDecoder` would refuse.
/// Seeded (`RISK_BYTES_SEED` replays).
@Suite("RiskAuthorize / RiskDecision / VenueOutcomeBatch byte codec (golden against JSONEncoder / JSONDecoder)")
struct RiskMessagesBytesTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["RISK_BYTES_SEED"].flatMap(UInt64.init)
        ?? UInt64.random(in: 1...UInt64.max)

    @Test("today's wire bytes of an authorize request and of an approval with its order")
    func goldenBytes() throws {
        let request = #"{"account":"acct-1","base":"ETH","client_order_id":"c-9","price":"2550.75","qty":"0.01","quote":"USDT","reduce_only":true,"side":"buy","symbol":"ETH/USDT","time_in_force":"IOC","type":"market"}"#
        let decision = #"{"approved":true,"existing":true,"intent_seq":41,"order":{"account":"acct-1","client_order_id":"c-9","filled_qty":"0","price":"2550.75","qty":"0.01","side":"buy","state":"pending_new","symbol":"ETH/USDT","type":"market"},"qty":"0.01","reserve_amount":"25.280755","reserve_asset":"USDT"}"#
        try RequestBytesTests.golden(RiskAuthorize.self, request)
        try RequestBytesTests.golden(RiskDecision.self, decision)
        let outcomes = #"{"outcomes":[{"account":"acct-1","client_order_id":"c-9","result":"ok"},{"account":"acct-1","client_order_id":"c-10","code":"UNAVAILABLE","reason":"venue_ip_banned","result":"transient"}]}"#
        try RequestBytesTests.golden(VenueOutcomeBatch.self, outcomes)
        for state in BreakerTransition.State.allCases {
            let ack = VenueOutcomeAck(breaker: state)
            #expect(WireCodec.encode(ack) == (try HeaderBytesTests.foundationEncoder.encode(ack)))
            #expect(ack.writtenBytes() != nil)
        }
    }

    @Test("random requests and decisions: JSONEncoder's bytes, JSONDecoder's values, the fast path taken for plain ones")
    func randomMatchFoundation() throws {
        var rng = SeededRandom(seed: Self.seed)
        for round in 0..<2_000 {
            let plain = round % 2 == 0
            try RequestBytesTests.matches(Self.randomAuthorize(&rng, plain: plain), plain: plain, seed: Self.seed)
            try RequestBytesTests.matches(Self.randomDecision(&rng, plain: plain), plain: plain, seed: Self.seed)
            try RequestBytesTests.matches(Self.randomOutcomes(&rng, plain: plain), plain: plain, seed: Self.seed)
        }
    }

    @Test("mutated bytes: whatever the fast readers accept, JSONDecoder accepts with the same value")
    func mutationsNeverWidenWhatIsAccepted() throws {
        var rng = SeededRandom(seed: Self.seed ^ 0x215C)
        var accepted = 0
        for _ in 0..<3_000 {
            accepted += try RequestBytesTests.mutatedAgrees(Self.randomAuthorize(&rng, plain: true), &rng, seed: Self.seed) ? 1 : 0
            accepted += try RequestBytesTests.mutatedAgrees(Self.randomDecision(&rng, plain: true), &rng, seed: Self.seed) ? 1 : 0
            accepted += try RequestBytesTests.mutatedAgrees(Self.randomOutcomes(&rng, plain: true), &rng, seed: Self.seed) ? 1 : 0
        }
        #expect(accepted > 0, "seed \(Self.seed)")
    }

    @Test("a number for a decimal, or an unknown key, is left to JSONDecoder, which refuses or reads it as before", arguments: [
        #"{"account":"a","base":"B","client_order_id":"c","price":1.5,"qty":"1","quote":"Q","side":"buy","symbol":"S","time_in_force":"IOC","type":"market"}"#,
        #"{"account":"a","base":"B","client_order_id":"c","price":"1.5","qty":"1","quote":"Q","side":"buy","symbol":"S","time_in_force":"IOC","type":"market","extra":1}"#,
    ])
    func leftToFoundation(json: String) {
        #expect(Data(json.utf8).withUnsafeBytes { RiskAuthorize.scanned(from: $0) } == nil)
    }

    // MARK: - Generators

    static func randomAuthorize(_ rng: inout SeededRandom, plain: Bool) -> RiskAuthorize {
        let order = OrderViewBytesTests.randomOrder(&rng, plain: plain)
        return RiskAuthorize(
            account: order.account, clientOrderId: order.clientOrderId, symbol: order.symbol,
            base: order.venueOrderId ?? "BTC", quote: order.reason ?? "USDT", side: order.side, type: order.type, qty: order.qty,
            price: order.filledQty, timeInForce: TimeInForce.allCases[Int(rng.next() % 3)],
            reduceOnly: rng.next() % 3 == 0 ? nil : rng.next() % 2 == 0)
    }

    static func randomDecision(_ rng: inout SeededRandom, plain: Bool) -> RiskDecision {
        let ack = OrderViewBytesTests.randomAck(&rng, plain: plain)
        let order = OrderViewBytesTests.randomOrder(&rng, plain: plain)
        return RiskDecision(
            approved: rng.next() % 2 == 0, qty: order.qty, reserveAsset: order.symbol, reserveAmount: order.filledQty,
            intentSeq: Int64(bitPattern: rng.next()) >> Int64(rng.next() % 63), order: ack.order,
            existing: rng.next() % 3 == 0 ? nil : rng.next() % 2 == 0)
    }

    static func randomOutcomes(_ rng: inout SeededRandom, plain: Bool) -> VenueOutcomeBatch {
        let results: [VenueOutcome.Result] = [.ok, .transient, .permanent, .fatal]
        return VenueOutcomeBatch(outcomes: (0..<Int(rng.next() % 4)).map { _ in
            let order = OrderViewBytesTests.randomOrder(&rng, plain: plain)
            return VenueOutcome(
                account: order.account, clientOrderId: order.clientOrderId, result: results[Int(rng.next() % 4)],
                code: order.venueOrderId, reason: order.reason)
        })
    }
}
