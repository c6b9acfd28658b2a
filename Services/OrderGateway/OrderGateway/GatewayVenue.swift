import BinanceVenue
import Logging
import TradingModel
import VenueKit
import ZeroMQ

/// The venue the gateway trades on: the paper venue-sim over its ZeroMQ endpoints, or in
/// live mode Binance Spot through `BinanceSpotVenue` (whose stream is fed by its own poll loop).
enum GatewayVenue: Sendable {
    case paper(PaperVenueClient)
    case binance(BinanceSpotVenue)

    init(_ configuration: GatewayConfiguration, context: ZMQContext, logger: Logger) throws {
        if let live = configuration.live {
            self = .binance(BinanceSpotVenue(configuration: live, logger: logger))
        } else {
            self = .paper(try PaperVenueClient(
                venue: configuration.venue,
                subscribe: [VenueTopic.tick, VenueTopic.fill, VenueTopic.order], context: context, logger: logger,
                timeout: configuration.venueTimeout))
        }
    }

    var venue: any Venue {
        switch self {
        case .paper(let venue): venue
        case .binance(let venue): venue
        }
    }

    /// The instruments, once the venue answers (live: after the clock offset is measured).
    func start() async throws(VenueError) -> [Instrument] {
        switch self {
        case .paper(let venue): return try await venue.instruments()
        case .binance(let venue): return try await venue.start()
        }
    }

    /// What keeps the stream flowing until cancelled (the paper client's socket thread runs by itself).
    func run() async {
        if case .binance(let venue) = self { await venue.run() }
    }

    /// Ends the stream.
    func stop() {
        switch self {
        case .paper(let venue): venue.stop()
        case .binance(let venue): venue.stop()
        }
    }
}
