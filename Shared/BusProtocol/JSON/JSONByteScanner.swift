/// A byte-level reader for the JSON of the hot messages: an allocation-light fast path in
/// front of Foundation's `JSONDecoder`, never a replacement for it.
///
/// It reads a strict subset of JSON: objects, strings without escapes (valid UTF-8, no
/// control characters), integers without fraction or exponent, `true`/`false`/`null`,
/// whitespace between tokens. Anything outside that subset — an escape, a float, an
/// unknown key, a duplicate key, a type the reader did not ask for, trailing bytes — makes
/// it throw `JSONByteScanner.Unsupported`, and the caller decodes the same bytes with
/// `JSONDecoder`, which then accepts or refuses them exactly as before (with its error).
/// So the fast path may only ever accept input that `JSONDecoder` accepts with the same
/// value, which the golden tests check: a misuse to avoid is a fast decoder that skips a
/// key it does not know (Foundation would still validate the skipped value).
public struct JSONByteScanner {
    /// Thrown for input outside the fast subset; carries nothing on purpose (the fallback
    /// decoder produces the error the sender sees).
    public struct Unsupported: Error {
        public init() {}
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    /// A scanner over `bytes`, which must outlive it (use inside `withUnsafeBytes`).
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(Unsupported) {
        skipWhitespace()
        guard current == byte else { throw Unsupported() }
        index += 1
    }

    /// Reads an object, calling `field` with each key; `field` must read that key's value.
    public mutating func object(_ field: (inout JSONByteScanner, String) throws(Unsupported) -> Void) throws(Unsupported) {
        try elements(open: UInt8(ascii: "{"), close: UInt8(ascii: "}")) { (scanner) throws(Unsupported) in
            let key = try scanner.string()
            try scanner.expect(UInt8(ascii: ":"))
            try field(&scanner, key)
        }
    }

    /// Reads an array, calling `element` once per element; `element` must read it.
    public mutating func array(_ element: (inout JSONByteScanner) throws(Unsupported) -> Void) throws(Unsupported) {
        try elements(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), element)
    }

    /// `open`, elements separated by commas (none after the last), `close`.
    private mutating func elements(
        open: UInt8, close: UInt8, _ element: (inout JSONByteScanner) throws(Unsupported) -> Void
    ) throws(Unsupported) {
        try expect(open)
        skipWhitespace()
        if current == close {
            index += 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case close: index += 1; return
            default: throw Unsupported()
            }
        }
    }

    /// Reads a string without escapes.
    public mutating func string() throws(Unsupported) -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self) else { throw Unsupported() }
                return text
            }
            // An escape or a raw control character: Foundation's to read (or refuse).
            if byte == UInt8(ascii: "\\") || byte < 0x20 { throw Unsupported() }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw Unsupported()
    }

    /// Reads an integer: `-?(0|[1-9][0-9]*)`, not followed by a fraction or an exponent.
    public mutating func int64() throws(Unsupported) -> Int64 {
        skipWhitespace()
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let start = index
        var magnitude: UInt64 = 0
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw Unsupported() }
            magnitude = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0, !(digits > 1 && bytes[start] == UInt8(ascii: "0")) else { throw Unsupported() }
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw Unsupported()
        }
        if negative {
            // `-0` is left to Foundation (which value it reads is its business).
            guard magnitude > 0, magnitude <= UInt64(Int64.max) + 1 else { throw Unsupported() }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Unsupported() }
        return Int64(magnitude)
    }

    /// Reads an integer that fits an `Int`.
    public mutating func int() throws(Unsupported) -> Int {
        let value = try int64()
        guard let fitting = Int(exactly: value) else { throw Unsupported() }
        return fitting
    }

    /// Reads `true` or `false`.
    public mutating func bool() throws(Unsupported) -> Bool {
        if try literal("true") { return true }
        if try literal("false") { return false }
        throw Unsupported()
    }

    /// Consumes `null` if it comes next; an optional field then decodes as nil (as
    /// `decodeIfPresent` does).
    public mutating func null() throws(Unsupported) -> Bool {
        try literal("null")
    }

    /// Reads an optional string (`null` is nil).
    public mutating func optionalString() throws(Unsupported) -> String? {
        try null() ? nil : string()
    }

    /// Reads an optional integer (`null` is nil).
    public mutating func optionalInt64() throws(Unsupported) -> Int64? {
        try null() ? nil : int64()
    }

    /// Reads an optional `Int` (`null` is nil).
    public mutating func optionalInt() throws(Unsupported) -> Int? {
        try null() ? nil : int()
    }

    /// Reads an optional boolean (`null` is nil).
    public mutating func optionalBool() throws(Unsupported) -> Bool? {
        try null() ? nil : bool()
    }

    private mutating func literal(_ word: StaticString) throws(Unsupported) -> Bool {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let matches = word.withUTF8Buffer { expected in
            for offset in 0..<count where bytes[index + offset] != expected[offset] { return false }
            return true
        }
        guard matches else { return false }
        let after = index + count
        if after < bytes.count, Self.isWordByte(bytes[after]) { throw Unsupported() }
        index = after
        return true
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Steps over one value of the subset (an object, an array, a string, an integer, a
    /// literal) and returns the byte range it took, to be read later with `scanner(of:)`
    /// (e.g. a fact's payload, whose type may come after it).
    public mutating func skipValue() throws(Unsupported) -> Range<Int> {
        skipWhitespace()
        let start = index
        switch current {
        case UInt8(ascii: "{"): try object { (scanner, _) throws(Unsupported) in _ = try scanner.skipValue() }
        case UInt8(ascii: "["): try array { (scanner) throws(Unsupported) in _ = try scanner.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): guard try null() else { throw Unsupported() }
        default: _ = try int64()
        }
        return start..<index
    }

    /// A scanner over a range that `skipValue` returned (of the same bytes).
    public func scanner(of range: Range<Int>) -> JSONByteScanner {
        JSONByteScanner(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    /// Checks that only whitespace is left.
    public mutating func end() throws(Unsupported) {
        skipWhitespace()
        guard index == bytes.count else { throw Unsupported() }
    }

    /// Marks field `bit` of a decoder's fields as seen; a key met twice is for the fallback
    /// decoder (which of the two values wins is Foundation's rule, not ours).
    public static func see(_ bit: Int, in seen: inout UInt64) throws(Unsupported) {
        let mask: UInt64 = 1 << UInt64(bit)
        guard seen & mask == 0 else { throw Unsupported() }
        seen |= mask
    }
}
