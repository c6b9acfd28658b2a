import BusProtocol

/// The byte-level writer of an append of hot facts and of their stored payloads: risk writes
/// an intent's append for every order, the gateway its outcome's (acceptance and fills), and
/// the writer stores every fact's payload as JSON. Exactly `JSONEncoder`'s bytes (keys sorted,
/// nil optionals left out); any other fact type, or a string that needs an escape, is
/// Foundation's as before (`FactBytesTests` compare both over random values).
extension JournalAppend: WireBytesEncodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 64 + facts.count * 448) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            writer.int("epoch", ifPresent: epoch)
            writer.key("facts")
            writer.beginArray()
            for fact in facts { try fact.write(to: &writer) }
            writer.endArray()
            writer.int("partition", ifPresent: partition)
            writer.endObject()
        }
    }
}

extension Fact: WireBytesEncodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 448) { (writer) throws(JSONByteScanner.Unsupported) in try write(to: &writer) }
    }

    func write(to writer: inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) {
        writer.beginObject()
        writer.key("account")
        try writer.string(account)
        writer.key("id")
        try writer.string(id)
        writer.key("payload")
        try payload.writeBody(to: &writer)
        writer.key("type")
        try writer.string(type)
        writer.endObject()
    }
}

extension FactPayload {
    /// The body's JSON (the `payload` object of the fact's wire form) for a hot fact type, as
    /// `bodyJSON(using:)` writes it with the wire's encoder; nil for any other type or a
    /// string that needs an escape.
    public func writtenBodyBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 384) { (writer) throws(JSONByteScanner.Unsupported) in try writeBody(to: &writer) }
    }

    func writeBody(to writer: inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) {
        switch self {
        case .orderIntent(let intent): try intent.write(to: &writer)
        case .orderAccepted(let accepted): try accepted.write(to: &writer)
        case .fillRecorded(let fill): try fill.write(to: &writer)
        default: throw JSONByteScanner.Unsupported()
        }
    }
}

extension OrderIntent {
    func write(to writer: inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) {
        writer.beginObject()
        writer.int("approved_at", ifPresent: approvedAt)
        try writer.string("client_order_id", ifPresent: clientOrderId)
        if let closing {
            writer.key("closing")
            writer.bool(closing)
        }
        try writer.string("price", ifPresent: price?.description)
        try writer.string("qty", ifPresent: qty.description)
        try writer.string("reserve_amount", ifPresent: reserveAmount.description)
        try writer.string("reserve_asset", ifPresent: reserveAsset)
        try writer.string("side", ifPresent: side.rawValue)
        try writer.string("symbol", ifPresent: symbol)
        try writer.string("time_in_force", ifPresent: timeInForce.rawValue)
        try writer.string("type", ifPresent: type.rawValue)
        writer.endObject()
    }
}

extension OrderAccepted {
    func write(to writer: inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) {
        writer.beginObject()
        try writer.string("client_order_id", ifPresent: clientOrderId)
        try writer.string("venue_order_id", ifPresent: venueOrderId)
        writer.endObject()
    }
}

extension FillRecorded {
    func write(to writer: inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) {
        writer.beginObject()
        try writer.string("client_order_id", ifPresent: clientOrderId)
        try writer.string("fee", ifPresent: fee.description)
        try writer.string("fee_asset", ifPresent: feeAsset)
        try writer.string("price", ifPresent: price.description)
        try writer.string("qty", ifPresent: qty.description)
        try writer.string("side", ifPresent: side.rawValue)
        try writer.string("symbol", ifPresent: symbol)
        try writer.string("trade_id", ifPresent: tradeId)
        writer.int("ts", ifPresent: ts)
        try writer.string("venue_order_id", ifPresent: venueOrderId)
        writer.endObject()
    }
}
