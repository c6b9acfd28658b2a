import BinanceWire
import BusKit
import BusProtocol
import Foundation
import HummingbirdWSClient
import Metrics
import Synchronization
import TradingModel
import VenueKit

extension BinanceSpotVenue {
    /// Feeds `stream` until cancelled: the top of book every `tickInterval`, and the account's
    /// trades — from the user data stream (`streamURL`), or polled every `pollInterval`
    /// without one. Either way the trades start at the newest one when the adapter starts
    /// (older ones are the reconciler's) and go on from a cursor per symbol.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.pollTicks() }
            if let url = configuration.streamURL {
                group.addTask { await self.followUserStream(url) }
            } else {
                group.addTask { await self.pollTrades() }
            }
        }
        events.finish()
    }

    /// Ends the stream (its consumer's loop ends); `run` ends when its task is cancelled.
    public func stop() {
        events.finish()
    }

    private func pollTicks() async {
        while !Task.isCancelled {
            do {
                let markets = try await loadedMarkets()
                let tickers: [BinanceBookTicker] = try await rest.get("/api/v3/ticker/bookTicker")
                let now = rest.now()
                for ticker in tickers {
                    guard let instrument = markets.instrument(venueSymbol: ticker.symbol) else { continue }
                    let mid = (ticker.bidPrice + ticker.askPrice).divided(by: ExactDecimal(2), rounding: .halfEven)
                    events.yield(.tick(VenueTick(symbol: instrument.symbol, bid: ticker.bidPrice, ask: ticker.askPrice, last: mid, ts: now)))
                }
            } catch {
                logger.notice("venue.binance.poll_failed", metadata: ["poll": "ticks", "error": "\(error.serviceError)"])
            }
            try? await Task.sleep(for: configuration.tickInterval)
        }
    }

    private func pollTrades() async {
        while !Task.isCancelled {
            do {
                try await catchUpTrades()
            } catch {
                logger.notice("venue.binance.poll_failed", metadata: ["poll": "trades", "error": "\(error.serviceError)"])
            }
            try? await Task.sleep(for: configuration.pollInterval)
        }
    }

    /// Streams every trade after each symbol's cursor (all its pages), moving the cursors; a
    /// symbol without a cursor yet starts at its newest trade.
    func catchUpTrades() async throws(VenueError) {
        let markets = try await loadedMarkets()
        for venueSymbol in markets.venueSymbols {
            guard var cursor = tradeCursors.withLock({ $0[venueSymbol] }) else {
                let newest: [BinanceTrade] = try await rest.signed(
                    .GET, "/api/v3/myTrades", BinanceQuery([("symbol", venueSymbol), ("limit", "1")]))
                advanceCursor(venueSymbol, to: newest.last?.id ?? -1)
                continue
            }
            while true {
                let fills = try await trades(venueSymbol, fromId: cursor + 1, markets: markets)
                for fill in fills { events.yield(.fill(fill)) }
                guard let last = fills.last else { break }
                cursor = last.tradeSeq
                advanceCursor(venueSymbol, to: cursor)
                if fills.count < Self.tradePage { break }
            }
        }
    }

    /// Moves `venueSymbol`'s trade cursor forward to `tradeId` (never back).
    func advanceCursor(_ venueSymbol: String, to tradeId: Int64) {
        tradeCursors.withLock { $0[venueSymbol] = max($0[venueSymbol] ?? tradeId, tradeId) }
    }

    // MARK: The user data stream

    /// Why a stream session ended (each is followed by a reconnect and a catch-up).
    enum StreamEnd: Error, CustomStringConvertible {
        /// Nothing was heard for the silence limit: the connection looks open but is dead.
        case silent(Duration)
        /// The venue ended the subscription (`eventStreamTerminated`).
        case terminated
        /// The venue refused the subscribe.
        case refused(BinanceErrorBody)
        /// The venue closed the connection.
        case closed

        /// A label for the metric.
        var why: String {
            switch self {
            case .silent: "silent"
            case .terminated: "terminated"
            case .refused: "refused"
            case .closed: "closed"
            }
        }

        var description: String {
            switch self {
            case .silent(let limit): "nothing heard for \(limit)"
            case .terminated: "the venue ended the subscription (eventStreamTerminated)"
            case .refused(let body): "subscribe refused: \(body.code) \(body.msg)"
            case .closed: "the venue closed the connection"
            }
        }
    }

    /// Follows the WebSocket API's user data stream until cancelled. Every session subscribes,
    /// then catches up by REST from the trade cursors (what the stream carried while it was
    /// down), then streams the trades as they happen. A session that ends — a drop, a
    /// termination, a silence longer than `streamSilenceLimit` — is followed by another after
    /// a backoff that doubles up to `streamBackoffLimit` (and starts again after a session that subscribed).
    func followUserStream(_ url: String) async {
        var backoff = Self.streamBackoffStart
        while !Task.isCancelled {
            let subscribedBefore = streamSessionsStarted.load(ordering: .relaxed)
            let end: any Error
            do {
                var client = WebSocketClientConfiguration()
                client.maxFrameSize = Self.maxStreamMessageBytes
                try await WebSocketClient.connect(url: url, configuration: client, logger: logger) { inbound, outbound, _ in
                    try await self.streamSession(inbound, outbound)
                }
                end = StreamEnd.closed
            } catch {
                end = error
            }
            streamUp.store(false, ordering: .relaxed)
            Self.streamUpGauge.record(0)
            guard !Task.isCancelled else { break }
            streamSessionsEnded.add(1, ordering: .relaxed)
            Counter(label: "bw_venue_stream_sessions_ended_total", dimensions: [("venue", name), ("why", (end as? StreamEnd)?.why ?? "error")]).increment()
            logger.warning("venue.binance.stream_lost", metadata: ["error": "\(end)", "venue.stream.retry_in": "\(backoff)"])
            // A session that subscribed worked: the next one starts from the shortest backoff.
            if streamSessionsStarted.load(ordering: .relaxed) > subscribedBefore { backoff = Self.streamBackoffStart }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, Self.streamBackoffLimit)
        }
    }

    /// `bw_venue_stream_up`: 1 while the user data stream is subscribed, 0 while it is down
    /// (alert on it staying 0: fills then come only from the catch-ups and the reconciler).
    static let streamUpGauge = Gauge(label: "bw_venue_stream_up", dimensions: [("venue", "binance")])

    /// The first stream backoff, and its ceiling.
    static let streamBackoffStart = Duration.milliseconds(100)
    static let streamBackoffLimit = Duration.seconds(5)
    /// The largest stream message read.
    static let maxStreamMessageBytes = 1 << 20

    /// One connection: subscribe, catch up, then follow; a ping every third of the silence
    /// limit keeps a healthy connection heard even when the account does not trade. A
    /// connection silent for the limit is closed from this side (its reads then end).
    private func streamSession(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        let subscribeId = BinanceRequestId.text("subscribe")
        let params = BinanceUserStream.subscribeParams(
            apiKey: configuration.credentials.apiKey, secret: configuration.credentials.secret,
            timestampMillis: rest.serverNowMillis, recvWindowMillis: BinanceREST.millis(configuration.recvWindow))
        try await outbound.write(.text(Self.text(BinanceStreamRequest(id: subscribeId, method: .subscribe, params: params))))
        let watch = StreamWatch()
        let limit = configuration.streamSilenceLimit
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var pings: Int64 = 0
                while true {
                    try await Task.sleep(for: limit / 3)
                    if watch.quietNanos > Self.nanos(limit) {
                        watch.silenced.store(true, ordering: .relaxed)
                        try? await outbound.close(.goingAway, reason: "nothing heard for \(limit)")
                        return
                    }
                    pings += 1
                    try await outbound.write(.text(Self.text(BinanceStreamRequest(id: .text("ping-\(pings)"), method: .ping))))
                }
            }
            defer { group.cancelAll() }
            for try await message in inbound.messages(maxSize: Self.maxStreamMessageBytes) {
                watch.heard()
                guard case .text(let text) = message else { continue }
                let data = Data(text.utf8)
                guard let head = try? JSONDecoder().decode(BinanceStreamMessageHead.self, from: data) else {
                    logger.notice("venue.binance.stream_unreadable", metadata: ["bytes": "\(data.count)"])
                    continue
                }
                if let status = head.status {
                    guard head.id == subscribeId else { continue }
                    guard status == 200 else {
                        throw StreamEnd.refused(head.error ?? BinanceErrorBody(code: 0, msg: "status \(status)"))
                    }
                    // Subscribed: what happened while no stream was up comes from REST.
                    try await catchUpTrades()
                    watch.heard()
                    streamUp.store(true, ordering: .relaxed)
                    Self.streamUpGauge.record(1)
                    let sessions = streamSessionsStarted.add(1, ordering: .relaxed).newValue
                    logger.info("venue.binance.stream_connected", metadata: ["venue.stream.sessions": "\(sessions)"])
                    if sessions > 1 { resubscribed.withLock { $0 }?() }
                    continue
                }
                switch head.event?.e {
                case BinanceExecutionReport.eventType:
                    guard let event = try? JSONDecoder().decode(BinanceStreamEvent<BinanceExecutionReport>.self, from: data) else {
                        logger.notice("venue.binance.stream_unreadable", metadata: ["event": "executionReport"])
                        continue
                    }
                    if let fill = try await fill(of: event.event) { events.yield(.fill(fill)) }
                case BinanceStreamTerminated.eventType:
                    throw StreamEnd.terminated
                default:
                    continue  // balances and the rest: the reconciler reads them by REST
                }
            }
            throw watch.silenced.load(ordering: .relaxed) ? StreamEnd.silent(limit) : StreamEnd.closed
        }
    }

    /// The fill an execution report of a trade carries (nil for any other report), its
    /// symbol's cursor moved past it.
    func fill(of report: BinanceExecutionReport) async throws(VenueError) -> VenueFill? {
        guard report.isTrade else { return nil }
        let markets = try await loadedMarkets()
        guard let instrument = markets.instrument(venueSymbol: report.symbol), let side = BinanceSymbols.side(report.side) else { return nil }
        let clientOrderId = ids.clientOrderId(for: report.clientOrderId)
        clientIdOfOrder.withLock { $0[report.orderId] = clientOrderId }
        advanceCursor(report.symbol, to: report.tradeId)
        return VenueFill(
            tradeId: String(report.tradeId), tradeSeq: report.tradeId, venueOrderId: String(report.orderId),
            clientOrderId: clientOrderId, account: configuration.account, symbol: instrument.symbol, side: side,
            qty: report.lastExecutedQuantity, price: report.lastExecutedPrice, fee: report.commission,
            feeAsset: report.commissionAsset ?? instrument.quote, ts: report.transactionTime * 1_000_000)
    }

    private static func text(_ request: BinanceStreamRequest) -> String {
        String(decoding: (try? JSONEncoder().encode(request)) ?? Data(), as: UTF8.self)
    }

    /// When one stream session last heard anything, and whether it was closed for silence.
    private final class StreamWatch: Sendable {
        let lastHeard = Atomic<Int64>(WallClock.nowNanos())
        let silenced = Atomic<Bool>(false)

        func heard() { lastHeard.store(WallClock.nowNanos(), ordering: .relaxed) }
        var quietNanos: Int64 { WallClock.nowNanos() - lastHeard.load(ordering: .relaxed) }
    }

    static func nanos(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
