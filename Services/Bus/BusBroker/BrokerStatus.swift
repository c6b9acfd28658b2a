/// The body of a `bus.status` reply: who is alive and who owns which partition.
public struct BrokerStatus: Codable, Sendable, Equatable {
    /// One partition lease.
    public struct Lease: Codable, Sendable, Equatable {
        public var service: String
        public var partition: Int
        public var worker: String
        public var epoch: Int64
    }

    /// One live worker.
    public struct Worker: Codable, Sendable, Equatable {
        public var service: String
        public var worker: String
    }

    public var partitionCount: Int
    public var workers: [Worker]
    public var leases: [Lease]

    enum CodingKeys: String, CodingKey {
        case workers, leases
        case partitionCount = "partition_count"
    }
}
