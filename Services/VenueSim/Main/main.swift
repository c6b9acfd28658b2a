import ServiceRuntime
import VenueSim

// venue-sim: the paper exchange (two instruments, market data, fills) on its own endpoints.
await ServiceMain.run(service: "venue-sim", servesOnBus: false) { settings, logger in
    // Binds BW_VENUE_BIND_HOST (default: BW_VENUE_HOST), e.g. 0.0.0.0 in a container.
    let port = try settings.int("BW_VENUE_PORT", default: 5570, in: 1...65534)
    let host = settings.string("BW_VENUE_BIND_HOST", default: settings.string("BW_VENUE_HOST", default: "127.0.0.1"))
    var configuration = VenueServer.Configuration(rpc: "tcp://\(host):\(port)", stream: "tcp://\(host):\(port + 1)")
    configuration.tickInterval = .milliseconds(try settings.int("BW_VENUE_TICK_MS", default: 250, in: 10...60_000))
    let exchange = PaperExchange(
        instruments: PaperExchange.defaultInstruments(), startingPrices: PaperExchange.defaultStartingPrices(),
        accounts: try settings.accounts(), feeRate: try settings.feeRate(), spreadTicks: 2,
        seed: UInt64(try settings.int("BW_VENUE_SEED", default: 42, in: 0...Int.max)))
    return try VenueServer(configuration: configuration, exchange: exchange, logger: logger)
}
