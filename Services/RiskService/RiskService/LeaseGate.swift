import BusProtocol

/// Serving an account partition under a lease this replica has not served yet starts with
/// a take-over: claim the lease's epoch at the writer (so the previous owner can commit
/// nothing more), then catch up with the journal. Only then does an authorization read the
/// fold, so a new owner never spends a balance its predecessor already reserved
/// (ARCHITECTURE.md, "Scaling").
public actor LeaseGate {
    /// The take-over for one (partition, epoch); throws if the claim or the catch-up fails.
    public typealias TakeOver = @Sendable (_ partition: Int, _ epoch: Int64) async throws(ServiceError) -> Void

    private let takeOver: TakeOver
    /// The highest epoch taken over per partition.
    private var served: [Int: Int64] = [:]

    /// A gate that runs `takeOver` before the first request of each new lease.
    public init(takeOver: @escaping TakeOver) {
        self.takeOver = takeOver
    }

    /// Returns once the request's partition is served under its epoch (taking it over
    /// first if needed). A request without a lease (sent straight, not through the bus's
    /// partitions) passes as it is.
    public func admit(partition: Int?, epoch: Int64?) async throws(ServiceError) {
        guard let partition, let epoch else { return }
        if let held = served[partition], held >= epoch { return }
        // Concurrent first requests may each take over; the claim and the catch-up are idempotent.
        try await takeOver(partition, epoch)
        served[partition] = max(served[partition] ?? epoch, epoch)
    }
}
