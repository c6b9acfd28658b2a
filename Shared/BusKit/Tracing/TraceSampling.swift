import Synchronization

/// The head sampling decision of this process (issue 13): a trace started here is
/// sampled with probability `percent` %; the W3C sampled flag then travels with it, so
/// every process records a sampled trace whole and an unsampled one not at all (except
/// spans that end in an error, see `BusSpan`). A client marks a request sampled by
/// sending a traceparent whose flags are `01` (`tradectl order submit --trace`).
///
/// Set once at start-up from `BW_TRACE_SAMPLE_PERCENT` (ServiceMain); default 1.
public enum TraceSampling {
    private static let storedPercent = Atomic<Int>(1)

    /// The share of new traces that are sampled, 0…100.
    public static var percent: Int {
        get { storedPercent.load(ordering: .relaxed) }
        set {
            precondition((0...100).contains(newValue), "a sampling percentage is 0…100")
            storedPercent.store(newValue, ordering: .relaxed)
        }
    }

    /// Whether a new trace is sampled.
    public static func decide(using ids: some IDGenerator) -> Bool {
        let percent = percent
        if percent >= 100 { return true }
        if percent <= 0 { return false }
        // Two hex digits of fresh randomness: 0…255 scaled onto 0…99 closely enough.
        guard let draw = UInt8(ids.hex(bytes: 1), radix: 16) else { return false }
        return Int(draw) * 100 / 256 < percent
    }
}
