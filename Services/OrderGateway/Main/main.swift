import OrderGateway
import ServiceRuntime

// order-gateway: order entry. Paper venue only (venue-sim at BW_VENUE_HOST:BW_VENUE_PORT).
await ServiceMain.run(service: "order-gateway") { settings, logger in
    GatewayService(endpoints: try settings.busEndpoints(), venue: try settings.venueEndpoints(), logger: logger)
}
