extension ExactDecimal {
    /// The exact sum; traps on overflow.
    public static func + (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        ExactDecimal(units: lhs.units + rhs.units)
    }

    /// The exact difference; traps on overflow.
    public static func - (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        ExactDecimal(units: lhs.units - rhs.units)
    }

    /// The negation; traps for the one value whose negation does not fit.
    public static prefix func - (operand: ExactDecimal) -> ExactDecimal {
        ExactDecimal(units: -operand.units)
    }

    /// Adds in place; traps on overflow.
    public static func += (lhs: inout ExactDecimal, rhs: ExactDecimal) {
        lhs = lhs + rhs
    }

    /// Subtracts in place; traps on overflow.
    public static func -= (lhs: inout ExactDecimal, rhs: ExactDecimal) {
        lhs = lhs - rhs
    }

    /// The product rounded to 12 fraction digits in the given direction.
    ///
    /// The intermediate product is 256 bits wide, so two large factors whose rounded
    /// product fits never overflow; a product that does not fit traps (see
    /// `checkedMultiplied(by:rounding:)` for untrusted input).
    public func multiplied(by other: ExactDecimal, rounding: RoundingDirection) -> ExactDecimal {
        guard let product = checkedMultiplied(by: other, rounding: rounding) else {
            preconditionFailure("ExactDecimal overflow: \(self) × \(other)")
        }
        return product
    }

    /// The quotient rounded to 12 fraction digits in the given direction.
    ///
    /// - Precondition: `divisor` is not zero. A quotient that does not fit traps.
    public func divided(by divisor: ExactDecimal, rounding: RoundingDirection) -> ExactDecimal {
        precondition(!divisor.isZero, "ExactDecimal division by zero")
        guard let quotient = checkedDivided(by: divisor, rounding: rounding) else {
            preconditionFailure("ExactDecimal overflow: \(self) / \(divisor)")
        }
        return quotient
    }

    /// Like `multiplied(by:rounding:)`, but `nil` instead of a trap when the result
    /// does not fit: for values that come from clients.
    public func checkedMultiplied(by other: ExactDecimal, rounding: RoundingDirection) -> ExactDecimal? {
        let product = units.multipliedFullWidth(by: other.units)
        return Self.divide(product, by: Self.scale, rounding: rounding).map(ExactDecimal.init(units:))
    }

    /// Like `divided(by:rounding:)`, but `nil` instead of a trap when the result does
    /// not fit or `divisor` is zero: for values that come from clients.
    public func checkedDivided(by divisor: ExactDecimal, rounding: RoundingDirection) -> ExactDecimal? {
        guard !divisor.isZero else { return nil }
        let dividend = units.multipliedFullWidth(by: Self.scale)
        return Self.divide(dividend, by: divisor.units, rounding: rounding).map(ExactDecimal.init(units:))
    }

    /// The multiple of `increment` nearest in `direction`: tick-size rounding of a
    /// price, lot-size rounding of a quantity (M2).
    ///
    /// - Precondition: `increment` is positive.
    public func rounded(toIncrement increment: ExactDecimal, _ direction: RoundingDirection) -> ExactDecimal {
        precondition(increment.isPositive, "rounding increment must be positive, got \(increment)")
        let (quotient, remainder) = units.quotientAndRemainder(dividingBy: increment.units)
        let step = direction.adjustment(quotient: quotient, remainder: remainder, divisor: increment.units)
        return ExactDecimal(units: (quotient + step) * increment.units)
    }

    /// Whether the value is an integer multiple of `increment` (e.g. on the tick grid).
    /// Like `Int.isMultiple(of:)`, only zero is a multiple of zero.
    public func isMultiple(of increment: ExactDecimal) -> Bool {
        units.isMultiple(of: increment.units)
    }
}
