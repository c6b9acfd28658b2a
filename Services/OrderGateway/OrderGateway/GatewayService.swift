import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import TradingModel
import VenueKit
import ZeroMQ

/// The order-gateway process: order entry for strategies (`order.submit`, `order.get`),
/// and the follower of the venue's fill stream.
public struct GatewayService: Service {
    private let endpoints: BusEndpoints
    private let venueEndpoints: (rpc: String, stream: String)
    private let logger: Logger

    public init(endpoints: BusEndpoints, venue: (rpc: String, stream: String), logger: Logger) {
        self.endpoints = endpoints
        self.venueEndpoints = venue
        self.logger = logger
    }

    public func run() async throws {
        let context = ZMQContext()
        let bus = try BusConnection(
            configuration: .init(endpoints: endpoints, identity: Settings.replicaIdentity(service: GatewayAPI.service)),
            context: context, logger: logger)
        let venue = try PaperVenueClient(
            rpc: venueEndpoints.rpc, streamEndpoint: venueEndpoints.stream,
            subscribe: [VenueTopic.tick, VenueTopic.fill], context: context, logger: logger)
        bus.start()
        let instruments = await loadInstruments(venue)
        let entry = OrderEntry(
            bus: bus, venue: venue, instruments: Dictionary(uniqueKeysWithValues: instruments.map { ($0.symbol, $0) }),
            quotes: MarketQuotes(), locks: KeyedLock(), pricePolicy: PricePolicy(), logger: logger)
        await withDiscardingTaskGroup { group in
            group.addTask { await followVenue(venue, entry: entry) }
            // Ready only with market data for every instrument: no order is priced blind.
            while await !entry.quotes.covers(instruments.map(\.symbol)), !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
            }
            bus.serve(service: GatewayAPI.service)
            bus.register()
            logger.info("gateway.ready", metadata: ["instruments": "\(instruments.count)"])
            await withGracefulShutdownHandler {
                await bus.handleRequests { message throws(ServiceError) in
                    switch message.header.type {
                    case GatewayAPI.submit: return WireCodec.encode(try await entry.submit(message))
                    case GatewayAPI.get: return WireCodec.encode(try await entry.get(message))
                    default:
                        throw ServiceError(.unknownType, reason: "unknown_type", "order-gateway does not handle '\(message.header.type)'")
                    }
                }
            } onGracefulShutdown: {
                bus.stopAccepting()
            }
            venue.stop()
            group.cancelAll()
        }
        bus.stop()
        context.terminate()
    }

    /// The venue's instrument rules; waits for the venue to answer.
    private func loadInstruments(_ venue: PaperVenueClient) async -> [Instrument] {
        while !Task.isCancelled {
            if let instruments = try? await venue.instruments() { return instruments }
            logger.notice("gateway.waiting_for_venue")
            try? await Task.sleep(for: .milliseconds(500))
        }
        return []
    }

    /// Quotes and fills from the venue's stream; each fill is journaled once (by trade id).
    private func followVenue(_ venue: PaperVenueClient, entry: OrderEntry) async {
        for await event in venue.stream {
            switch event {
            case .tick(let tick):
                await entry.quotes.update(tick)
            case .fill(let fill):
                do {
                    try await entry.journal([VenueFacts.fill(for: fill, venue: venue.name)], traceparent: nil)
                } catch {
                    logger.warning("gateway.fill.journal_failed", metadata: ["trade_id": "\(fill.tradeId)", "error": "\(error)"])
                }
            case .order:
                break
            }
        }
    }
}
