extension ExactDecimal {
    /// Parses a strict decimal string: an optional leading `-`, one or more ASCII
    /// digits, then optionally `.` and 1 to 12 ASCII digits.
    ///
    /// Returns `nil` for anything else — empty, `+`, spaces, exponents, a bare or
    /// trailing dot, more than 12 fraction digits (refused, never silently rounded)
    /// and values that do not fit.
    public init?(_ string: String) {
        guard let units = Self.parseUnits(Array(string.utf8)) else { return nil }
        self.init(units: units)
    }

    private static let minus = UInt8(ascii: "-")
    private static let dot = UInt8(ascii: ".")
    private static let zeroDigit = UInt8(ascii: "0")

    private static func parseUnits(_ bytes: [UInt8]) -> Int128? {
        let negative = bytes.first == minus
        let body = negative ? bytes.dropFirst() : bytes[...]
        let parts = body.split(separator: dot, maxSplits: 1, omittingEmptySubsequences: false)
        let integer = parts[0]
        let fraction = parts.count == 2 ? parts[1] : []
        guard !integer.isEmpty else { return nil }
        if parts.count == 2, fraction.isEmpty || fraction.count > fractionDigits { return nil }
        // Integer digits, then the fraction padded to exactly 12 digits: value × 10^12.
        let padding = repeatElement(zeroDigit, count: fractionDigits - fraction.count)
        guard let magnitude = accumulate(integer + fraction + padding, into: 0) else { return nil }
        return signed(magnitude, negative: negative)
    }

    /// Appends decimal `digits` to `start`; `nil` on a non-digit or on overflow.
    private static func accumulate<Digits: Collection<UInt8>>(_ digits: Digits, into start: UInt128) -> UInt128? {
        var value = start
        for byte in digits {
            guard byte >= zeroDigit, byte <= zeroDigit + 9 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt128(byte - zeroDigit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
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
