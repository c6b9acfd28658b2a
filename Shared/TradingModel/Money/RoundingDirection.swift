/// How to round a value that falls between two representable results.
///
/// There is no default: every rounding in Breakwater names its direction, because
/// the right one depends on whose side the error may fall (e.g. round a buy's
/// reservation up, a tick-aligned sell price up, a quantity down).
public enum RoundingDirection: Sendable, CaseIterable {
    /// Toward negative infinity (floor).
    case down
    /// Toward positive infinity (ceiling).
    case up
    /// Toward zero (truncation).
    case towardZero
    /// Away from zero.
    case awayFromZero
    /// To the nearest result; exact ties go to the even one (banker's rounding).
    case halfEven

    /// The step (-1, 0 or +1) that rounds the exact quotient `q + r / d` to an integer
    /// in this direction, where `q` is the quotient truncated toward zero and `r` the
    /// remainder with the dividend's sign (`d != 0`). Callers add it to `q`.
    func adjustment(quotient q: Int128, remainder r: Int128, divisor d: Int128) -> Int128 {
        guard r != 0 else { return 0 }
        // The exact value lies above q when r/d is positive; with truncation toward zero
        // that is exactly the case of a positive exact value.
        let isAbove = (r < 0) == (d < 0)
        let step: Int128 = isAbove ? 1 : -1
        switch self {
        case .down: return isAbove ? 0 : -1
        case .up: return isAbove ? 1 : 0
        case .towardZero: return 0
        case .awayFromZero: return step
        case .halfEven:
            // Compare |r| with |d| - |r| (the distance to the other neighbour) without overflow.
            let rest = d.magnitude - r.magnitude
            if r.magnitude > rest { return step }
            if r.magnitude < rest { return 0 }
            return q.isMultiple(of: 2) ? 0 : step
        }
    }
}
