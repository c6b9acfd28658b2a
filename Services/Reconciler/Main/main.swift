import BinanceVenue
import Reconciler
import ServiceRuntime

// reconciler: the venue is the truth — startup, periodic and triggered reconciliation, stale positions.
await ServiceMain.run(service: "reconciler") { settings, logger in
    ReconcilerService(
        endpoints: try settings.busEndpoints(), venue: try settings.venueEndpoints(),
        live: try BinanceSpotVenue.Configuration.live(settings, weightShare: BinanceSpotVenue.Configuration.reconcilerWeightShare),
        configuration: try ReconcilerConfiguration.load(settings), logger: logger)
}
