import ServiceRuntime
import VenueSim

// venue-sim: the paper exchange (two instruments, market data, fills) on its own endpoints.
await ServiceMain.run(service: "venue-sim", servesOnBus: false) { settings, logger in
    let endpoints = try settings.venueEndpoints()
    var configuration = VenueServer.Configuration(rpc: endpoints.rpc, stream: endpoints.stream)
    configuration.tickInterval = .milliseconds(try settings.int("BW_VENUE_TICK_MS", default: 250, in: 10...60_000))
    let exchange = PaperExchange(
        instruments: PaperExchange.defaultInstruments(), startingPrices: PaperExchange.defaultStartingPrices(),
        accounts: try settings.accounts(), feeRate: try settings.feeRate(), spreadTicks: 2,
        seed: UInt64(try settings.int("BW_VENUE_SEED", default: 42, in: 0...Int.max)))
    return try VenueServer(configuration: configuration, exchange: exchange, logger: logger)
}
