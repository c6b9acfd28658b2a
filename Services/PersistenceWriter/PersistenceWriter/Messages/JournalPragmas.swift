/// The connection settings as SQLite reports them (read back, never assumed).
public struct JournalPragmas: Sendable, Equatable {
    /// `wal` when the journal is in WAL mode.
    public var journalMode: String
    /// 1 = NORMAL, 2 = FULL.
    public var synchronous: Int
    /// Whether foreign keys are enforced.
    public var foreignKeys: Bool
    /// The lock wait, milliseconds.
    public var busyTimeoutMs: Int
    /// The WAL size limit after a reset, bytes.
    public var journalSizeLimitBytes: Int
    /// SQLite's automatic checkpoint threshold, pages (0 = off).
    public var walAutocheckpointPages: Int
    /// The database page size, bytes.
    public var pageSizeBytes: Int

    /// Creates a snapshot of settings.
    public init(
        journalMode: String, synchronous: Int, foreignKeys: Bool, busyTimeoutMs: Int,
        journalSizeLimitBytes: Int, walAutocheckpointPages: Int, pageSizeBytes: Int
    ) {
        self.journalMode = journalMode
        self.synchronous = synchronous
        self.foreignKeys = foreignKeys
        self.busyTimeoutMs = busyTimeoutMs
        self.journalSizeLimitBytes = journalSizeLimitBytes
        self.walAutocheckpointPages = walAutocheckpointPages
        self.pageSizeBytes = pageSizeBytes
    }
}
