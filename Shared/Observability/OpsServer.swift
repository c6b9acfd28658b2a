import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The operations HTTP endpoint of a service (S2): `GET /metrics` in the Prometheus
/// text format and `GET /health` (200 `{"status":"ok"}` when live and ready, 503 with
/// `{"status":"unavailable","problems":{component: reason}}` otherwise; a standing warning
/// such as a plain-text bus adds `"warnings":{component: warning}` to either).
///
/// It is a `Service`: ServiceMain runs it in the same `ServiceGroup` as the service,
/// started first and stopped last, so `/health` answers 503 while the service drains.
public struct OpsServer: Service {
    /// Where the endpoint listens (BW_HTTP_HOST, BW_HTTP_PORT).
    public struct Configuration: Sendable {
        /// The address to bind (BW_HTTP_HOST).
        public var host: String
        /// The TCP port (BW_HTTP_PORT; 0 picks a free one).
        public var port: Int

        /// Listens on `host:port`; port 0 picks a free port (tests read it back via `onListening`).
        public init(host: String = "0.0.0.0", port: Int) {
            self.host = host
            self.port = port
        }
    }

    private let application: Application<RouterResponder<BasicRequestContext>>
    private let logger: Logger
    private let port: Int

    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public init(
        configuration: Configuration, health: ServiceHealth = .shared, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        MetricsBootstrap.prometheus()
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: MetricsBootstrap.render())))
        }
        router.get("/health") { _, _ -> Response in
            let problems = health.problems()
            let warnings = health.warnings
            let body = HealthReport(status: problems.isEmpty ? "ok" : "unavailable", problems: problems, warnings: warnings.isEmpty ? nil : warnings)
            let json = (try? JSONEncoder.sorted.encode(body)) ?? Data("{}".utf8)
            return Response(
                status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        self.logger = logger
        self.port = configuration.port
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "breakwater"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: serverLogger)
    }

    /// Serves until graceful shutdown. A port that cannot be bound is logged and the
    /// service keeps running without its ops endpoint (an ops problem never stops trading).
    public func run() async throws {
        do {
            try await application.run()
        } catch {
            logger.error("ops.http.failed", metadata: ["port": "\(port)", "error": "\(error)"])
            try? await gracefulShutdown()
        }
    }
}

/// The JSON body of `/health`.
struct HealthReport: Encodable {
    var status: String
    var problems: [String: String]
    /// What is wrong but does not make the process unavailable (absent when nothing is).
    var warnings: [String: String]?
}

extension JSONEncoder {
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
