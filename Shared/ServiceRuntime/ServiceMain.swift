import BusKit
import Foundation
import Instrumentation
import Logging
import Observability
import ServiceLifecycle

/// The shared start-up of every service executable: logging, configuration errors,
/// and a `ServiceGroup` that turns SIGTERM/SIGINT into a graceful shutdown.
public enum ServiceMain {
    /// Sets up logging to stderr at BW_LOG_LEVEL (default info) and returns the service's logger.
    /// Every line passes through the `RedactingLogHandler` (S1); the values of secret-looking
    /// environment variables are registered as literal secrets first.
    public static func bootstrapLogging(service: String, settings: Settings = Settings()) -> Logger {
        let level = (try? settings.logLevel()) ?? .info
        Redactor.shared.addSecrets(fromEnvironment: settings.values)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return RedactingLogHandler(upstream: handler)
        }
        return Logger(label: service)
    }

    /// Builds the service (a bad configuration exits with status 2 and a clear message)
    /// and runs it until SIGTERM or SIGINT, then lets it drain and exit.
    ///
    /// With BW_HTTP_PORT set (1…65535) the process also serves `/metrics` and `/health`
    /// on BW_HTTP_HOST (default 0.0.0.0). `/health` requires this process's bus connection
    /// to be registered as a worker unless `servesOnBus` is false (the bus itself,
    /// venue-sim); services add their own checks to `ServiceHealth.shared`.
    /// SIGTERM drains within BW_SHUTDOWN_TIMEOUT_MS (default 10 s), then cancels.
    /// A process on the bus or venue-sim (`onBus`) that runs in plain text
    /// (BW_INSECURE_BUS=true) logs `bus.insecure` at start and `/health` warns of it.
    public static func run(
        service name: String,
        servesOnBus: Bool = true,
        onBus: Bool = true,
        _ build: (Settings, Logger) throws -> any Service
    ) async {
        let settings = Settings()
        do {
            _ = try settings.logLevel()
        } catch {
            // Checked before logging exists: a bad level must stop the service, not fall back.
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(2)
        }
        let logger = bootstrapLogging(service: name, settings: settings)
        MetricsBootstrap.prometheus()
        // B5: every handled message of a sampled trace becomes a span, published as a lossy event for the writer.
        // Span attributes (e.g. a header's key) pass the redactor like log lines (S1).
        InstrumentationSystem.bootstrap(BusTracer(service: name) { record in
            var redacted = record
            redacted.attributes = record.attributes.mapValues { Redactor.shared.redact($0) }
            redacted.name = Redactor.shared.redact(record.name)
            SpanPublisher.publish(redacted)
        })
        // The effective configuration, for operators; secret-looking keys are masked by the log handler.
        let configuration = settings.values.filter { $0.key.hasPrefix("BW_") }.mapValues { Logger.MetadataValue.string($0) }
        logger.info("service.starting", metadata: ["config": .dictionary(configuration)])
        let service: any Service
        let ops: OpsServer.Configuration?
        let shutdownLimit: Duration
        do {
            ops = try settings.opsServer()
            shutdownLimit = .milliseconds(try settings.int("BW_SHUTDOWN_TIMEOUT_MS", default: 10_000, in: 100...300_000))
            // Head sampling of traces started here (requests that came without a traceparent).
            TraceSampling.percent = try settings.int("BW_TRACE_SAMPLE_PERCENT", default: 1, in: 0...100)
            service = try build(settings, logger)
        } catch {
            logger.critical("service.start.failed", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("\(name): \(Redactor.shared.redact("\(error)"))\n".utf8))
            exit(2)
        }
        if onBus, (try? settings.insecureBus()) == true {
            logger.warning("bus.insecure", metadata: ["warning": "\(Settings.insecureBusWarning)"])
            ServiceHealth.shared.setWarning("bus.security", Settings.insecureBusWarning)
        }
        if servesOnBus {
            ServiceHealth.shared.setCheck("bus") { BusConnection.processReadinessProblem() }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let ops {
            // First in, last out: /health answers (503 while draining) until the service has stopped.
            services.append(.init(service: OpsServer(configuration: ops, logger: logger)))
            logger.info("ops.http.starting", metadata: ["port": "\(ops.port)"])
        }
        services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // B4: a drain that takes longer than BW_SHUTDOWN_TIMEOUT_MS is cancelled; one that
        // ignores cancellation for 2 s more ends the process with status 1.
        groupConfiguration.maximumGracefulShutdownDuration = shutdownLimit
        groupConfiguration.maximumCancellationDuration = .seconds(2)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
            logger.info("service.stopped")
        } catch {
            logger.error("service.failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
