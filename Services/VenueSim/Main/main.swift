import ServiceRuntime
import VenueSim

// venue-sim: the paper exchange (two instruments, market data, fills, fault injection) on its own endpoints.
await ServiceMain.run(service: "venue-sim", servesOnBus: false, onBus: false) { settings, logger in
    let configuration = try VenueSettings.configuration(settings)
    let (exchange, lastEventSeq) = try VenueSettings.exchange(settings, configuration: configuration)
    return try VenueServer(configuration: configuration, exchange: exchange, lastEventSeq: lastEventSeq, logger: logger)
}
