import BusProtocol
import TradingModel

/// The byte-level codec of the venue's order and fill (issue 13 step 6): venue-sim writes a
/// `VenueOrder` for every place and cancel it answers and a `VenueFill` or `VenueOrder` for
/// every change it streams, and the gateway reads each of them. Exactly `JSONEncoder`'s bytes
/// (keys sorted, nil optionals left out); a string that needs an escape, or bytes outside
/// `JSONByteScanner`'s subset, are Foundation's as before.
extension VenueOrder: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 384 + fills.count * 320) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            try writer.string("account", ifPresent: account)
            try writer.string("avg_price", ifPresent: avgPrice?.description)
            try writer.string("client_order_id", ifPresent: clientOrderId)
            writer.int("created_ts", ifPresent: createdTs)
            try writer.string("filled_qty", ifPresent: filledQty.description)
            writer.key("fills")
            writer.beginArray()
            for fill in fills { try fill.write(to: &writer) }
            writer.endArray()
            try writer.string("price", ifPresent: price?.description)
            try writer.string("qty", ifPresent: qty.description)
            try writer.string("reason", ifPresent: reason)
            try writer.string("side", ifPresent: side.rawValue)
            try writer.string("status", ifPresent: status.rawValue)
            try writer.string("symbol", ifPresent: symbol)
            try writer.string("time_in_force", ifPresent: timeInForce.rawValue)
            try writer.string("type", ifPresent: type.rawValue)
            try writer.string("venue_order_id", ifPresent: venueOrderId)
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> VenueOrder? {
        var scanner = JSONByteScanner(bytes)
        var venueOrderId: String?, clientOrderId: String?, account: String?, symbol: String?, side: Side?
        var type: OrderType?, qty: ExactDecimal?, price: ExactDecimal?, timeInForce: TimeInForce?
        var status: VenueOrderStatus?, filledQty: ExactDecimal?, avgPrice: ExactDecimal?, reason: String?
        var createdTs: Int64?, fills: [VenueFill]?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "venue_order_id": try JSONByteScanner.see(0, in: &seen); venueOrderId = try scanner.string()
                case "client_order_id": try JSONByteScanner.see(1, in: &seen); clientOrderId = try scanner.string()
                case "account": try JSONByteScanner.see(2, in: &seen); account = try scanner.string()
                case "symbol": try JSONByteScanner.see(3, in: &seen); symbol = try scanner.string()
                case "side": try JSONByteScanner.see(4, in: &seen); side = try scanner.raw(Side.self)
                case "type": try JSONByteScanner.see(5, in: &seen); type = try scanner.raw(OrderType.self)
                case "qty": try JSONByteScanner.see(6, in: &seen); qty = try scanner.decimal()
                case "price": try JSONByteScanner.see(7, in: &seen); price = try scanner.optionalDecimal()
                case "time_in_force": try JSONByteScanner.see(8, in: &seen); timeInForce = try scanner.raw(TimeInForce.self)
                case "status": try JSONByteScanner.see(9, in: &seen); status = try scanner.raw(VenueOrderStatus.self)
                case "filled_qty": try JSONByteScanner.see(10, in: &seen); filledQty = try scanner.decimal()
                case "avg_price": try JSONByteScanner.see(11, in: &seen); avgPrice = try scanner.optionalDecimal()
                case "reason": try JSONByteScanner.see(12, in: &seen); reason = try scanner.optionalString()
                case "created_ts": try JSONByteScanner.see(13, in: &seen); createdTs = try scanner.int64()
                case "fills":
                    try JSONByteScanner.see(14, in: &seen)
                    var read: [VenueFill] = []
                    try scanner.array { (element) throws(JSONByteScanner.Unsupported) in read.append(try VenueFill.scan(&element)) }
                    fills = read
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let venueOrderId, let clientOrderId, let account, let symbol, let side, let type, let qty, let timeInForce,
            let status, let filledQty, let createdTs, let fills
        else { return nil }
        return VenueOrder(
            venueOrderId: venueOrderId, clientOrderId: clientOrderId, account: account, symbol: symbol, side: side, type: type,
            qty: qty, price: price, timeInForce: timeInForce, status: status, filledQty: filledQty, avgPrice: avgPrice,
            reason: reason, createdTs: createdTs, fills: fills)
    }
}

extension VenueFill: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 320) { (writer) throws(JSONByteScanner.Unsupported) in try write(to: &writer) }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> VenueFill? {
        var scanner = JSONByteScanner(bytes)
        do throws(JSONByteScanner.Unsupported) {
            let fill = try scan(&scanner)
            try scanner.end()
            return fill
        } catch {
            return nil
        }
    }

    func write(to writer: inout JSONBytesWriter) throws(JSONByteScanner.Unsupported) {
        writer.beginObject()
        try writer.string("account", ifPresent: account)
        try writer.string("client_order_id", ifPresent: clientOrderId)
        try writer.string("fee", ifPresent: fee.description)
        try writer.string("fee_asset", ifPresent: feeAsset)
        try writer.string("price", ifPresent: price.description)
        try writer.string("qty", ifPresent: qty.description)
        try writer.string("side", ifPresent: side.rawValue)
        try writer.string("symbol", ifPresent: symbol)
        try writer.string("trade_id", ifPresent: tradeId)
        writer.int("trade_seq", ifPresent: tradeSeq)
        writer.int("ts", ifPresent: ts)
        try writer.string("venue_order_id", ifPresent: venueOrderId)
        writer.endObject()
    }

    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> VenueFill {
        var tradeId: String?, tradeSeq: Int64?, venueOrderId: String?, clientOrderId: String?, account: String?
        var symbol: String?, side: Side?, qty: ExactDecimal?, price: ExactDecimal?, fee: ExactDecimal?
        var feeAsset: String?, ts: Int64?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "trade_id": try JSONByteScanner.see(0, in: &seen); tradeId = try scanner.string()
            case "trade_seq": try JSONByteScanner.see(1, in: &seen); tradeSeq = try scanner.int64()
            case "venue_order_id": try JSONByteScanner.see(2, in: &seen); venueOrderId = try scanner.string()
            case "client_order_id": try JSONByteScanner.see(3, in: &seen); clientOrderId = try scanner.string()
            case "account": try JSONByteScanner.see(4, in: &seen); account = try scanner.string()
            case "symbol": try JSONByteScanner.see(5, in: &seen); symbol = try scanner.string()
            case "side": try JSONByteScanner.see(6, in: &seen); side = try scanner.raw(Side.self)
            case "qty": try JSONByteScanner.see(7, in: &seen); qty = try scanner.decimal()
            case "price": try JSONByteScanner.see(8, in: &seen); price = try scanner.decimal()
            case "fee": try JSONByteScanner.see(9, in: &seen); fee = try scanner.decimal()
            case "fee_asset": try JSONByteScanner.see(10, in: &seen); feeAsset = try scanner.string()
            case "ts": try JSONByteScanner.see(11, in: &seen); ts = try scanner.int64()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let tradeId, let tradeSeq, let venueOrderId, let clientOrderId, let account, let symbol, let side, let qty,
            let price, let fee, let feeAsset, let ts
        else { throw JSONByteScanner.Unsupported() }
        return VenueFill(
            tradeId: tradeId, tradeSeq: tradeSeq, venueOrderId: venueOrderId, clientOrderId: clientOrderId, account: account,
            symbol: symbol, side: side, qty: qty, price: price, fee: fee, feeAsset: feeAsset, ts: ts)
    }
}

/// `venue.place`: the gateway writes one for every order, venue-sim reads it.
extension VenuePlace: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 224) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            try writer.string("account", ifPresent: account)
            try writer.string("client_order_id", ifPresent: clientOrderId)
            try writer.string("price", ifPresent: price?.description)
            try writer.string("qty", ifPresent: qty.description)
            try writer.string("side", ifPresent: side.rawValue)
            try writer.string("symbol", ifPresent: symbol)
            try writer.string("time_in_force", ifPresent: timeInForce.rawValue)
            try writer.string("type", ifPresent: type.rawValue)
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> VenuePlace? {
        var scanner = JSONByteScanner(bytes)
        var account: String?, clientOrderId: String?, symbol: String?, side: Side?, type: OrderType?, qty: ExactDecimal?
        var price: ExactDecimal?, timeInForce: TimeInForce?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "account": try JSONByteScanner.see(0, in: &seen); account = try scanner.string()
                case "client_order_id": try JSONByteScanner.see(1, in: &seen); clientOrderId = try scanner.string()
                case "symbol": try JSONByteScanner.see(2, in: &seen); symbol = try scanner.string()
                case "side": try JSONByteScanner.see(3, in: &seen); side = try scanner.raw(Side.self)
                case "type": try JSONByteScanner.see(4, in: &seen); type = try scanner.raw(OrderType.self)
                case "qty": try JSONByteScanner.see(5, in: &seen); qty = try scanner.decimal()
                case "price": try JSONByteScanner.see(6, in: &seen); price = try scanner.optionalDecimal()
                case "time_in_force": try JSONByteScanner.see(7, in: &seen); timeInForce = try scanner.raw(TimeInForce.self)
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let account, let clientOrderId, let symbol, let side, let type, let qty, let timeInForce else { return nil }
        return VenuePlace(
            account: account, clientOrderId: clientOrderId, symbol: symbol, side: side, type: type, qty: qty, price: price,
            timeInForce: timeInForce)
    }
}
