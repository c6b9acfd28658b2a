import Reconciler
import ServiceRuntime

// reconciler: follows the journal's facts; the venue-vs-journal repair comes later.
await ServiceMain.run(service: "reconciler") { settings, logger in
    ReconcilerService(endpoints: try settings.busEndpoints(), logger: logger)
}
