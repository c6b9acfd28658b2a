import Testing
import TradingModel

/// Example tests of the strict decimal parser and the canonical description.
@Suite struct ExactDecimalParsingTests {
    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("-0.000", "0"), ("1", "1"), ("0.1", "0.1"), ("50000.25", "50000.25"),
        ("50000.250000", "50000.25"), ("007.50", "7.5"), ("-3.5", "-3.5"), ("10", "10"), ("100.0", "100"),
        ("0.000000000001", "0.000000000001"), ("-0.000000000001", "-0.000000000001"),
        ("123456789.123456789012", "123456789.123456789012"),
        ("170141183460469231731687303.715884105727", "170141183460469231731687303.715884105727"),
        ("-170141183460469231731687303.715884105728", "-170141183460469231731687303.715884105728"),
    ])
    func acceptsAndCanonicalizes(input: String, canonical: String) throws {
        let value = try #require(ExactDecimal(input))
        #expect(value.description == canonical)
        #expect(String(describing: value) == canonical)
    }

    @Test(arguments: [
        "", "-", "+1", "+", "1e5", "1E5", "1.5e-3", " 1", "1 ", "1 000", ".5", "-.5", "1.", "-1.", ".",
        "--1", "-+1", "1..2", "1.2.3", "0x10", "1,5", "1_000", "NaN", "inf", "-inf", "abc", "1a", "\u{0661}",
        "１", "1.0000000000001", "0.1234567890123",
        "170141183460469231731687303.715884105728", "-170141183460469231731687303.715884105729",
        "170141183460469231731687304", "999999999999999999999999999999999999999999999",
    ])
    func rejects(input: String) {
        #expect(ExactDecimal(input) == nil, "accepted \(input.debugDescription)")
    }

    @Test func extremesMatchInt128Limits() {
        #expect(ExactDecimal("170141183460469231731687303.715884105727")?.units == .max)
        #expect(ExactDecimal("-170141183460469231731687303.715884105728")?.units == .min)
    }

    @Test func integerInitializerScales() {
        #expect(ExactDecimal(5).units == 5_000_000_000_000)
        #expect(ExactDecimal(-2).description == "-2")
        #expect(ExactDecimal(Int.max).description == "9223372036854775807")
        #expect(ExactDecimal(Int.min).description == "-9223372036854775808")
        #expect(ExactDecimal(0) == .zero)
    }

    @Test func unitsAreTwelveFractionDigits() {
        #expect(ExactDecimal.fractionDigits == 12)
        #expect(ExactDecimal(units: 1).description == "0.000000000001")
        #expect(ExactDecimal(units: -1_500_000_000_000).description == "-1.5")
        #expect(ExactDecimal("0.1")?.units == 100_000_000_000)
    }
}
