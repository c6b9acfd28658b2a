/// An exact fixed-point decimal: the one representation of money, prices and quantities (M1).
///
/// The value is `units × 10^-12`, held in an `Int128`, so every decimal string with
/// at most 12 fraction digits is represented exactly and no binary floating point is
/// ever involved. There is deliberately no initializer from `Double` or `Float`, and no
/// float literal conformance: mixing money with a float does not compile.
///
/// Overflow of `+`, `-` or a product/quotient that does not fit is a programmer
/// error and traps, like integer overflow.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// The number of fraction digits every value carries (the scale of `units`).
    public static let fractionDigits = 12

    /// `10^fractionDigits`: the number of units in `1`.
    static let scale: Int128 = 1_000_000_000_000

    /// The value multiplied by `10^fractionDigits`.
    public let units: Int128

    /// The value `units × 10^-12`.
    public init(units: Int128) {
        self.units = units
    }

    /// The integer value `int` (always representable).
    public init(_ int: Int) {
        self.units = Int128(int) * Self.scale
    }

    /// Zero.
    public static let zero = ExactDecimal(units: 0)

    /// Whether the value is exactly zero.
    public var isZero: Bool { units == 0 }

    /// Whether the value is greater than zero.
    public var isPositive: Bool { units > 0 }

    /// Whether the value is less than zero.
    public var isNegative: Bool { units < 0 }

    /// The absolute value (traps for the single value whose negation does not fit).
    public var abs: ExactDecimal { ExactDecimal(units: units < 0 ? -units : units) }

    /// Orders by value.
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        lhs.units < rhs.units
    }

    /// The canonical decimal string: no exponent, no trailing zeros, no trailing dot,
    /// never `-0`. For example `"0.1"`, `"50000.25"`, `"1"`, `"-3.5"`.
    ///
    /// Every decimal on the wire and in the journal is written here, so it is written byte
    /// by byte: one 128-bit division splits whole and fraction, the rest is 64-bit
    /// arithmetic (a whole part beyond `UInt64`, ~1.8 × 10^19, takes the general path).
    public var description: String {
        let (wholeUnits, fractionUnits) = units.magnitude.quotientAndRemainder(dividingBy: UInt128(Self.scale))
        guard let whole = UInt64(exactly: wholeUnits) else { return generalDescription }
        var fraction = UInt64(fractionUnits)  // < 10^12
        var fractionDigits = fraction == 0 ? 0 : Self.fractionDigits
        while fractionDigits > 0, fraction % 10 == 0 {
            fraction /= 10
            fractionDigits -= 1
        }
        var wholeDigits = 1
        var rest = whole
        while rest >= 10 {
            rest /= 10
            wholeDigits += 1
        }
        let negative = units < 0
        let count = (negative ? 1 : 0) + wholeDigits + (fractionDigits > 0 ? 1 + fractionDigits : 0)
        return String(unsafeUninitializedCapacity: count) { bytes in
            var index = count
            func put(_ value: UInt64, digits: Int) {
                var value = value
                for _ in 0..<digits {
                    index -= 1
                    bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            if fractionDigits > 0 {
                put(fraction, digits: fractionDigits)
                index -= 1
                bytes[index] = UInt8(ascii: ".")
            }
            put(whole, digits: wholeDigits)
            if negative { bytes[0] = UInt8(ascii: "-") }
            return count
        }
    }

    /// `description` for any value, through `String(UInt128)`.
    var generalDescription: String {
        let magnitude = units.magnitude
        let scale = UInt128(Self.scale)
        let integerPart = String(magnitude / scale)
        let sign = units < 0 ? "-" : ""
        let fraction = magnitude % scale
        guard fraction != 0 else { return sign + integerPart }
        var digits = String(fraction)
        digits = String(repeating: "0", count: Self.fractionDigits - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return sign + integerPart + "." + digits
    }
}

/// A price in quote-asset units per base-asset unit; an exact decimal.
public typealias Price = ExactDecimal

/// A quantity of an asset (base units for orders); an exact decimal.
public typealias Quantity = ExactDecimal

/// An amount of money in some asset; an exact decimal.
public typealias Money = ExactDecimal
