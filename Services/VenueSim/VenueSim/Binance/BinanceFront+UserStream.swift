import BinanceWire
import BusKit
import Foundation
import HummingbirdWebSocket
import TradingModel
import VenueKit

extension BinanceFront {
    /// The largest WebSocket API request read.
    static let maxStreamRequestBytes = 64 * 1024

    /// Serves one WebSocket API connection (`/ws-api/v3`) until either side closes it: its
    /// requests in order, and, once subscribed, its account's events. While the
    /// `binance_stream_silent` fault is set, nothing is written (the connection stays open).
    func serveStream(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        let (connection, queued) = await hub.open()
        defer { Task { [hub] in await hub.close(connection) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in queued {
                    if await book.binanceStreamFaults().silent { continue }
                    try await outbound.write(.text(text))
                }
            }
            for try await message in inbound.messages(maxSize: Self.maxStreamRequestBytes) {
                let text: String
                switch message {
                case .text(let value): text = value
                case .binary(let buffer): text = String(buffer: buffer)
                }
                await answer(text, connection: connection, now: WallClock.nowNanos())
            }
            group.cancelAll()
        }
    }

    /// Answers one request on `connection` (every request gets a reply, garbage too), its
    /// weight charged to the front's request weight as a REST call's is.
    func answer(_ text: String, connection: Int, now: Int64) async {
        let nowMillis = now / 1_000_000
        guard let request = try? JSONDecoder().decode(BinanceStreamRequest.self, from: Data(text.utf8)) else {
            let failure = Failure(.mandatoryParamEmptyOrMalformed, "Malformed request: not a JSON object with id, method and params.")
            await hub.send(streamFailure(id: nil, failure, nowMillis: nowMillis), to: connection)
            return
        }
        guard let method = BinanceUserStream.Method(rawValue: request.method) else {
            let failure = Failure(.unsupportedOperation, "Unknown method '\(request.method)'.")
            await hub.send(streamFailure(id: request.id, failure, nowMillis: nowMillis), to: connection)
            return
        }
        if case .failure(.weight(let seconds)) = limits.charge(weight: method.weight, nowMillis: nowMillis) {
            let failure = Failure(.tooManyRequests, "Too much request weight used; current limit is \(limits.limits.weightPerMinute) request weight per 1 MINUTE.",
                                  status: .tooManyRequests, retryAfter: seconds)
            await hub.send(streamFailure(id: request.id, failure, nowMillis: nowMillis), to: connection)
            return
        }
        let serverMillis = nowMillis + Int64(await book.binanceClockSkewMillis())
        let params = (request.params ?? [:]).mapValues(\.text)
        switch method {
        case .ping:
            await hub.send(streamReply(id: request.id, BinanceEmptyResult(), nowMillis: nowMillis), to: connection)
        case .time:
            await hub.send(streamReply(id: request.id, BinanceServerTime(serverTime: serverMillis), nowMillis: nowMillis), to: connection)
        case .subscribe:
            do throws(Failure) {
                let account = try authenticateStream(params, nowMillis: serverMillis)
                let terminated = await book.binanceStreamFaults().terminated
                await hub.subscribe(connection, account: account, terminated: terminated, nowMillis: serverMillis) { id in
                    streamReply(id: request.id, BinanceSubscription(subscriptionId: id), nowMillis: nowMillis)
                }
            } catch {
                await hub.send(streamFailure(id: request.id, error, nowMillis: nowMillis), to: connection)
            }
        case .unsubscribe:
            // Without an id, every subscription of the connection ends; none left is no error.
            await hub.unsubscribe(connection, id: params["subscriptionId"].flatMap { Int($0) })
            await hub.send(streamReply(id: request.id, BinanceEmptyResult(), nowMillis: nowMillis), to: connection)
        case .subscriptions:
            let ids = await hub.subscriptions(connection).map(BinanceSubscription.init)
            await hub.send(streamReply(id: request.id, ids, nowMillis: nowMillis), to: connection)
        }
    }

    /// The account of a signed subscribe: the key, the signature over the sorted parameters,
    /// and the timing, as a signed REST call is checked.
    private func authenticateStream(_ params: [String: String], nowMillis: Int64) throws(Failure) -> String {
        guard let apiKey = params["apiKey"], !apiKey.isEmpty else { throw .mandatory("apiKey") }
        guard let credential = configuration.keys[apiKey] else {
            throw Failure(.rejectedAPIKey, "Invalid API-key, IP, or permissions for action.", status: .unauthorized)
        }
        guard let signature = params["signature"] else { throw .mandatory("signature") }
        guard BinanceSigner.verify(signature: signature, payload: BinanceUserStream.signaturePayload(params), secret: credential.secret) else {
            throw Failure(.invalidSignature, "Signature for this request is not valid.")
        }
        let request = SignedRequest(params: BinanceQuery(params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }), account: credential.account)
        try checkTiming(request, nowMillis: nowMillis)
        return credential.account
    }

    /// Follows the book's changes (once each is on disk, as the ZeroMQ stream does) and
    /// reports them to the subscriptions of their account: the execution reports, then the
    /// balances of the assets the order moves.
    func followBook(_ changes: AsyncStream<VenueBook.Change>) async {
        for await change in changes {
            switch change {
            case .faultsSet:
                if await book.binanceStreamFaults().terminated { await hub.terminateAll(nowMillis: WallClock.nowNanos() / 1_000_000) }
            case .order(let order, let placed, let newFills):
                // Nobody listening: nothing to build, and no save to wait for.
                guard await hub.isFollowed(order.account) else { continue }
                await saved()
                let nowMillis = WallClock.nowNanos() / 1_000_000
                let market = await book.market()
                guard let instrument = market.instruments.first(where: { $0.symbol == order.symbol }) else { continue }
                var events = BinanceReports.executionReports(
                    order, placed: placed, newFills: newFills, instrument: instrument, symbols: SymbolTable(market.instruments), nowMillis: nowMillis)
                    .map { Self.json($0) }
                if let (free, total) = await book.balances(account: order.account) {
                    let assets = Set([instrument.base, instrument.quote] + newFills.map(\.feeAsset)).sorted()
                    events.append(Self.json(BinanceAccountPosition(eventTime: nowMillis, balances: assets.map { asset in
                        let freeAmount = free[asset] ?? .zero
                        return .init(asset: asset, free: freeAmount, locked: (total[asset] ?? .zero) - freeAmount)
                    })))
                }
                await hub.publish(events, account: order.account)
            }
        }
    }

    private func rateLimitCounts(nowMillis: Int64) -> [BinanceRateLimitCount] {
        [.weight(limit: limits.limits.weightPerMinute, count: limits.usedWeight(nowMillis: nowMillis))]
    }

    func streamReply(id: BinanceRequestId?, _ result: some Codable & Sendable, nowMillis: Int64) -> String {
        String(decoding: Self.json(BinanceStreamReply(id: id, result: result, rateLimits: rateLimitCounts(nowMillis: nowMillis))), as: UTF8.self)
    }

    func streamFailure(id: BinanceRequestId?, _ failure: Failure, nowMillis: Int64) -> String {
        let reply = BinanceStreamReply<BinanceEmptyResult>(
            id: id, status: Int(failure.status.code), error: failure.body, rateLimits: rateLimitCounts(nowMillis: nowMillis))
        return String(decoding: Self.json(reply), as: UTF8.self)
    }
}
