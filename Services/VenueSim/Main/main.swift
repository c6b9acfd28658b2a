import ServiceRuntime
import VenueSim

// venue-sim: the paper exchange (two instruments, market data, fills, fault injection) on its own endpoints,
// authenticated like the bus (its plain-text mode, BW_INSECURE_BUS=true, warns as the bus's does).
await ServiceMain.run(service: "venue-sim", servesOnBus: false) { settings, logger in
    let configuration = try VenueSettings.configuration(settings)
    let (exchange, lastEventSeq) = try VenueSettings.exchange(settings, configuration: configuration)
    return try VenueServer(configuration: configuration, exchange: exchange, lastEventSeq: lastEventSeq, logger: logger)
}
