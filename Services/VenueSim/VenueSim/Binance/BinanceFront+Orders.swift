import BinanceWire
import BusProtocol
import TradingModel
import VenueKit

extension BinanceFront {
    /// `POST /api/v3/order`: LIMIT (GTC, IOC, FOK) and MARKET by `quantity`.
    func newOrder(_ request: SignedRequest, symbols: SymbolTable, now: Int64) async throws(Failure) -> Reply {
        let place = try placeRequest(request, symbols: symbols, now: now)
        let responseType = request.string("newOrderRespType") ?? "FULL"
        guard ["ACK", "RESULT", "FULL"].contains(responseType) else {
            throw Failure(.mandatoryParamEmptyOrMalformed, "Mandatory parameter 'newOrderRespType' was not sent, was empty/null, or malformed.")
        }
        let counts: (tenSeconds: Int, day: Int)
        switch limits.countOrder(nowMillis: now / 1_000_000) {
        case .success(let value): counts = value
        case .failure(.orders(let window, let limit, let seconds)):
            throw Failure(.tooManyOrders, "Too many new orders; current limit is \(limit) orders per \(window).", status: .tooManyRequests, retryAfter: seconds)
        case .failure(.weight):
            preconditionFailure("an order count never breaches the weight limit")
        }
        let order: VenueOrder
        do throws(VenueBook.BinancePlaceRefusal) {
            order = try await book.binancePlace(place, now: now)
        } catch {
            await saved()
            throw Self.refusal(error)
        }
        await saved()
        // The after-execution faults: the order is on the book (and on disk), its reply is lost.
        switch await book.binanceLostReply() {
        case .timeout:
            throw Failure(.timeout, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
                status: .requestTimeout)
        case .serverError:
            throw Failure(.disconnected, "Internal error; unable to process your request. Please try again.", status: .serviceUnavailable)
        case nil:
            break
        }
        guard let instrument = try? symbols.instrument(try request.required("symbol")) else { preconditionFailure("validated above") }
        var report = BinanceReports.order(order, instrument: instrument, symbols: symbols, withFills: responseType == "FULL")
        report.transactTime = now / 1_000_000
        var reply = responseType == "ACK" ? Self.ok(BinanceOrderAck(report)) : Self.ok(report)
        reply.headers += [("X-MBX-ORDER-COUNT-10S", "\(counts.tenSeconds)"), ("X-MBX-ORDER-COUNT-1D", "\(counts.day)")]
        return reply
    }

    private func placeRequest(_ request: SignedRequest, symbols: SymbolTable, now: Int64) throws(Failure) -> VenuePlace {
        let instrument = try symbols.instrument(try request.required("symbol"))
        guard let side = BinanceSymbols.side(try request.required("side")) else { throw Failure(.invalidSide, "Invalid side.") }
        guard let type = BinanceSymbols.type(try request.required("type")) else { throw Failure(.invalidOrderType, "Invalid orderType.") }
        let qty = try decimal(request, "quantity")
        let clientOrderId = request.string("newClientOrderId") ?? "web_\(now / 1_000)"
        guard BinanceClientOrderId.isValid(clientOrderId) else {
            throw Failure(.illegalChars, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.")
        }
        var price: Price?
        var timeInForce = TimeInForce.gtc
        switch type {
        case .limit:
            price = try decimal(request, "price")
            guard let tif = TimeInForce(rawValue: try request.required("timeInForce")) else { throw Failure(.invalidTimeInForce, "Invalid timeInForce.") }
            timeInForce = tif
        case .market:
            if request.string("price") != nil { throw Failure(.paramNotRequired, "Parameter 'price' sent when not required.") }
            if request.string("timeInForce") != nil { throw Failure(.tifNotRequired, "TimeInForce parameter sent when not required.") }
        }
        return VenuePlace(
            account: request.signedAccount, clientOrderId: clientOrderId, symbol: instrument.symbol, side: side, type: type,
            qty: qty, price: price, timeInForce: timeInForce)
    }

    private func decimal(_ request: SignedRequest, _ name: String) throws(Failure) -> ExactDecimal {
        let text = try request.required(name)
        guard let value = ExactDecimal(text), !text.contains("e"), !text.contains("E") else {
            throw Failure(.illegalChars, "Illegal characters found in parameter '\(name)'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.")
        }
        return value
    }

    /// Binance's answer to a place the book refused.
    static func refusal(_ refusal: VenueBook.BinancePlaceRefusal) -> Failure {
        switch refusal {
        case .duplicate:
            return Failure(.newOrderRejected, BinanceErrorBody.Message.duplicateOrder)
        case .rejected(let reason):
            return Failure(.newOrderRejected, reason == "insufficient_balance"
                ? BinanceErrorBody.Message.insufficientBalance : "Order rejected by the venue (\(reason)).")
        case .invalid(let error):
            switch error.code {
            case .lotSize, .invalidQuantity: return Failure(.invalidMessage, "Filter failure: LOT_SIZE")
            case .tickSize, .invalidPrice: return Failure(.invalidMessage, "Filter failure: PRICE_FILTER")
            case .minNotional: return Failure(.invalidMessage, "Filter failure: NOTIONAL")
            case .unknownSymbol: return Failure(.badSymbol, "Invalid symbol.")
            case .unknownAccount: return Failure(.rejectedAPIKey, "Invalid API-key, IP, or permissions for action.", status: .unauthorized)
            default: return Failure(.newOrderRejected, error.message)
            }
        }
    }

    /// `DELETE /api/v3/order`: cancels one open order; an ended or unknown one is -2011.
    func cancel(_ request: SignedRequest, symbols: SymbolTable, now: Int64) async throws(Failure) -> Reply {
        let unknown = Failure(.cancelRejected, BinanceErrorBody.Message.unknownOrder)
        let (instrument, order) = try await find(request, symbols: symbols, missing: unknown)
        guard !order.status.isTerminal else { throw unknown }
        let report = try await cancelReport(order, instrument: instrument, symbols: symbols, cancelId: request.string("newClientOrderId"), now: now)
        await saved()
        return Self.ok(report)
    }

    private func cancelReport(
        _ order: VenueOrder, instrument: Instrument, symbols: SymbolTable, cancelId: String?, now: Int64
    ) async throws(Failure) -> BinanceOrder {
        let canceled: VenueOrder
        do throws(ServiceError) {
            canceled = try await book.binanceCancel(account: order.account, internalId: order.clientOrderId, now: now)
        } catch {
            throw Failure(.cancelRejected, BinanceErrorBody.Message.unknownOrder)
        }
        var report = BinanceReports.order(canceled, instrument: instrument, symbols: symbols)
        report.origClientOrderId = report.clientOrderId
        report.clientOrderId = cancelId ?? "cancel_\(now / 1_000)"
        report.transactTime = now / 1_000_000
        report.time = nil
        report.updateTime = nil
        report.isWorking = nil
        report.workingTime = nil
        return report
    }

    /// `GET /api/v3/openOrders`: one symbol's, or all when no symbol is sent.
    func openOrders(_ request: SignedRequest, symbols: SymbolTable) async throws(Failure) -> Reply {
        let symbol = try request.string("symbol").map { (name: String) throws(Failure) in try symbols.instrument(name).symbol }
        let open = await book.openOrders(account: request.signedAccount).filter { symbol == nil || $0.symbol == symbol }
        return Self.ok(try open.map { (order: VenueOrder) throws(Failure) in
            BinanceReports.order(order, instrument: try symbols.instrument(symbols.venueSymbol(order.symbol)), symbols: symbols)
        })
    }

    /// `DELETE /api/v3/openOrders`: cancels every open order of the symbol; none is -2011.
    func cancelOpenOrders(_ request: SignedRequest, symbols: SymbolTable, now: Int64) async throws(Failure) -> Reply {
        let instrument = try symbols.instrument(try request.required("symbol"))
        let open = await book.openOrders(account: request.signedAccount).filter { $0.symbol == instrument.symbol }
        guard !open.isEmpty else { throw Failure(.cancelRejected, BinanceErrorBody.Message.unknownOrder) }
        var reports: [BinanceOrder] = []
        for order in open {
            reports.append(try await cancelReport(order, instrument: instrument, symbols: symbols, cancelId: nil, now: now))
        }
        await saved()
        return Self.ok(reports)
    }

    /// `GET /api/v3/myTrades`: the symbol's trades from `fromId` (oldest first), or the newest.
    func myTrades(_ request: SignedRequest, symbols: SymbolTable) async throws(Failure) -> Reply {
        let instrument = try symbols.instrument(try request.required("symbol"))
        let limit = Int(try request.int64("limit") ?? 500)
        guard (1...1_000).contains(limit) else {
            throw Failure(.mandatoryParamEmptyOrMalformed, "Mandatory parameter 'limit' was not sent, was empty/null, or malformed.")
        }
        let orderId = try request.int64("orderId").map(BinanceReports.venueOrderId)
        let fills = await book.trades(
            account: request.signedAccount, symbol: instrument.symbol,
            fromSeq: try request.int64("fromId").map { symbols.tradeSeq(number: $0, symbol: instrument.symbol) },
            venueOrderId: orderId, limit: limit)
        return Self.ok(fills.map { BinanceReports.trade($0, instrument: instrument, symbols: symbols) })
    }

    /// `GET /api/v3/account`: balances free and locked (`omitZeroBalances` honoured).
    func account(_ request: SignedRequest, feeRate: Money, now: Int64) async throws(Failure) -> Reply {
        guard let (free, total) = await book.balances(account: request.signedAccount) else {
            throw Failure(.rejectedAPIKey, "Invalid API-key, IP, or permissions for action.", status: .unauthorized)
        }
        let omitZero = request.string("omitZeroBalances") == "true"
        let balances = total.keys.sorted().compactMap { asset -> BinanceAccount.Balance? in
            let totalAmount = total[asset] ?? .zero
            let freeAmount = free[asset] ?? .zero
            if omitZero, totalAmount.isZero { return nil }
            return BinanceAccount.Balance(asset: asset, free: freeAmount, locked: totalAmount - freeAmount)
        }
        return Self.ok(BinanceAccount(feeRate: feeRate, balances: balances, updateTime: now / 1_000_000, uid: 1))
    }
}

/// The `ACK` reply to a new order.
struct BinanceOrderAck: Encodable {
    var symbol: String
    var orderId: Int64
    var orderListId: Int64
    var clientOrderId: String
    var transactTime: Int64?

    init(_ order: BinanceOrder) {
        symbol = order.symbol
        orderId = order.orderId
        orderListId = order.orderListId
        clientOrderId = order.clientOrderId
        transactTime = order.transactTime
    }
}
