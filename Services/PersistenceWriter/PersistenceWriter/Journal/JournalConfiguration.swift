import BusProtocol

/// How the journal database is opened, checkpointed and read (P1).
///
/// Every limit has a name and a default; `validate()` refuses values that would
/// make the store unsafe (e.g. a WAL that is never checkpointed).
public struct JournalConfiguration: Sendable, Equatable {
    /// The SQLite database file. The `-wal` and `-shm` files live next to it.
    public var path: String
    /// `synchronous=FULL` when true (survives a power loss), else `NORMAL`
    /// (survives a process crash; a power loss may lose the last commits, which
    /// reconciliation recovers from the venue).
    public var synchronousFull: Bool
    /// How long a statement waits for a lock held by another connection, milliseconds.
    public var busyTimeoutMs: Int
    /// The size the WAL file is truncated to after a checkpoint resets it, bytes.
    public var journalSizeLimitBytes: Int
    /// SQLite's own PASSIVE checkpoint after a commit leaves at least this many
    /// pages in the WAL; 0 turns it off (then `checkpointEveryCommits` must be > 0).
    public var walAutocheckpointPages: Int
    /// `append` runs `checkpoint()` after this many committed batches; 0 turns it
    /// off (then the caller schedules `checkpoint()` itself).
    public var checkpointEveryCommits: Int
    /// `checkpoint()` escalates from PASSIVE to TRUNCATE when the WAL still holds at
    /// least this many bytes of frames after the PASSIVE pass, bytes.
    public var truncateCheckpointWalBytes: Int
    /// How long a TRUNCATE checkpoint waits for readers before giving up until the
    /// next call, milliseconds. Kept short so a checkpoint never stalls the writer.
    public var truncateCheckpointTimeoutMs: Int
    /// The most rows one read (`readJournal`, `fills`, `orders`) returns.
    public var maxReadLimit: Int
    /// The most requests one `append` call may carry (a larger batch is a caller bug).
    public var maxBatchRequests: Int
    /// The most facts one request may carry; a larger request is rejected.
    public var maxFactsPerRequest: Int

    /// Creates a configuration; every parameter but `path` has a safe default.
    public init(
        path: String,
        synchronousFull: Bool = false,
        busyTimeoutMs: Int = 5_000,
        journalSizeLimitBytes: Int = 64 * 1024 * 1024,
        walAutocheckpointPages: Int = 1_000,
        checkpointEveryCommits: Int = 1_000,
        truncateCheckpointWalBytes: Int = 16 * 1024 * 1024,
        truncateCheckpointTimeoutMs: Int = 100,
        maxReadLimit: Int = 10_000,
        maxBatchRequests: Int = 4_096,
        maxFactsPerRequest: Int = 64
    ) {
        self.path = path
        self.synchronousFull = synchronousFull
        self.busyTimeoutMs = busyTimeoutMs
        self.journalSizeLimitBytes = journalSizeLimitBytes
        self.walAutocheckpointPages = walAutocheckpointPages
        self.checkpointEveryCommits = checkpointEveryCommits
        self.truncateCheckpointWalBytes = truncateCheckpointWalBytes
        self.truncateCheckpointTimeoutMs = truncateCheckpointTimeoutMs
        self.maxReadLimit = maxReadLimit
        self.maxBatchRequests = maxBatchRequests
        self.maxFactsPerRequest = maxFactsPerRequest
    }

    /// The value `PRAGMA synchronous` must read back: 2 (FULL) or 1 (NORMAL).
    public var synchronousLevel: Int { synchronousFull ? 2 : 1 }

    /// Throws `INVALID_REQUEST` / `invalid_journal_configuration` naming the first bad setting.
    public func validate() throws(ServiceError) {
        let problems: [(Bool, String)] = [
            (path.isEmpty, "path must not be empty"),
            (path == ":memory:", "path must be a file: the journal is durable"),
            (busyTimeoutMs < 0, "busyTimeoutMs must be >= 0"),
            (journalSizeLimitBytes < 0, "journalSizeLimitBytes must be >= 0"),
            (walAutocheckpointPages < 0, "walAutocheckpointPages must be >= 0"),
            (checkpointEveryCommits < 0, "checkpointEveryCommits must be >= 0"),
            (walAutocheckpointPages == 0 && checkpointEveryCommits == 0,
             "walAutocheckpointPages and checkpointEveryCommits are both 0: the WAL would grow without bound"),
            (truncateCheckpointWalBytes < 0, "truncateCheckpointWalBytes must be >= 0"),
            (truncateCheckpointTimeoutMs < 0, "truncateCheckpointTimeoutMs must be >= 0"),
            (maxReadLimit < 1, "maxReadLimit must be >= 1"),
            (maxBatchRequests < 1, "maxBatchRequests must be >= 1"),
            (maxFactsPerRequest < 1, "maxFactsPerRequest must be >= 1"),
        ]
        if let (_, message) = problems.first(where: { $0.0 }) {
            throw ServiceError(.invalidRequest, reason: "invalid_journal_configuration", message)
        }
    }
}
