/// What one `checkpoint()` call did, for logs and metrics.
public struct CheckpointReport: Sendable, Equatable {
    /// Frames in the WAL after the PASSIVE pass.
    public var walFrames: Int
    /// Frames copied into the database file by the PASSIVE pass (cumulative for this WAL).
    public var checkpointedFrames: Int
    /// Whether the WAL was large enough to escalate to TRUNCATE.
    public var truncateAttempted: Bool
    /// Whether TRUNCATE completed: the WAL file is empty. False when readers held it
    /// past `truncateCheckpointTimeoutMs`; the next call tries again.
    public var truncated: Bool

    /// Creates a report.
    public init(walFrames: Int, checkpointedFrames: Int, truncateAttempted: Bool, truncated: Bool) {
        self.walFrames = walFrames
        self.checkpointedFrames = checkpointedFrames
        self.truncateAttempted = truncateAttempted
        self.truncated = truncated
    }
}
