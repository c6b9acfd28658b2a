import BusProtocol

/// The byte-level codec of the order the writer's ack and the gateway's reply carry (issue 13
/// step 6): the writer writes an `AppendAck` for every append and the gateway reads two per
/// order and writes one `OrderReply`. Exactly `JSONEncoder`'s bytes; anything outside
/// `JSONByteScanner`'s subset (an escape, an ack carrying an error) is Foundation's as before.
extension OrderView {
    func write(to writer: inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) {
        writer.beginObject()
        try writer.string("account", ifPresent: account)
        try writer.string("avg_price", ifPresent: avgPrice?.description)
        try writer.string("client_order_id", ifPresent: clientOrderId)
        try writer.string("filled_qty", ifPresent: filledQty.description)
        try writer.string("price", ifPresent: price?.description)
        try writer.string("qty", ifPresent: qty.description)
        try writer.string("reason", ifPresent: reason)
        try writer.string("side", ifPresent: side.rawValue)
        try writer.string("state", ifPresent: state.rawValue)
        try writer.string("symbol", ifPresent: symbol)
        try writer.string("type", ifPresent: type.rawValue)
        try writer.string("venue_order_id", ifPresent: venueOrderId)
        writer.endObject()
    }

    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> OrderView {
        var clientOrderId: String?, account: String?, symbol: String?, side: Side?, type: OrderType?, qty: ExactDecimal?
        var price: ExactDecimal?, state: OrderState?, filledQty: ExactDecimal?, avgPrice: ExactDecimal?
        var venueOrderId: String?, reason: String?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "client_order_id": try JSONByteScanner.see(0, in: &seen); clientOrderId = try scanner.string()
            case "account": try JSONByteScanner.see(1, in: &seen); account = try scanner.string()
            case "symbol": try JSONByteScanner.see(2, in: &seen); symbol = try scanner.string()
            case "side": try JSONByteScanner.see(3, in: &seen); side = try scanner.raw(Side.self)
            case "type": try JSONByteScanner.see(4, in: &seen); type = try scanner.raw(OrderType.self)
            case "qty": try JSONByteScanner.see(5, in: &seen); qty = try scanner.decimal()
            case "price": try JSONByteScanner.see(6, in: &seen); price = try scanner.optionalDecimal()
            case "state": try JSONByteScanner.see(7, in: &seen); state = try scanner.raw(OrderState.self)
            case "filled_qty": try JSONByteScanner.see(8, in: &seen); filledQty = try scanner.decimal()
            case "avg_price": try JSONByteScanner.see(9, in: &seen); avgPrice = try scanner.optionalDecimal()
            case "venue_order_id": try JSONByteScanner.see(10, in: &seen); venueOrderId = try scanner.optionalString()
            case "reason": try JSONByteScanner.see(11, in: &seen); reason = try scanner.optionalString()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let clientOrderId, let account, let symbol, let side, let type, let qty, let state, let filledQty else {
            throw JSONByteScanner.Unsupported()
        }
        return OrderView(
            clientOrderId: clientOrderId, account: account, symbol: symbol, side: side, type: type, qty: qty, price: price,
            state: state, filledQty: filledQty, avgPrice: avgPrice, venueOrderId: venueOrderId, reason: reason)
    }
}

extension OrderReply: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 320) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            writer.key("order")
            try order.write(to: &writer)
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> OrderReply? {
        var scanner = JSONByteScanner(bytes)
        var order: OrderView?
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                guard key == "order", order == nil else { throw JSONByteScanner.Unsupported() }
                order = try OrderView.scan(&scanner)
            }
            try scanner.end()
        } catch {
            return nil
        }
        return order.map(OrderReply.init(order:))
    }
}

extension AppendAck: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        // A refusal carries a ServiceError (free text): Foundation writes it.
        guard error == nil else { return nil }
        return JSONBytesWriter.written(capacity: 360) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            if let order {
                writer.key("order")
                try order.write(to: &writer)
            }
            writer.key("seqs")
            writer.beginArray()
            for seq in seqs { writer.int(seq) }
            writer.endArray()
            writer.key("status")
            try writer.string(status)
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> AppendAck? {
        var scanner = JSONByteScanner(bytes)
        var status: String?, seqs: [Int64]?, order: OrderView?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "status": try JSONByteScanner.see(0, in: &seen); status = try scanner.string()
                case "seqs":
                    try JSONByteScanner.see(1, in: &seen)
                    var read: [Int64] = []
                    try scanner.array { (scanner) throws(JSONByteScanner.Unsupported) in read.append(try scanner.int64()) }
                    seqs = read
                case "order": try JSONByteScanner.see(2, in: &seen); order = try scanner.null() ? nil : OrderView.scan(&scanner)
                // An ack with an error (even `null`) is Foundation's to read.
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let status, let seqs else { return nil }
        return AppendAck(status: status, seqs: seqs, order: order)
    }
}
