import BusProtocol
import GRDB

/// Write fencing by partition lease epoch: a replica that lost its lease cannot write.
///
/// The table `partition_epochs` keeps the highest epoch seen per partition. A write
/// under an older epoch is refused with `STALE_EPOCH`; an equal or newer epoch is
/// admitted and recorded. It runs inside the request's savepoint, so a request
/// rejected for another reason does not advance the epoch.
enum PartitionFence {
    /// Admits the write or throws `STALE_EPOCH`; also refuses half-given or negative fences.
    static func admit(partition: Int?, epoch: Int64?, in db: Database) throws {
        guard partition != nil || epoch != nil else { return }
        guard let partition, let epoch else {
            throw ServiceError(.invalidRequest, reason: "partition_without_epoch", "partition and epoch come together")
        }
        guard partition >= 0, epoch >= 0 else {
            throw ServiceError(.invalidRequest, reason: "bad_fence", "partition and epoch must not be negative")
        }
        let highest = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT epoch FROM partition_epochs WHERE partition = ?"), arguments: [partition])
        if let highest, highest > epoch {
            throw ServiceError(
                .staleEpoch, reason: "stale_epoch",
                "epoch \(epoch) for partition \(partition) is older than the current \(highest)")
        }
        try db.cachedStatement(sql: """
                INSERT INTO partition_epochs (partition, epoch) VALUES (?, ?)
                ON CONFLICT(partition) DO UPDATE SET epoch = max(epoch, excluded.epoch)
                """).execute(arguments: [partition, epoch])
    }
}
