import BusProtocol

/// The byte-level codec of `order.submit` (issue 13 step 6): the gateway reads one for every
/// order a client sends. Exactly `JSONEncoder`'s bytes; anything outside `JSONByteScanner`'s
/// subset (an escape, an unknown key, a number for a decimal) is Foundation's, which gives it
/// its error as before (`OrderSubmitBytesTests`).
extension OrderSubmit: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 256) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            try writer.string("account", ifPresent: account)
            try writer.string("client_order_id", ifPresent: clientOrderId)
            try writer.string("price", ifPresent: price?.description)
            try writer.string("qty", ifPresent: qty.description)
            if let quote {
                writer.key("quote")
                writer.beginObject()
                try writer.string("ask", ifPresent: quote.ask.description)
                try writer.string("bid", ifPresent: quote.bid.description)
                writer.int("ts", ifPresent: quote.ts)
                writer.endObject()
            }
            if let reduceOnly {
                writer.key("reduce_only")
                writer.bool(reduceOnly)
            }
            try writer.string("side", ifPresent: side.rawValue)
            try writer.string("symbol", ifPresent: symbol)
            try writer.string("time_in_force", ifPresent: timeInForce?.rawValue)
            try writer.string("type", ifPresent: type.rawValue)
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> OrderSubmit? {
        var scanner = JSONByteScanner(bytes)
        var clientOrderId: String?, account: String?, symbol: String?, side: Side?, type: OrderType?, qty: ExactDecimal?
        var price: ExactDecimal?, timeInForce: TimeInForce?, reduceOnly: Bool?, quote: Quote?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "client_order_id": try JSONByteScanner.see(0, in: &seen); clientOrderId = try scanner.optionalString()
                case "account": try JSONByteScanner.see(1, in: &seen); account = try scanner.string()
                case "symbol": try JSONByteScanner.see(2, in: &seen); symbol = try scanner.string()
                case "side": try JSONByteScanner.see(3, in: &seen); side = try scanner.raw(Side.self)
                case "type": try JSONByteScanner.see(4, in: &seen); type = try scanner.raw(OrderType.self)
                case "qty": try JSONByteScanner.see(5, in: &seen); qty = try scanner.decimal()
                case "price": try JSONByteScanner.see(6, in: &seen); price = try scanner.optionalDecimal()
                case "time_in_force":
                    try JSONByteScanner.see(7, in: &seen)
                    timeInForce = try scanner.null() ? nil : scanner.raw(TimeInForce.self)
                case "reduce_only": try JSONByteScanner.see(8, in: &seen); reduceOnly = try scanner.optionalBool()
                case "quote": try JSONByteScanner.see(9, in: &seen); quote = try scanner.null() ? nil : Quote.scan(&scanner)
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let account, let symbol, let side, let type, let qty else { return nil }
        return OrderSubmit(
            clientOrderId: clientOrderId, account: account, symbol: symbol, side: side, type: type, qty: qty, price: price,
            timeInForce: timeInForce, reduceOnly: reduceOnly, quote: quote)
    }
}

extension Quote {
    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> Quote {
        var bid: ExactDecimal?, ask: ExactDecimal?, ts: Int64?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "bid": try JSONByteScanner.see(0, in: &seen); bid = try scanner.decimal()
            case "ask": try JSONByteScanner.see(1, in: &seen); ask = try scanner.decimal()
            case "ts": try JSONByteScanner.see(2, in: &seen); ts = try scanner.int64()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let bid, let ask, let ts else { throw JSONByteScanner.Unsupported() }
        return Quote(bid: bid, ask: ask, ts: ts)
    }
}
