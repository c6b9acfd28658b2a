extension ExactDecimal {
    /// Divides a 256-bit signed value by `divisor` and rounds the quotient; `nil` when
    /// the rounded quotient does not fit in `Int128`. `divisor` must not be zero.
    ///
    /// Works on magnitudes with `UInt128.dividingFullWidth` so that overflow is
    /// detected instead of trapping, then restores the sign and rounds.
    static func divide(
        _ dividend: (high: Int128, low: UInt128), by divisor: Int128, rounding: RoundingDirection
    ) -> Int128? {
        precondition(divisor != 0, "division by zero")
        let negative = dividend.high < 0
        let magnitude = negative ? negatedMagnitude(dividend) : (high: UInt128(dividend.high), low: dividend.low)
        let d = divisor.magnitude
        // The quotient fits in 128 bits only if the high word is smaller than the divisor.
        guard magnitude.high < d else { return nil }
        let (q, r) = d.dividingFullWidth((magnitude.high, magnitude.low))
        let quotientIsNegative = negative != (divisor < 0)
        guard q <= (quotientIsNegative ? Int128.min.magnitude : UInt128(Int128.max)) else { return nil }
        // Truncated signed quotient; the remainder takes the dividend's sign (r < d ≤ 2^127 fits).
        let quotient = quotientIsNegative ? Int128(truncatingIfNeeded: 0 &- q) : Int128(q)
        let remainder = negative ? -Int128(r) : Int128(r)
        let step = rounding.adjustment(quotient: quotient, remainder: remainder, divisor: divisor)
        let (rounded, overflow) = quotient.addingReportingOverflow(step)
        return overflow ? nil : rounded
    }

    /// The magnitude of a negative 256-bit two's-complement value.
    private static func negatedMagnitude(_ value: (high: Int128, low: UInt128)) -> (high: UInt128, low: UInt128) {
        let low = ~value.low &+ 1
        let carry: UInt128 = low == 0 ? 1 : 0
        let high = ~UInt128(truncatingIfNeeded: value.high) &+ carry
        return (high, low)
    }
}
