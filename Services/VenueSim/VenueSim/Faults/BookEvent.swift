import BusProtocol
import TradingModel
import VenueKit

/// One change of the paper exchange, as written to the venue's log: replayed in
/// order onto the last snapshot it rebuilds the book exactly (the exchange is a
/// pure function of its inputs and seed).
struct BookEvent: Codable, Sendable, Equatable {
    /// What changed.
    enum Kind: String, Codable, Sendable {
        case place, reject, cancel, step
    }

    /// The event's number: strictly increasing, never reused.
    var seq: Int64
    /// What changed.
    var kind: Kind
    /// Venue time of the change, unix nanoseconds.
    var now: Int64
    /// The order placed or rejected.
    var place: VenuePlace?
    /// The order canceled.
    var cancel: VenueOrderRef?
    /// A step's `market_trend_bps` (nil: none, and in logs written before the fault existed).
    var trendBps: Int?

    /// Applies the event to `exchange` (errors are the same as the first time: ignored).
    func apply(to exchange: inout PaperExchange) {
        switch kind {
        case .place:
            if let place { _ = try? exchange.place(place, now: now) }
        case .reject:
            if let place { _ = try? exchange.reject(place, reason: "venue_fault", now: now) }
        case .cancel:
            if let cancel { _ = try? exchange.cancel(account: cancel.account, clientOrderId: cancel.clientOrderId, now: now) }
        case .step:
            _ = exchange.advanceMarket(now: now, trendBps: trendBps ?? 0)
        }
    }
}

/// The snapshot part of the saved book: the exchange and the last event it contains.
struct SavedBook: Codable, Sendable {
    /// The book.
    var exchange: PaperExchange
    /// The last logged change the book contains.
    var lastEventSeq: Int64
}
