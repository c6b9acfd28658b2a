import Foundation
import Testing
import TradingModel

/// Seeded property tests of `ExactDecimal`: each runs 2,000 random cases per seed.
@Suite struct ExactDecimalPropertyTests {
    /// `10^12`: units per one.
    static let scale = power10(ExactDecimal.fractionDigits)

    @Test(arguments: propertySeeds)
    func descriptionParsesBackToTheSameValue(seed: UInt64) {
        forAll(seed: seed) { rng throws(PropertyFailure) in
            let x = rng.decimal(maxDigits: 38)
            try require(ExactDecimal(x.description) == x, "parse(\(x)) != x (units \(x.units))")
            try require(!x.description.hasPrefix("-0") || x.description.hasPrefix("-0."), "\(x) has a negative zero")
        }
    }

    /// The byte-level `description` against an oracle built from `String(units)` (the
    /// standard library's Int128 digits with the point put 12 from the right), over every
    /// digit count and the extremes, where the whole part no longer fits 64 bits.
    @Test(arguments: propertySeeds)
    func descriptionIsTheDigitsOfItsUnitsWithThePoint(seed: UInt64) {
        func oracle(_ units: Int128) -> String {
            var digits = String(units.magnitude)
            if digits.count <= ExactDecimal.fractionDigits {
                digits = String(repeating: "0", count: ExactDecimal.fractionDigits + 1 - digits.count) + digits
            }
            var fraction = String(digits.suffix(ExactDecimal.fractionDigits))
            while fraction.hasSuffix("0") { fraction.removeLast() }
            let whole = String(digits.dropLast(ExactDecimal.fractionDigits))
            return (units < 0 ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
        }
        let extremes: [Int128] = [0, 1, -1, 10, Int128.max, Int128.min + 1, power10(12), -power10(12), power10(31) - 1, power10(31), -power10(31)]
        for units in extremes {
            #expect(ExactDecimal(units: units).description == oracle(units), "units \(units)")
        }
        forAll(seed: seed) { rng throws(PropertyFailure) in
            let x = rng.decimal(maxDigits: 38)
            try require(x.description == oracle(x.units), "\(x.description) != \(oracle(x.units)) (units \(x.units))")
        }
    }

    @Test(arguments: propertySeeds)
    func addingThenSubtractingIsIdentity(seed: UInt64) {
        forAll(seed: seed) { rng throws(PropertyFailure) in
            let a = rng.decimal(maxDigits: 36), b = rng.decimal(maxDigits: 36)
            try require(a + b - b == a, "\(a) + \(b) - \(b) != \(a)")
            var c = a
            c += b
            c -= a
            try require(c == b && -(-a) == a, "compound assignment or negation broke for \(a), \(b)")
        }
    }

    @Test(arguments: propertySeeds)
    func roundingToAnIncrementBracketsTheValue(seed: UInt64) {
        forAll(seed: seed) { rng throws(PropertyFailure) in
            let x = rng.decimal(maxDigits: 30), increment = rng.positiveDecimal(maxDigits: 16)
            let down = x.rounded(toIncrement: increment, .down), up = x.rounded(toIncrement: increment, .up)
            let context = "x \(x) increment \(increment) down \(down) up \(up)"
            try require(down <= x && x <= up, "not bracketed: \(context)")
            try require(up - down == .zero || up - down == increment, "up - down not in {0, increment}: \(context)")
            for direction in RoundingDirection.allCases {
                let r = x.rounded(toIncrement: increment, direction)
                try require(r.isMultiple(of: increment), "\(direction) \(r) not a multiple: \(context)")
                try require(r.rounded(toIncrement: increment, direction) == r, "\(direction) not idempotent: \(context)")
                let count = r.units / increment.units
                let correct = RoundingOracle.isCorrect(
                    result: count, diff: x.units - r.units, divisor: increment.units, direction)
                try require(correct, "\(direction) gave \(r): \(context)")
            }
        }
    }

    @Test(arguments: propertySeeds)
    func halfEvenSendsTiesToTheEvenMultiple(seed: UInt64) {
        forAll(seed: seed) { rng throws(PropertyFailure) in
            let half = rng.positiveDecimal(maxDigits: 14)
            let increment = half + half
            let k = Int128.random(in: -1_000_000_000...1_000_000_000, using: &rng)
            let tie = ExactDecimal(units: k * increment.units + half.units)
            let expected = ExactDecimal(units: (k.isMultiple(of: 2) ? k : k + 1) * increment.units)
            let got = tie.rounded(toIncrement: increment, .halfEven)
            try require(got == expected, "tie \(tie) to \(increment): got \(got), expected \(expected)")
        }
    }

    @Test(arguments: propertySeeds)
    func multiplicationRoundingBracketsTheExactProduct(seed: UInt64) {
        forAll(seed: seed) { rng throws(PropertyFailure) in
            let a = rng.decimal(maxDigits: 25), b = rng.decimal(maxDigits: 25)
            let exact = a.units.multipliedFullWidth(by: b.units)
            let down = a.multiplied(by: b, rounding: .down), up = a.multiplied(by: b, rounding: .up)
            try require(up.units - down.units <= 1 && down <= up, "\(a) × \(b): down \(down) up \(up)")
            for direction in RoundingDirection.allCases {
                let r = a.multiplied(by: b, rounding: direction)
                let correct = RoundingOracle.isCorrectQuotient(r, numerator: exact, divisor: Self.scale, direction)
                try require(correct, "\(a) × \(b) \(direction) gave \(r)")
                try require(a.checkedMultiplied(by: b, rounding: direction) == r, "checked differs for \(a) × \(b)")
            }
        }
    }

    @Test(arguments: propertySeeds)
    func divisionRoundingBracketsTheExactQuotient(seed: UInt64) {
        forAll(seed: seed) { rng throws(PropertyFailure) in
            let a = rng.decimal(maxDigits: 25), b = rng.nonZeroDecimal(maxDigits: 25)
            // |a| ≤ 10^25 units and |b| ≥ 1 unit: the quotient always fits.
            let sample = a.checkedDivided(by: b, rounding: .towardZero)
            let exact = a.units.multipliedFullWidth(by: Self.scale)
            let down = a.divided(by: b, rounding: .down), up = a.divided(by: b, rounding: .up)
            try require(up.units - down.units <= 1 && down <= up, "\(a) / \(b): down \(down) up \(up)")
            try require(sample == a.divided(by: b, rounding: .towardZero), "checked differs for \(a) / \(b)")
            for direction in RoundingDirection.allCases {
                let r = a.divided(by: b, rounding: direction)
                let correct = RoundingOracle.isCorrectQuotient(r, numerator: exact, divisor: b.units, direction)
                try require(correct, "\(a) / \(b) \(direction) gave \(r)")
            }
        }
    }

    @Test(arguments: propertySeeds)
    func jsonRoundTripKeepsTheValue(seed: UInt64) throws {
        let encoder = JSONEncoder(), decoder = JSONDecoder()
        var values: [ExactDecimal] = []
        var rng = SplitMix64(seed: seed)
        for _ in 0..<2_000 { values.append(rng.decimal(maxDigits: 38)) }
        let data = try encoder.encode(values)
        let decoded = try decoder.decode([ExactDecimal].self, from: data)
        try #require(decoded.count == values.count, "seed \(seed)")
        let mismatch = values.indices.first { values[$0] != decoded[$0] }
        #expect(mismatch == nil, "seed \(seed): \(mismatch.map { "\(values[$0]) came back as \(decoded[$0])" } ?? "")")
    }
}
