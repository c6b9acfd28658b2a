import Foundation
import Synchronization

extension BusConnection {
    /// Why this connection is not ready to serve, or `nil` when it is (for `/health`).
    ///
    /// A worker is ready once the bus has answered its registration (a heartbeat or
    /// any message arrived) and keeps hearing from it within the liveness window; a
    /// draining worker is not ready. A pure client (it never called `serve`) reports
    /// `"not_serving"` so a process that must serve is not ready before it registers.
    public var readinessProblem: String? {
        let now = Self.nowMs()
        let windowMs = configuration.heartbeatInterval.wholeMilliseconds * configuration.liveness
        return worker.withLock { state -> String? in
            guard state.service != nil else { return "not_serving" }
            guard state.accepting else { return "draining" }
            guard state.lastHeardMs > 0 else { return "not_registered" }
            return now - state.lastHeardMs > windowMs ? "bus_lost" : nil
        }
    }

    /// Events of conflated topics replaced by a newer one under pressure (B2).
    public var conflatedEventCount: Int { conflator.conflated.load(ordering: .relaxed) }

    /// The service this connection serves, if it called `serve`.
    public var servedService: String? { worker.withLock { $0.service } }

    /// Every connection alive in this process (weakly held), for process-wide health.
    public static var liveConnections: [BusConnection] {
        ConnectionRegistry.shared.entries.withLock { entries in entries.compactMap(\.connection) }
    }

    /// Readiness of the process's bus side: `nil` when at least one connection serves
    /// and every serving connection is registered; otherwise the first problem.
    public static func processReadinessProblem() -> String? {
        let connections = liveConnections
        let serving = connections.filter { $0.servedService != nil }
        guard !serving.isEmpty else { return connections.isEmpty ? "no_bus_connection" : "not_registered" }
        return serving.lazy.compactMap(\.readinessProblem).first
    }

    func track() {
        ConnectionRegistry.shared.entries.withLock { entries in
            entries.removeAll { $0.connection == nil }
            entries.append(WeakConnection(connection: self))
        }
    }
}

/// A weak reference to a connection (the registry must not keep sockets alive).
struct WeakConnection: @unchecked Sendable {
    weak var connection: BusConnection?
}

/// The process's connections, for `/health`.
final class ConnectionRegistry: Sendable {
    static let shared = ConnectionRegistry()
    let entries = Mutex<[WeakConnection]>([])
}
