/// The messages between a worker and the bus itself (header `service` = "bus").
public enum BusCommand {
    /// The service name the bus answers to.
    public static let service = "bus"
    /// worker → bus: I serve this service.
    public static let ready = "bus.ready"
    /// both ways, every heartbeat interval.
    public static let heartbeat = "bus.heartbeat"
    /// worker → bus: I stop serving (graceful shutdown).
    public static let disconnect = "bus.disconnect"
    /// bus → worker: I do not know you (e.g. the bus restarted); send READY again.
    public static let reregister = "bus.reregister"
    /// client → bus: workers, partitions and leases (for operators and tests).
    public static let status = "bus.status"

    /// The body of READY and DISCONNECT.
    public struct Registration: Codable, Sendable, Equatable {
        public var service: String
        public var worker: String

        public init(service: String, worker: String) {
            self.service = service
            self.worker = worker
        }
    }
}
