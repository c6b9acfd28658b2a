import BusProtocol
import TradingModel

/// A venue error, classified by what the caller may do about it (G10).
public enum VenueError: Error, Sendable, Equatable {
    /// Timeout or transport error: the venue may or may not have acted. The order is
    /// `unknown` until the venue is asked by client_order_id; never "failed".
    case transient(ServiceError)
    /// The venue refused the request; resending the same request will not help.
    case permanent(ServiceError)
    /// The venue cannot be used at all (credentials, configuration): stop trading on it.
    case fatal(ServiceError)

    /// The wire error behind the classification.
    public var serviceError: ServiceError {
        switch self {
        case .transient(let e), .permanent(let e), .fatal(let e): e
        }
    }

    /// Classifies a venue's error reply by its code.
    public static func classify(_ error: ServiceError) -> VenueError {
        switch error.code {
        case .timeout, .unavailable, .overloaded, .rateLimited: .transient(error)
        case .internal: .fatal(error)
        default: .permanent(error)
        }
    }
}

/// What the suite needs of an exchange: the seam between the gateway/reconciler and
/// the paper venue-sim or a live adapter. Calls answer like an exchange's REST API;
/// `stream` carries its market data and execution reports.
public protocol Venue: Sendable {
    /// The venue's name, part of every fill's deterministic fact id.
    var name: String { get }
    func instruments() async throws(VenueError) -> [Instrument]
    /// Places an order, once: an adapter never resends it by itself.
    ///
    /// Do not count on a venue to treat a repeated client_order_id as the same order. The
    /// paper venue-sim does (it returns the existing order), but Binance refuses a repeat
    /// only while the first order is OPEN: a resend after a market order filled is a SECOND
    /// order. So after a place whose outcome is unknown (a transient error, a timeout), ask
    /// with `order(account:clientOrderId:)` first and resend only when the venue says it
    /// has no such order (G10; the gateway's `VenuePlacement` does exactly that).
    func place(_ order: VenuePlace) async throws(VenueError) -> VenueOrder
    /// `place`, calling `sent` (at least once; it must be idempotent) when the request is
    /// on its way; see the default in the extension.
    func place(_ order: VenuePlace, sent: @escaping @Sendable () -> Void) async throws(VenueError) -> VenueOrder
    /// The order with this client_order_id, or nil if the venue never saw it.
    func order(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder?
    func cancel(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder
    func openOrders(account: String) async throws(VenueError) -> [VenueOrder]
    func fills(account: String, afterTradeSeq: Int64?) async throws(VenueError) -> [VenueFill]
    /// The series `fill`'s trade seq is numbered in (`TradeCursor`): `""` where the venue
    /// numbers its trades once (the default), the symbol where it numbers them per symbol.
    func tradeSeries(of fill: VenueFill) -> String
    /// Every fill of `account` after `cursor`, each series read to its end (by default the one
    /// series `""`, through `fills(account:afterTradeSeq:)`).
    func allFills(account: String, after cursor: TradeCursor) async throws(VenueError) -> [VenueFill]
    func balances(account: String) async throws(VenueError) -> VenueBalances
    /// The account's net base quantity per symbol (a default derives it from the fills).
    func positions(account: String) async throws(VenueError) -> [String: Quantity]
    /// Ticks, fills and order updates as the venue streams them (lossy: poll to repair).
    var stream: AsyncStream<VenueEvent> { get }
}

extension Venue {
    public func tradeSeries(of fill: VenueFill) -> String { "" }

    public func allFills(account: String, after cursor: TradeCursor) async throws(VenueError) -> [VenueFill] {
        try await allFills(account: account, afterTradeSeq: cursor.last(in: ""))
    }

    /// `place`, calling `sent` when the request is on its way (before the answer), so a
    /// caller can keep several orders in sequence at the venue without waiting for each
    /// answer. This default calls it after the answer (no pipelining, same order);
    /// `PaperVenueClient` calls it when the request is handed to its socket.
    public func place(_ order: VenuePlace, sent: @escaping @Sendable () -> Void) async throws(VenueError) -> VenueOrder {
        defer { sent() }
        return try await place(order)
    }
}

/// One message of a venue's stream.
public enum VenueEvent: Sendable, Equatable {
    case tick(VenueTick)
    case fill(VenueFill)
    case order(VenueOrder)
}

/// The topics of the paper venue's stream.
public enum VenueTopic {
    public static let tick = "tick."
    public static let fill = "fill."
    public static let order = "order."
}
