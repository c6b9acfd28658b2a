import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import Synchronization
import TradingModel
import ZeroMQ

/// The reconciler process. In this first cut it follows the committed facts in
/// order (replaying any gap) and reports that it is alive with `recon.status`;
/// comparing the journal with the venue comes with its own issue.
public struct ReconcilerService: Service {
    /// The reconciler's message types.
    public enum API {
        public static let service = "reconciler"
        /// `{}` → `ReconcilerStatus`.
        public static let status = "recon.status"
    }

    /// Reply of `recon.status`.
    public struct ReconcilerStatus: Codable, Sendable, Equatable {
        public var alive: Bool
        public var factsSeen: Int
        public var lastSeq: Int64

        enum CodingKeys: String, CodingKey {
            case alive
            case factsSeen = "facts_seen"
            case lastSeq = "last_seq"
        }
    }

    private let endpoints: BusEndpoints
    private let logger: Logger

    public init(endpoints: BusEndpoints, logger: Logger) {
        self.endpoints = endpoints
        self.logger = logger
    }

    public func run() async throws {
        let context = ZMQContext()
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: Settings.replicaIdentity(service: API.service))
        configuration.subscriptions = [JournalAPI.factTopic]
        let bus = try BusConnection(configuration: configuration, context: context, logger: logger)
        let follower = FactFollower(bus: bus, logger: logger)
        let seen = FactCounter()
        bus.serve(service: API.service)
        bus.start()
        logger.info("reconciler.ready")
        await withDiscardingTaskGroup { group in
            group.addTask { await follower.run(events: bus.events) { _ in seen.value.add(1, ordering: .relaxed) } }
            await withGracefulShutdownHandler {
                await bus.handleRequests { message throws(ServiceError) in
                    guard message.header.type == API.status else {
                        throw ServiceError(.unknownType, reason: "unknown_type", "reconciler does not handle '\(message.header.type)'")
                    }
                    return WireCodec.encode(ReconcilerStatus(alive: true, factsSeen: seen.value.load(ordering: .relaxed), lastSeq: await follower.lastSeq))
                }
            } onGracefulShutdown: {
                bus.stopAccepting()
            }
            bus.stop()
            group.cancelAll()
        }
        context.terminate()
    }
}

/// How many facts the reconciler has folded (shared with the status handler).
final class FactCounter: Sendable {
    let value = Atomic<Int>(0)
}
