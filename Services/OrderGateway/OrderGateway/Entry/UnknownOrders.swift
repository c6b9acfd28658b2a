import BusProtocol
import Logging
import TradingModel
import VenueKit

/// Orders left `unknown` by a venue that did not answer (G10). They are asked about by
/// client_order_id until the venue says; what it says is journaled. An order still absent
/// after the grace period never reached the venue: it is closed `rejected`
/// (`not_at_venue`), which releases its reservation. Never resent blindly.
///
/// Held in memory: after a gateway restart the reconciler resolves leftover `unknown`
/// orders from the journal (C1), with the same deterministic fact ids.
actor UnknownOrders {
    private struct Watched {
        let place: VenuePlace
        let since: Int64
    }

    /// At most this many orders are watched; beyond it the reconciler alone resolves them.
    static let limit = 10_000
    private var watched: [String: Watched] = [:]
    private let venue: any Venue
    private let graceNanos: Int64
    private let journal: @Sendable ([Fact]) async throws(ServiceError) -> Void
    private let logger: Logger

    init(venue: any Venue, grace: Duration, logger: Logger, journal: @escaping @Sendable ([Fact]) async throws(ServiceError) -> Void) {
        self.venue = venue
        graceNanos = grace.wholeNanoseconds
        self.logger = logger
        self.journal = journal
    }

    /// Starts asking about an order that went `unknown` at `now`.
    func watch(_ place: VenuePlace, now: Int64) {
        guard watched.count < Self.limit else {
            logger.warning("gateway.unknown.watch_full", metadata: ["order.client_id": "\(place.clientOrderId)"])
            return
        }
        watched[place.account + "|" + place.clientOrderId] = Watched(place: place, since: now)
    }

    /// How many orders are still unresolved.
    var count: Int { watched.count }

    /// Asks the venue once about every watched order; journals what it learns.
    func resolve(now: Int64) async {
        for (key, order) in watched {
            let place = order.place
            let facts: [Fact]
            do {
                if let found = try await venue.order(account: place.account, clientOrderId: place.clientOrderId) {
                    facts = VenueFacts.facts(for: found, venue: venue.name)
                } else if now - order.since >= graceNanos {
                    facts = [VenueFacts.closed(account: place.account, clientOrderId: place.clientOrderId, state: .rejected, reason: "not_at_venue")]
                } else {
                    continue
                }
            } catch {
                continue  // The venue still does not answer: ask again next round.
            }
            do {
                try await journal(facts)
                watched[key] = nil
                logger.notice("gateway.unknown.resolved", metadata: ["order.client_id": "\(place.clientOrderId)", "facts": "\(facts.map(\.type))"])
            } catch {
                logger.warning("gateway.unknown.journal_failed", metadata: ["order.client_id": "\(place.clientOrderId)", "error": "\(error)"])
            }
        }
    }
}
