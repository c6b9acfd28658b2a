/// A byte-level writer for the JSON of the hot messages, producing exactly the bytes of the
/// wire's `JSONEncoder` (`.sortedKeys`, `.withoutEscapingSlashes`): compact, keys in the
/// order the caller writes them, nil optionals left out.
///
/// The caller writes keys in sorted order (the golden tests compare every fast encoder with
/// `JSONEncoder` over random values). A string that would need an escape (a quote, a
/// backslash, a control character) throws `JSONByteScanner.Unsupported`, and the caller encodes
/// the whole value with `JSONEncoder` instead: escaping is Foundation's alone, so the bytes
/// never differ.
public struct JSONBytesWriter {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8] = []
    /// One bit per open object or array (innermost lowest): set once it has an element.
    private var started: UInt64 = 0
    private var depth = 0

    /// The bytes `write` produces, or nil when it gave up (a string to escape): the caller
    /// then encodes with `JSONEncoder`.
    public static func written(
        capacity: Int, _ write: (inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) -> Void
    ) -> [UInt8]? {
        var writer = JSONBytesWriter(capacity: capacity)
        do throws(JSONByteScanner.Unsupported) {
            try write(&writer)
        } catch {
            return nil
        }
        return writer.bytes
    }

    /// A writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        guard depth > 0 else { return }
        if started & 1 == 1 { bytes.append(UInt8(ascii: ",")) } else { started |= 1 }
    }

    private mutating func open(_ byte: UInt8) {
        beginValue()
        precondition(depth < 63, "JSON nested deeper than the writer tracks")
        bytes.append(byte)
        started <<= 1
        depth += 1
    }

    private mutating func close(_ byte: UInt8) {
        precondition(depth > 0, "close without open")
        bytes.append(byte)
        started >>= 1
        depth -= 1
    }

    /// Opens an object (as a value: after a key, in an array, or at the top).
    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    /// Closes the innermost object.
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    /// Opens an array.
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    /// Closes the innermost array.
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes `"name":`; the value follows. `name` is a plain ASCII key.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        valuePending = true
    }

    /// Set between a key and its value, so the value writes no separator.
    private var valuePending = false

    private mutating func beginValue() {
        if valuePending { valuePending = false } else { separate() }
    }

    /// Writes a string value; throws for one that needs escaping (see the type's doc).
    public mutating func string(_ value: String) throws(JSONByteScanner.Unsupported) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        var utf8 = value
        let plain = utf8.withUTF8 { buffer in
            guard !buffer.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: buffer)
            return true
        }
        guard plain else { throw JSONByteScanner.Unsupported() }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes an integer value.
    public mutating func int(_ value: Int64) {
        beginValue()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// Writes an `Int` value.
    public mutating func int(_ value: Int) { int(Int64(value)) }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        beginValue()
        let word: StaticString = value ? "true" : "false"
        word.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Writes JSON some other encoder produced (a nested value), as it is.
    public mutating func raw<Bytes: Sequence>(_ json: Bytes) where Bytes.Element == UInt8 {
        beginValue()
        bytes.append(contentsOf: json)
    }

    /// The optional fields: written only when present, as `encodeIfPresent` does.
    public mutating func string(_ name: StaticString, ifPresent value: String?) throws(JSONByteScanner.Unsupported) {
        guard let value else { return }
        key(name)
        try string(value)
    }

    /// An optional integer field, written only when present.
    public mutating func int(_ name: StaticString, ifPresent value: Int64?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    /// An optional `Int` field, written only when present.
    public mutating func int(_ name: StaticString, ifPresent value: Int?) {
        guard let value else { return }
        key(name)
        int(Int64(value))
    }
}
