import OrderGateway
import ServiceRuntime

// order-gateway: order entry. Paper venue (venue-sim at BW_VENUE_HOST:BW_VENUE_PORT) unless configured otherwise.
await ServiceMain.run(service: "order-gateway") { settings, logger in
    GatewayService(configuration: try GatewayConfiguration(settings: settings), logger: logger)
}
