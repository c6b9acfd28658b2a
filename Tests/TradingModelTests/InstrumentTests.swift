import Foundation
import Testing
import TradingModel

/// JSON shape and sanity rules of `Instrument`.
@Suite struct InstrumentTests {
    /// A spot instrument used by several tests.
    static let btc = Instrument(
        symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: .spot,
        tickSize: dec("0.01"), lotSize: dec("0.00001"), minNotional: dec("5"))

    @Test func encodesWithSnakeCaseKeys() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(Self.btc), as: UTF8.self)
        let expected = #"{"base":"BTC","kind":"spot","lot_size":"0.00001","min_notional":"5","quote":"USDT","#
            + #""symbol":"BTC/USDT","tick_size":"0.01"}"#
        #expect(json == expected)
    }

    @Test func decodesAPerpetual() throws {
        let json = #"{"symbol":"ETH-PERP","base":"ETH","quote":"USDT","kind":"linear_perpetual","#
            + #""tick_size":"0.1","lot_size":"0.001","min_notional":"0"}"#
        let perp = try JSONDecoder().decode(Instrument.self, from: Data(json.utf8))
        #expect(perp.kind == .linearPerpetual && perp.tickSize == dec("0.1") && perp.minNotional == .zero)
    }

    @Test(arguments: [
        (tick: "0", lot: "1", min: "0"), (tick: "0.1", lot: "0", min: "0"),
        (tick: "-0.1", lot: "1", min: "0"), (tick: "0.1", lot: "1", min: "-1"),
    ])
    func refusesBadTradingRules(tick: String, lot: String, min: String) {
        let json = #"{"symbol":"X/Y","base":"X","quote":"Y","kind":"spot","#
            + #""tick_size":"\#(tick)","lot_size":"\#(lot)","min_notional":"\#(min)"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Instrument.self, from: Data(json.utf8)) }
    }
}
