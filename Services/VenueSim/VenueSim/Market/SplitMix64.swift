/// SplitMix64: a tiny, fast, seeded pseudo-random generator (Steele, Lea, Flood 2014).
///
/// The paper market must replay exactly from a seed, on every platform and every
/// Swift version, so it does not use the standard library's `random(in:using:)`
/// (whose algorithm is not a documented contract) and never touches floating point.
public struct SplitMix64: Sendable, Equatable, Codable {
    /// The generator's whole state; the next output depends only on it.
    public private(set) var state: UInt64

    /// Creates a generator; equal seeds give equal sequences.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// The next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next integer in `range`, uniform up to a modulo bias of at most
    /// `range.count / 2^64` (negligible for the small ranges of a random walk).
    public mutating func next(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }
}
