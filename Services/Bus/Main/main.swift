import BusBroker
import ServiceRuntime

// bus: the broker every service connects to. Binds BW_BUS_BIND_HOST (default: BW_BUS_HOST).
await ServiceMain.run(service: "bus", servesOnBus: false) { settings, logger in
    let port = try settings.int("BW_BUS_PORT", default: 5555, in: 1...65532)
    let host = settings.string("BW_BUS_BIND_HOST", default: settings.string("BW_BUS_HOST", default: "127.0.0.1"))
    var configuration = BusServer.Configuration(endpoints: .init(host: host, basePort: port))
    configuration.heartbeatIntervalMs = try settings.int("BW_HEARTBEAT_MS", default: 1_000, in: 50...60_000)
    configuration.liveness = try settings.int("BW_LIVENESS", default: 3, in: 2...100)
    configuration.security = try BusService.security(settings)
    return try BusService(configuration: configuration, logger: logger)
}
