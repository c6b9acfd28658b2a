import TradingModel

/// A tiny, seedable, deterministic random number generator (SplitMix64) for property tests.
///
/// The same seed always yields the same sequence, so a failure report's seed and
/// iteration reproduce it exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A decimal of either sign whose units have up to `maxDigits` digits; the digit
    /// count is drawn first so that small and large magnitudes are equally common.
    mutating func decimal(maxDigits: Int = 30) -> ExactDecimal {
        let bound = power10(Int.random(in: 0...maxDigits, using: &self))
        return ExactDecimal(units: Int128.random(in: -bound...bound, using: &self))
    }

    /// A positive decimal whose units have up to `maxDigits` digits.
    mutating func positiveDecimal(maxDigits: Int = 30) -> ExactDecimal {
        let bound = power10(Int.random(in: 0...maxDigits, using: &self))
        return ExactDecimal(units: Int128.random(in: 1...max(bound, 1), using: &self))
    }

    /// A non-zero decimal of either sign whose units have up to `maxDigits` digits.
    mutating func nonZeroDecimal(maxDigits: Int) -> ExactDecimal {
        let value = positiveDecimal(maxDigits: maxDigits)
        return Bool.random(using: &self) ? value : -value
    }
}

/// `10^n` as an `Int128` (n ≤ 38).
func power10(_ n: Int) -> Int128 {
    (0..<n).reduce(Int128(1)) { value, _ in value * 10 }
}

/// The fixed seeds every property test runs with; add one to widen coverage.
let propertySeeds: [UInt64] = [1, 42, 0x5EED, 0xDEAD_BEEF, 20_260_101, 0xFFFF_FFFF_FFFF_FFFF]
