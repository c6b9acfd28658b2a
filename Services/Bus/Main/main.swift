import BusBroker
import ServiceRuntime

// bus: the broker every service connects to. Binds BW_BUS_BIND_HOST (default: BW_BUS_HOST).
await ServiceMain.run(service: "bus", servesOnBus: false) { settings, logger in
    try BusService(configuration: try BusServer.Configuration(settings: settings), logger: logger)
}
