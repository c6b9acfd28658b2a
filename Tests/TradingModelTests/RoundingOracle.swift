import TradingModel

/// An independent definition of each rounding direction, used to check results.
///
/// The exact value is `result + diff / divisor`. A result is a correct rounding when
/// the leftover fraction is smaller than one step and on the side the direction asks for.
enum RoundingOracle {
    /// Whether `result` is the rounding of `result + diff / divisor` in `direction`.
    static func isCorrect(result: Int128, diff: Int128, divisor: Int128, _ direction: RoundingDirection) -> Bool {
        guard divisor != 0, diff.magnitude < divisor.magnitude else { return false }
        let fractionSign = diff == 0 ? 0 : ((diff < 0) == (divisor < 0) ? 1 : -1)
        // |fraction| < 1, so a non-zero result carries the sign of the exact value.
        let exactSign = result > 0 ? 1 : (result < 0 ? -1 : fractionSign)
        switch direction {
        case .down: return fractionSign >= 0
        case .up: return fractionSign <= 0
        case .towardZero: return fractionSign == 0 || fractionSign == exactSign
        case .awayFromZero: return fractionSign == 0 || fractionSign == -exactSign
        case .halfEven:
            let twice = diff.magnitude * 2
            if twice != divisor.magnitude { return twice < divisor.magnitude }
            return result.isMultiple(of: 2)
        }
    }

    /// `lhs - rhs` of two 256-bit products, or `nil` when it does not fit in `Int128`.
    static func difference(_ lhs: (high: Int128, low: UInt128), _ rhs: (high: Int128, low: UInt128)) -> Int128? {
        let low = lhs.low &- rhs.low
        let borrow: Int128 = lhs.low < rhs.low ? 1 : 0
        let high = lhs.high &- rhs.high &- borrow
        let value = Int128(truncatingIfNeeded: low)
        return high == (value < 0 ? -1 : 0) ? value : nil
    }

    /// Whether `result` is `numerator / divisor` (both given as wide values) correctly rounded.
    static func isCorrectQuotient(
        _ result: ExactDecimal, numerator: (high: Int128, low: UInt128), divisor: Int128, _ direction: RoundingDirection
    ) -> Bool {
        let back = result.units.multipliedFullWidth(by: divisor)
        guard let diff = difference(numerator, back) else { return false }
        return isCorrect(result: result.units, diff: diff, divisor: divisor, direction)
    }
}
