import Logging
import ServiceLifecycle
import ZeroMQ

/// The bus as a lifecycle `Service`: binds at construction, serves until graceful shutdown.
public struct BusService: Service {
    private let context: ZMQContext
    private let server: BusServer
    private let logger: Logger

    public init(configuration: BusServer.Configuration, logger: Logger) throws {
        context = ZMQContext()
        server = try BusServer(configuration: configuration, context: context, logger: logger)
        self.logger = logger
    }

    public func run() async throws {
        server.start()
        try? await gracefulShutdown()
        server.stop()
        context.terminate()
    }
}
