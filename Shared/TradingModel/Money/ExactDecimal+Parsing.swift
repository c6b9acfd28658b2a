extension ExactDecimal {
    /// Parses a strict decimal string: an optional leading `-`, one or more ASCII
    /// digits, then optionally `.` and 1 to 12 ASCII digits.
    ///
    /// Returns `nil` for anything else — empty, `+`, spaces, exponents, a bare or
    /// trailing dot, more than 12 fraction digits (refused, never silently rounded)
    /// and values that do not fit.
    public init?(_ string: String) {
        var string = string
        guard let units = string.withUTF8({ Self.parseUnits($0) }) else { return nil }
        self.init(units: units)
    }

    private static let minus = UInt8(ascii: "-")
    private static let dot = UInt8(ascii: ".")
    private static let zeroDigit = UInt8(ascii: "0")

    /// One pass over the bytes, no copies (every decimal on the wire comes through here):
    /// the integer digits, then the fraction's, then zeros up to 12 fraction digits, so the
    /// result is value × 10^12.
    private static func parseUnits(_ bytes: UnsafeBufferPointer<UInt8>) -> Int128? {
        let negative = bytes.first == minus
        var index = negative ? 1 : 0
        var magnitude: UInt128 = 0
        let integerStart = index
        while index < bytes.count, bytes[index] != dot {
            guard let next = appendDigit(bytes[index], to: magnitude) else { return nil }
            magnitude = next
            index += 1
        }
        guard index > integerStart else { return nil }
        var fraction = 0
        if index < bytes.count {
            index += 1
            while index < bytes.count {
                guard fraction < fractionDigits, let next = appendDigit(bytes[index], to: magnitude) else { return nil }
                magnitude = next
                fraction += 1
                index += 1
            }
            guard fraction > 0 else { return nil }
        }
        for _ in fraction..<fractionDigits {
            guard let next = appendDigit(zeroDigit, to: magnitude) else { return nil }
            magnitude = next
        }
        return signed(magnitude, negative: negative)
    }

    /// `value` with the decimal digit `byte` appended; nil on a non-digit or on overflow.
    private static func appendDigit(_ byte: UInt8, to value: UInt128) -> UInt128? {
        guard byte >= zeroDigit, byte <= zeroDigit + 9 else { return nil }
        let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(UInt128(byte - zeroDigit))
        guard !overflow1, !overflow2 else { return nil }
        return sum
    }

    private static func signed(_ magnitude: UInt128, negative: Bool) -> Int128? {
        if negative {
            guard magnitude <= Int128.min.magnitude else { return nil }
            return magnitude == Int128.min.magnitude ? Int128.min : -Int128(magnitude)
        }
        guard magnitude <= UInt128(Int128.max) else { return nil }
        return Int128(magnitude)
    }
}
