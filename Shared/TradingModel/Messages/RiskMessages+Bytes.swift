import BusProtocol

/// The byte-level codec of `risk.authorize` (issue 13 step 6): the gateway writes one request
/// per order and reads its decision; risk-service reads the request and writes the decision.
/// Exactly `JSONEncoder`'s bytes; anything outside `JSONByteScanner`'s subset (an escape, an
/// unknown key) is Foundation's as before (`RiskMessagesBytesTests`).
extension RiskAuthorize: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 256) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            try writer.string("account", ifPresent: account)
            try writer.string("base", ifPresent: base)
            try writer.string("client_order_id", ifPresent: clientOrderId)
            try writer.string("price", ifPresent: price.description)
            try writer.string("qty", ifPresent: qty.description)
            try writer.string("quote", ifPresent: quote)
            if let reduceOnly {
                writer.key("reduce_only")
                writer.bool(reduceOnly)
            }
            try writer.string("side", ifPresent: side.rawValue)
            try writer.string("symbol", ifPresent: symbol)
            try writer.string("time_in_force", ifPresent: timeInForce.rawValue)
            try writer.string("type", ifPresent: type.rawValue)
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> RiskAuthorize? {
        var scanner = JSONByteScanner(bytes)
        var account: String?, clientOrderId: String?, symbol: String?, base: String?, quote: String?, side: Side?
        var type: OrderType?, qty: ExactDecimal?, price: ExactDecimal?, timeInForce: TimeInForce?, reduceOnly: Bool?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "account": try JSONByteScanner.see(0, in: &seen); account = try scanner.string()
                case "client_order_id": try JSONByteScanner.see(1, in: &seen); clientOrderId = try scanner.string()
                case "symbol": try JSONByteScanner.see(2, in: &seen); symbol = try scanner.string()
                case "base": try JSONByteScanner.see(3, in: &seen); base = try scanner.string()
                case "quote": try JSONByteScanner.see(4, in: &seen); quote = try scanner.string()
                case "side": try JSONByteScanner.see(5, in: &seen); side = try scanner.raw(Side.self)
                case "type": try JSONByteScanner.see(6, in: &seen); type = try scanner.raw(OrderType.self)
                case "qty": try JSONByteScanner.see(7, in: &seen); qty = try scanner.decimal()
                case "price": try JSONByteScanner.see(8, in: &seen); price = try scanner.decimal()
                case "time_in_force": try JSONByteScanner.see(9, in: &seen); timeInForce = try scanner.raw(TimeInForce.self)
                case "reduce_only": try JSONByteScanner.see(10, in: &seen); reduceOnly = try scanner.optionalBool()
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let account, let clientOrderId, let symbol, let base, let quote, let side, let type, let qty, let price,
            let timeInForce
        else { return nil }
        return RiskAuthorize(
            account: account, clientOrderId: clientOrderId, symbol: symbol, base: base, quote: quote, side: side, type: type,
            qty: qty, price: price, timeInForce: timeInForce, reduceOnly: reduceOnly)
    }
}

extension RiskDecision: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 448) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            writer.key("approved")
            writer.bool(approved)
            if let existing {
                writer.key("existing")
                writer.bool(existing)
            }
            writer.int("intent_seq", ifPresent: intentSeq)
            if let order {
                writer.key("order")
                try order.write(to: &writer)
            }
            try writer.string("qty", ifPresent: qty.description)
            try writer.string("reserve_amount", ifPresent: reserveAmount.description)
            try writer.string("reserve_asset", ifPresent: reserveAsset)
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> RiskDecision? {
        var scanner = JSONByteScanner(bytes)
        var approved: Bool?, qty: ExactDecimal?, reserveAsset: String?, reserveAmount: ExactDecimal?, intentSeq: Int64?
        var order: OrderView?, existing: Bool?
        var seen: UInt64 = 0
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                switch key {
                case "approved": try JSONByteScanner.see(0, in: &seen); approved = try scanner.bool()
                case "qty": try JSONByteScanner.see(1, in: &seen); qty = try scanner.decimal()
                case "reserve_asset": try JSONByteScanner.see(2, in: &seen); reserveAsset = try scanner.string()
                case "reserve_amount": try JSONByteScanner.see(3, in: &seen); reserveAmount = try scanner.decimal()
                case "intent_seq": try JSONByteScanner.see(4, in: &seen); intentSeq = try scanner.int64()
                case "order": try JSONByteScanner.see(5, in: &seen); order = try scanner.null() ? nil : OrderView.scan(&scanner)
                case "existing": try JSONByteScanner.see(6, in: &seen); existing = try scanner.optionalBool()
                default: throw JSONByteScanner.Unsupported()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        guard let approved, let qty, let reserveAsset, let reserveAmount, let intentSeq else { return nil }
        return RiskDecision(
            approved: approved, qty: qty, reserveAsset: reserveAsset, reserveAmount: reserveAmount, intentSeq: intentSeq,
            order: order, existing: existing)
    }
}

/// `risk.venue_outcomes`: the gateway writes a batch for what queued while the last one was
/// out (one outcome per order), risk-service reads it and answers with the breaker's state.
extension VenueOutcomeBatch: WireBytesEncodable, WireBytesDecodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 16 + outcomes.count * 128) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            writer.key("outcomes")
            writer.beginArray()
            for outcome in outcomes {
                writer.beginObject()
                try writer.string("account", ifPresent: outcome.account)
                try writer.string("client_order_id", ifPresent: outcome.clientOrderId)
                try writer.string("code", ifPresent: outcome.code)
                try writer.string("reason", ifPresent: outcome.reason)
                try writer.string("result", ifPresent: outcome.result.rawValue)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
    }

    public static func scanned(from bytes: UnsafeRawBufferPointer) -> VenueOutcomeBatch? {
        var scanner = JSONByteScanner(bytes)
        var outcomes: [VenueOutcome]?
        do throws(JSONByteScanner.Unsupported) {
            try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
                guard key == "outcomes", outcomes == nil else { throw JSONByteScanner.Unsupported() }
                var read: [VenueOutcome] = []
                try scanner.array { (element) throws(JSONByteScanner.Unsupported) in read.append(try VenueOutcome.scan(&element)) }
                outcomes = read
            }
            try scanner.end()
        } catch {
            return nil
        }
        return outcomes.map(VenueOutcomeBatch.init(outcomes:))
    }
}

extension VenueOutcome {
    static func scan(_ scanner: inout JSONByteScanner) throws(JSONByteScanner.Unsupported) -> VenueOutcome {
        var account: String?, clientOrderId: String?, result: Result?, code: String?, reason: String?
        var seen: UInt64 = 0
        try scanner.object { (scanner, key) throws(JSONByteScanner.Unsupported) in
            switch key {
            case "account": try JSONByteScanner.see(0, in: &seen); account = try scanner.string()
            case "client_order_id": try JSONByteScanner.see(1, in: &seen); clientOrderId = try scanner.string()
            case "result": try JSONByteScanner.see(2, in: &seen); result = try scanner.raw(Result.self)
            case "code": try JSONByteScanner.see(3, in: &seen); code = try scanner.optionalString()
            case "reason": try JSONByteScanner.see(4, in: &seen); reason = try scanner.optionalString()
            default: throw JSONByteScanner.Unsupported()
            }
        }
        guard let account, let clientOrderId, let result else { throw JSONByteScanner.Unsupported() }
        return VenueOutcome(account: account, clientOrderId: clientOrderId, result: result, code: code, reason: reason)
    }
}

/// Risk-service's answer to every batch of venue outcomes (the gateway only checks it is not
/// an error, so only the writer is byte-level).
extension VenueOutcomeAck: WireBytesEncodable {
    public func writtenBytes() -> [UInt8]? {
        JSONBytesWriter.written(capacity: 24) { (writer) throws(JSONByteScanner.Unsupported) in
            writer.beginObject()
            try writer.string("breaker", ifPresent: breaker.rawValue)
            writer.endObject()
        }
    }
}
