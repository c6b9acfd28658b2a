import BusProtocol

/// The byte-level reader of the fact stream's hot records: every committed fact is decoded
/// by each of its subscribers (risk, the reconciler, the gateway's follower), and an
/// order's facts are its intent, its acceptance and its fills.
///
/// Other fact types, and anything outside `JSONByteScanner`'s subset, return nil and are
/// decoded by `JSONDecoder` as before (the golden tests check both give the same record).
extension JournalRecord: WireBytesDecodable {
    public static func scanned(from bytes: UnsafeRawBufferPointer) -> JournalRecord? {
        var scanner = JSONByteScanner(bytes)
        var seq: Int64?, ts: Int64?, partition: Int?, epoch: Int64?, fact: Fact?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "seq": try JSONByteScanner.see(0, in: &seen); seq = try scanner.int64()
                case "ts": try JSONByteScanner.see(1, in: &seen); ts = try scanner.int64()
                case "partition": try JSONByteScanner.see(2, in: &seen); partition = try scanner.optionalInt()
                case "epoch": try JSONByteScanner.see(3, in: &seen); epoch = try scanner.optionalInt64()
                case "fact": try JSONByteScanner.see(4, in: &seen); fact = try Fact.scan(&scanner)
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let seq, let ts, let fact else { return nil }
        return JournalRecord(seq: seq, fact: fact, partition: partition, epoch: epoch, ts: ts)
    }
}

/// The byte-level reader of an append of hot facts: the writer reads every append, and an
/// order's are its intent (from risk) and its outcome (acceptance and fills, from the gateway).
/// An append with any other fact, or outside the subset, is `JSONDecoder`'s as before.
extension JournalAppend: WireBytesDecodable {
    public static func scanned(from bytes: UnsafeRawBufferPointer) -> JournalAppend? {
        var scanner = JSONByteScanner(bytes)
        var facts: [Fact]?, partition: Int?, epoch: Int64?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "facts":
                    try JSONByteScanner.see(0, in: &seen)
                    var list: [Fact] = []
                    try scanner.array { (element) throws(JSONByteScanner.Unsupported) in list.append(try Fact.scan(&element)) }
                    facts = list
                case "partition": try JSONByteScanner.see(1, in: &seen); partition = try scanner.optionalInt()
                case "epoch": try JSONByteScanner.see(2, in: &seen); epoch = try scanner.optionalInt64()
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let facts else { return nil }
        return JournalAppend(facts: facts, partition: partition, epoch: epoch)
    }
}

extension Fact {
    /// A fact of one of the hot types; throws for any other (the record is then Foundation's).
    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> Fact {
        var id: String?, account: String?, type: String?, payload: Range<Int>?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "id": try JSONByteScanner.see(0, in: &seen); id = try scanner.string()
            case "account": try JSONByteScanner.see(1, in: &seen); account = try scanner.string()
            case "type": try JSONByteScanner.see(2, in: &seen); type = try scanner.string()
            // The payload's type may come after it (sorted keys put `payload` before `type`).
            case "payload": try JSONByteScanner.see(3, in: &seen); payload = try scanner.skipValue()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let id, let account, let type, let payload else { throw JSONByteScanner.Unsupported() }
        var body = scanner.scanner(of: payload)
        let decoded: FactPayload
        switch type {
        case "order.intent": decoded = .orderIntent(try OrderIntent.scan(&body))
        case "order.accepted": decoded = .orderAccepted(try OrderAccepted.scan(&body))
        case "fill.recorded": decoded = .fillRecorded(try FillRecorded.scan(&body))
        default: throw JSONByteScanner.Unsupported()
        }
        try body.end()
        return Fact(id: id, account: account, payload: decoded)
    }
}

extension JSONByteScanner {
    /// An exact decimal string (Foundation's path gives a malformed one its error).
    public mutating func decimal() throws(Unsupported) -> ExactDecimal {
        guard let value = ExactDecimal(try string()) else { throw Unsupported() }
        return value
    }

    /// An optional exact decimal string (`null` is nil).
    public mutating func optionalDecimal() throws(Unsupported) -> ExactDecimal? {
        try null() ? nil : decimal()
    }

    /// A string-backed enum's raw value.
    public mutating func raw<Value: RawRepresentable>(_ type: Value.Type) throws(Unsupported) -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: try string()) else { throw Unsupported() }
        return value
    }
}

extension OrderIntent {
    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> OrderIntent {
        var clientOrderId: String?, symbol: String?, side: Side?, type: OrderType?, qty: ExactDecimal?
        var price: ExactDecimal?, tif: TimeInForce?, reserveAsset: String?, reserveAmount: ExactDecimal?, approvedAt: Int64?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "client_order_id": try JSONByteScanner.see(0, in: &seen); clientOrderId = try scanner.string()
            case "symbol": try JSONByteScanner.see(1, in: &seen); symbol = try scanner.string()
            case "side": try JSONByteScanner.see(2, in: &seen); side = try scanner.raw(Side.self)
            case "type": try JSONByteScanner.see(3, in: &seen); type = try scanner.raw(OrderType.self)
            case "qty": try JSONByteScanner.see(4, in: &seen); qty = try scanner.decimal()
            case "price": try JSONByteScanner.see(5, in: &seen); price = try scanner.optionalDecimal()
            case "time_in_force": try JSONByteScanner.see(6, in: &seen); tif = try scanner.raw(TimeInForce.self)
            case "reserve_asset": try JSONByteScanner.see(7, in: &seen); reserveAsset = try scanner.string()
            case "reserve_amount": try JSONByteScanner.see(8, in: &seen); reserveAmount = try scanner.decimal()
            case "approved_at": try JSONByteScanner.see(9, in: &seen); approvedAt = try scanner.optionalInt64()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let clientOrderId, let symbol, let side, let type, let qty, let tif, let reserveAsset, let reserveAmount else {
            throw JSONByteScanner.Unsupported()
        }
        return OrderIntent(
            clientOrderId: clientOrderId, symbol: symbol, side: side, type: type, qty: qty, price: price, timeInForce: tif,
            reserveAsset: reserveAsset, reserveAmount: reserveAmount, approvedAt: approvedAt)
    }
}

extension OrderAccepted {
    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> OrderAccepted {
        var clientOrderId: String?, venueOrderId: String?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "client_order_id": try JSONByteScanner.see(0, in: &seen); clientOrderId = try scanner.string()
            case "venue_order_id": try JSONByteScanner.see(1, in: &seen); venueOrderId = try scanner.string()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let clientOrderId, let venueOrderId else { throw JSONByteScanner.Unsupported() }
        return OrderAccepted(clientOrderId: clientOrderId, venueOrderId: venueOrderId)
    }
}

extension FillRecorded {
    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> FillRecorded {
        var clientOrderId: String?, venueOrderId: String?, tradeId: String?, symbol: String?, side: Side?
        var qty: ExactDecimal?, price: ExactDecimal?, fee: ExactDecimal?, feeAsset: String?, ts: Int64?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "client_order_id": try JSONByteScanner.see(0, in: &seen); clientOrderId = try scanner.string()
            case "venue_order_id": try JSONByteScanner.see(1, in: &seen); venueOrderId = try scanner.string()
            case "trade_id": try JSONByteScanner.see(2, in: &seen); tradeId = try scanner.string()
            case "symbol": try JSONByteScanner.see(3, in: &seen); symbol = try scanner.string()
            case "side": try JSONByteScanner.see(4, in: &seen); side = try scanner.raw(Side.self)
            case "qty": try JSONByteScanner.see(5, in: &seen); qty = try scanner.decimal()
            case "price": try JSONByteScanner.see(6, in: &seen); price = try scanner.decimal()
            case "fee": try JSONByteScanner.see(7, in: &seen); fee = try scanner.decimal()
            case "fee_asset": try JSONByteScanner.see(8, in: &seen); feeAsset = try scanner.string()
            case "ts": try JSONByteScanner.see(9, in: &seen); ts = try scanner.int64()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let clientOrderId, let venueOrderId, let tradeId, let symbol, let side, let qty, let price, let fee, let feeAsset, let ts
        else { throw JSONByteScanner.Unsupported() }
        return FillRecorded(
            clientOrderId: clientOrderId, venueOrderId: venueOrderId, tradeId: tradeId, symbol: symbol, side: side,
            qty: qty, price: price, fee: fee, feeAsset: feeAsset, ts: ts)
    }
}
