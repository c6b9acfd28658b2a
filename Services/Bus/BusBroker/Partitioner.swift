/// Maps a routing key (the account) to one of a fixed number of partitions.
public struct Partitioner: Sendable {
    /// The fixed partition count; every replica and the writer agree on it.
    public static let defaultCount = 64
    public let count: Int

    public init(count: Int = Partitioner.defaultCount) {
        precondition(count > 0, "partition count must be positive")
        self.count = count
    }

    /// FNV-1a over the key's UTF-8 bytes: stable across processes, releases and machines.
    public func partition(of key: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(count))
    }
}
