import BusKit
import BusProtocol
import Foundation
import TradingModel
import VenueKit

/// The paper exchange behind an actor: one request at a time, like a matching engine.
/// It also owns the fault injector (so faulty decisions follow the request order)
/// and the state file (the book is saved before any reply that depends on it).
actor VenueBook {
    var exchange: PaperExchange
    var injector: FaultInjector
    private let stateFile: VenueStateFile?
    /// Changes not yet in the log (only kept with a state file).
    private var pending: [BookEvent] = []
    private var eventSeq: Int64
    private var eventsSinceSnapshot = 0
    /// Places held by the `hold_places` fault, in arrival order (kept in memory only: a
    /// crash loses them, as a network would).
    private var heldPlaces: [Message] = []
    /// After this many logged changes the book is snapshotted and the log emptied.
    private let snapshotEvery = 50_000

    /// One change the Binance front's user data stream reports, in the order the book made them.
    enum Change: Sendable {
        /// An order changed: just `placed`, or filled (`newFills`, its last fills), or ended.
        case order(VenueOrder, placed: Bool, newFills: [VenueFill])
        /// Faults were set (the stream faults may have changed).
        case faultsSet
    }

    /// Where the changes go (set by `followChanges`; nil: nobody follows them).
    private var changes: AsyncStream<Change>.Continuation?

    /// The book's changes from now on (one follower: a second call replaces the first).
    func followChanges() -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self)
        changes?.finish()
        changes = continuation
        return stream
    }

    /// Reports an order's change to the follower; a rejected order is no change (it never existed).
    func changed(_ order: VenueOrder, placed: Bool, newFills: [VenueFill]) {
        guard order.status != .rejected else { return }
        changes?.yield(.order(order, placed: placed, newFills: newFills))
    }

    /// The most orders or fills in one reply (each reply is also cut by bytes to stay under
    /// the 64 KiB message limit).
    static let pageSize = 100

    /// Wraps `exchange`; `lastEventSeq` continues the saved log.
    init(_ exchange: PaperExchange, faults: VenueFaults, seed: UInt64, stateFile: VenueStateFile?, lastEventSeq: Int64 = 0) {
        self.exchange = exchange
        self.stateFile = stateFile
        eventSeq = lastEventSeq
        injector = FaultInjector(seed: seed)
        injector.set(faults, now: 0)
    }

    /// Moves the market one step (logged).
    func advance(now: Int64) -> PaperExchange.MarketStep {
        let trend = injector.faults.marketTrendBps
        record(.step, now: now, trendBps: trend == 0 ? nil : trend)
        let step = exchange.advanceMarket(now: now, trendBps: trend)
        if changes != nil {
            for order in step.updates {
                changed(order, placed: false, newFills: step.fills.filter { $0.venueOrderId == order.venueOrderId })
            }
        }
        return step
    }

    func record(
        _ kind: BookEvent.Kind, now: Int64, place: VenuePlace? = nil, cancel: VenueOrderRef? = nil, trendBps: Int? = nil
    ) {
        guard stateFile != nil else { return }
        eventSeq += 1
        pending.append(BookEvent(seq: eventSeq, kind: kind, now: now, place: place, cancel: cancel, trendBps: trendBps))
    }

    /// Logs the changes made since the last call (one append and fsync: a group
    /// commit), now and then a snapshot instead; returns the error, if any. The
    /// disk work happens outside the actor, so requests are served meanwhile.
    func persist() async -> (any Error)? {
        guard let stateFile, !pending.isEmpty else { return nil }
        let events = pending
        pending.removeAll(keepingCapacity: true)
        eventsSinceSnapshot += events.count
        let snapshot = eventsSinceSnapshot >= snapshotEvery ? SavedBook(exchange: exchange, lastEventSeq: eventSeq) : nil
        if snapshot != nil { eventsSinceSnapshot = 0 }
        do {
            try await Self.write(events, snapshot: snapshot, to: stateFile)
            return nil
        } catch {
            pending = events + pending
            return error
        }
    }

    private nonisolated static func write(_ events: [BookEvent], snapshot: SavedBook?, to file: VenueStateFile) async throws {
        try file.append(events)
        if let snapshot { try file.save(snapshot) }
    }

    /// The delays at which to send one stream message (none: dropped).
    func streamCopies(_ kind: FaultInjector.StreamKind, now: Int64) -> [Duration] {
        injector.streamCopies(kind, now: now)
    }

    /// Holds `message` when it is a place and `hold_places` is on; whether it was held.
    func holds(_ message: Message) -> Bool {
        guard injector.faults.holdPlaces, message.header.type == "venue.place" else { return false }
        heldPlaces.append(message)
        return true
    }

    /// The held places, once `hold_places` is off (emptied); none while it is on.
    func releasedPlaces() -> [Message] {
        guard !injector.faults.holdPlaces else { return [] }
        defer { heldPlaces.removeAll() }
        return heldPlaces
    }

    /// How to answer one request.
    func ackPlan(for type: String) -> FaultInjector.AckPlan { injector.ack(for: type) }

    /// How far the Binance front's clock is off, milliseconds (the clock-skew fault).
    func binanceClockSkewMillis() -> Int { injector.faults.binanceClockSkewMillis }

    /// The Binance front's stream faults in force: a silent WebSocket, ended subscriptions.
    func binanceStreamFaults() -> (silent: Bool, terminated: Bool) {
        (injector.faults.binanceStreamSilent, injector.faults.binanceStreamTerminated)
    }

    /// Whether the reply to a new order the Binance front executed is lost (the after-execution faults).
    func binanceLostReply() -> FaultInjector.LostReply? { injector.binanceLostReply() }

    /// The Binance front's timed refusal in force at `now` (the 418 and 429 faults), if any.
    func binanceRefusal(now: Int64) -> (banned: Bool, retryAfterSeconds: Int)? { injector.binanceRefusal(now: now) }

    /// Answers one venue API request.
    func handle(_ message: Message, now: Int64) throws(ServiceError) -> Data {
        switch message.header.type {
        case "venue.instruments":
            return WireCodec.encode(VenueInstruments(instruments: exchange.instruments))
        case "venue.place":
            let request = try message.decode(VenuePlace.self)
            let isNew = exchange.order(account: request.account, clientOrderId: request.clientOrderId) == nil
            // A new order that arrives after its deadline is refused, never placed: its sender has
            // given up on this attempt, and may already have closed the order `not_at_venue`
            // (a place held in a queue while the venue was unreachable). A known id still answers.
            if isNew, let deadline = message.header.deadline, now > deadline {
                throw ServiceError(
                    .timeout, reason: "deadline_passed",
                    "the place of \(request.clientOrderId) arrived \((now - deadline) / 1_000_000) ms after its deadline; not placed")
            }
            let rejects = isNew && injector.rejectsOrder()
            let order = rejects
                ? try exchange.reject(request, reason: "venue_fault", now: now)
                : try exchange.place(request, now: now)
            if isNew {
                record(rejects ? .reject : .place, now: now, place: request)
                changed(order, placed: true, newFills: order.fills)
            }
            return WireCodec.encode(order)
        case "venue.order":
            let ref = try message.decode(VenueOrderRef.self)
            guard let order = exchange.order(account: ref.account, clientOrderId: ref.clientOrderId) else {
                throw ServiceError(.notFound, reason: "order_not_found", "no order \(ref.clientOrderId) for \(ref.account)")
            }
            return WireCodec.encode(order)
        case "venue.cancel":
            let ref = try message.decode(VenueOrderRef.self)
            let wasOpen = exchange.order(account: ref.account, clientOrderId: ref.clientOrderId).map { !$0.status.isTerminal } ?? false
            let order = try exchange.cancel(account: ref.account, clientOrderId: ref.clientOrderId, now: now)
            record(.cancel, now: now, cancel: ref)
            if wasOpen { changed(order, placed: false, newFills: []) }
            return WireCodec.encode(order)
        case "venue.open_orders":
            let query = try message.decode(VenueOpenOrdersQuery.self)
            let open = exchange.openOrders(account: query.account)
                .filter { order in query.afterVenueOrderId.map { Self.madeAfter(order.venueOrderId, $0) } ?? true }
            let page = open.prefix(Self.pageSize)
            return WireCodec.encodePage(page) { orders, more in
                VenueOrders(orders: orders, nextAfter: more || open.count > page.count ? orders.last?.venueOrderId ?? query.afterVenueOrderId ?? "" : nil)
            }.body
        case "venue.fills":
            return WireCodec.encodePage(fills(try message.decode(VenueFillsQuery.self))) { fills, _ in VenueFills(fills: fills) }.body
        case "venue.balances":
            let account = try message.decode(VenueAccountRef.self).account
            return WireCodec.encode(VenueBalances(account: account, balances: exchange.balances(account: account)))
        case "venue.positions":
            let account = try message.decode(VenueAccountRef.self).account
            return WireCodec.encode(VenuePositions(account: account, positions: exchange.positions(account: account)))
        case "venue.faults":
            let faults = try message.decode(VenueFaults.self).validated()
            injector.set(faults, now: now)
            changes?.yield(.faultsSet)
            return WireCodec.encode(injector.faults)
        default:
            throw ServiceError(.unknownType, reason: "unknown_type", "venue-sim does not handle '\(message.header.type)'")
        }
    }

    /// Whether venue order id `id` was made after `cursor`: ids are a prefix and a counter of
    /// at least 12 digits, so the longer is the later one, and equal lengths sort as text.
    static func madeAfter(_ id: String, _ cursor: String) -> Bool {
        (id.utf8.count, id) > (cursor.utf8.count, cursor)
    }

    private func fills(_ query: VenueFillsQuery) -> [VenueFill] {
        if let sinceTs = query.sinceTs, query.afterTradeSeq == nil {
            return exchange.fills(account: query.account, sinceTs: sinceTs, limit: Self.pageSize)
        }
        let page = exchange.fills(account: query.account, afterTradeSeq: query.afterTradeSeq, limit: Self.pageSize)
        guard let sinceTs = query.sinceTs else { return page }
        return page.filter { $0.ts >= sinceTs }
    }
}
