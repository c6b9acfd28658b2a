import BusProtocol
import Foundation
import Testing
import TradingModel

/// A body with one money field, as any message carrying money would have.
private struct Priced: Codable, Equatable {
    /// A required money field.
    var price: ExactDecimal
    /// An optional money field.
    var fee: ExactDecimal?
}

/// JSON coding of `ExactDecimal`: decimal strings only, JSON numbers refused (M1).
@Suite struct ExactDecimalCodableTests {
    /// The exact error a JSON number in a money field must produce.
    static let numberNotString = ServiceError(
        .invalidNumber, reason: "number_not_string", "money and quantities are decimal strings, e.g. \"0.1\"")

    private func decode(_ json: String) throws -> Priced {
        try JSONDecoder().decode(Priced.self, from: Data(json.utf8))
    }

    @Test func encodesAsACanonicalString() throws {
        let data = try JSONEncoder().encode([dec("0.10"), dec("-3"), dec("50000.25")])
        #expect(String(decoding: data, as: UTF8.self) == #"["0.1","-3","50000.25"]"#)
    }

    @Test func decodesAString() throws {
        #expect(try decode(#"{"price": "50000.25"}"#) == Priced(price: dec("50000.25")))
        #expect(try decode(#"{"price": "1", "fee": "0.001"}"#) == Priced(price: dec("1"), fee: dec("0.001")))
        #expect(try decode(#"{"price": "1", "fee": null}"#) == Priced(price: dec("1"), fee: nil))
    }

    @Test(arguments: [#"{"price": 0.1}"#, #"{"price": 1}"#, #"{"price": 1e3}"#, #"{"price": true}"#, #"{"price": null}"#,
                      #"{"price": "1", "fee": 0.5}"#])
    func refusesANonString(json: String) {
        #expect(throws: Self.numberNotString) { try decode(json) }
    }

    @Test(arguments: [#"{"price": "0.1e1"}"#, #"{"price": ""}"#, #"{"price": " 1"}"#, #"{"price": "1.0000000000001"}"#,
                      #"{"price": "+1"}"#])
    func refusesAMalformedString(json: String) {
        let error = #expect(throws: ServiceError.self) { try decode(json) }
        #expect(error?.code == .invalidNumber)
        #expect(error?.reason == "malformed_decimal")
    }

    @Test func refusesANumberInsideAnOrderSubmit() {
        let json = #"{"account":"a1","symbol":"BTC/USDT","side":"buy","type":"limit","qty":"1","price":50000.1}"#
        #expect(throws: Self.numberNotString) {
            try JSONDecoder().decode(OrderSubmit.self, from: Data(json.utf8))
        }
    }
}
