import RiskService
import ServiceRuntime

// risk-service: reservations, breakers, governor, limits and margin over the journal's fold.
await ServiceMain.run(service: "risk-service") { settings, logger in
    try RiskService(
        endpoints: try settings.busEndpoints(), venue: try settings.venueEndpoints(),
        configuration: try RiskConfiguration.read(settings), logger: logger)
}
