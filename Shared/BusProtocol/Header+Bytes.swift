extension Header {
    /// The header read by the byte-level fast path, or nil when the frame is outside
    /// `JSONByteScanner`'s subset: the caller then decodes it with `JSONDecoder`, which accepts
    /// or refuses it exactly as before. Every header a Breakwater service writes is inside
    /// the subset; a client's may not be (an escape, an unknown key).
    public static func scanned(from bytes: UnsafeRawBufferPointer) -> Header? {
        var scanner = JSONByteScanner(bytes)
        var header = Header(id: "", type: "", ts: 0)
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "v": try JSONByteScanner.see(0, in: &seen); header.v = try scanner.int()
                case "id": try JSONByteScanner.see(1, in: &seen); header.id = try scanner.string()
                case "type": try JSONByteScanner.see(2, in: &seen); header.type = try scanner.string()
                case "ts": try JSONByteScanner.see(3, in: &seen); header.ts = try scanner.int64()
                case "service": try JSONByteScanner.see(4, in: &seen); header.service = try scanner.optionalString()
                case "key": try JSONByteScanner.see(5, in: &seen); header.key = try scanner.optionalString()
                case "traceparent": try JSONByteScanner.see(6, in: &seen); header.traceparent = try scanner.optionalString()
                case "reply_to": try JSONByteScanner.see(7, in: &seen); header.replyTo = try scanner.optionalString()
                case "deadline": try JSONByteScanner.see(8, in: &seen); header.deadline = try scanner.optionalInt64()
                case "partition": try JSONByteScanner.see(9, in: &seen); header.partition = try scanner.optionalInt()
                case "epoch": try JSONByteScanner.see(10, in: &seen); header.epoch = try scanner.optionalInt64()
                case "seq": try JSONByteScanner.see(11, in: &seen); header.seq = try scanner.optionalInt64()
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        // v, id, type and ts are required: without one, JSONDecoder says which is missing.
        guard seen & 0b1111 == 0b1111 else { return nil }
        return header
    }

    /// The header's JSON as the wire's `JSONEncoder` writes it (sorted keys, nil fields
    /// left out), or nil when a field needs escaping (then `JSONEncoder` writes it).
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 160 + (traceparent == nil ? 0 : 70)) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            writer.int("deadline", ifPresent: deadline)
            writer.int("epoch", ifPresent: epoch)
            writer.key("id")
            try writer.string(id)
            try writer.string("key", ifPresent: key)
            writer.int("partition", ifPresent: partition)
            try writer.string("reply_to", ifPresent: replyTo)
            writer.int("seq", ifPresent: seq)
            try writer.string("service", ifPresent: service)
            try writer.string("traceparent", ifPresent: traceparent)
            writer.key("ts")
            writer.int(ts)
            writer.key("type")
            try writer.string(type)
            writer.key("v")
            writer.int(v)
            writer.endObject()
        }
    }
}

/// A value with a byte-level JSON writer (`WireCodec.encode` tries it before `JSONEncoder`).
public protocol WireBytesEncodable {
    /// Exactly the bytes the wire's `JSONEncoder` would write, or nil to let it write them.
    func writtenBytes() -> [UInt8]?
}

/// A value with a byte-level JSON reader (`WireCodec.decode` tries it before `JSONDecoder`).
public protocol WireBytesDecodable {
    /// The value `JSONDecoder` would decode from `bytes`, or nil to let it decode them.
    static func scanned(from bytes: UnsafeRawBufferPointer) -> Self?
}

extension Header: WireBytesEncodable, WireBytesDecodable {}
