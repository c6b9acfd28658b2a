import Foundation
import Logging
import ServiceLifecycle

/// The shared start-up of every service executable: logging, configuration errors,
/// and a `ServiceGroup` that turns SIGTERM/SIGINT into a graceful shutdown.
public enum ServiceMain {
    /// Sets up logging to stderr at BW_LOG_LEVEL (default info) and returns the service's logger.
    public static func bootstrapLogging(service: String, settings: Settings = Settings()) -> Logger {
        let level = (try? settings.logLevel()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: service)
    }

    /// Builds the service (a bad configuration exits with status 2 and a clear message)
    /// and runs it until SIGTERM or SIGINT, then lets it drain and exit.
    public static func run(
        service name: String,
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
        let service: any Service
        do {
            service = try build(settings, logger)
        } catch {
            logger.critical("service.start.failed", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(2)
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
            logger.info("service.stopped")
        } catch {
            logger.error("service.failed", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
