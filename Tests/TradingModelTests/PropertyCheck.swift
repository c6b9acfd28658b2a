import Testing

/// A property that did not hold; carries what was observed.
struct PropertyFailure: Error {
    /// What went wrong, with the values involved.
    let message: String
}

/// Fails the current property iteration with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(PropertyFailure) {
    if !condition { throw PropertyFailure(message: message()) }
}

/// Runs `body` `iterations` times with a generator seeded by `seed`; records the first
/// failure with the seed and iteration (enough to reproduce it) and stops.
func forAll(
    seed: UInt64, iterations: Int = 2_000, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (inout SplitMix64) throws(PropertyFailure) -> Void
) {
    var rng = SplitMix64(seed: seed)
    for iteration in 0..<iterations {
        do {
            try body(&rng)
        } catch {
            Issue.record("property failed, seed \(seed) iteration \(iteration): \(error.message)", sourceLocation: sourceLocation)
            return
        }
    }
}
