import Foundation
import Testing
import TradingModel

/// Wire spellings of the small enums (PROTOCOL.md).
@Suite struct EnumCodingTests {
    private func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    @Test func wireSpellings() throws {
        #expect(try json(Side.allCases) == #"["buy","sell"]"#)
        #expect(try json(OrderType.allCases) == #"["market","limit"]"#)
        #expect(try json(TimeInForce.allCases) == #"["GTC","IOC","FOK"]"#)
        #expect(try json(InstrumentKind.allCases) == #"["spot","linear_perpetual"]"#)
        let states = #"["pending_new","accepted","partially_filled","filled","canceled","rejected","expired","unknown"]"#
        #expect(try json(OrderState.allCases) == states)
    }

    @Test func refusesOtherSpellings() {
        let decoder = JSONDecoder()
        #expect(throws: DecodingError.self) { try decoder.decode(Side.self, from: Data(#""BUY""#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(TimeInForce.self, from: Data(#""gtc""#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(OrderState.self, from: Data(#""partiallyFilled""#.utf8)) }
    }
}
