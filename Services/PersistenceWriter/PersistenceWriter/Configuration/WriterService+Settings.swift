import ServiceRuntime

extension WriterService.Configuration {
    /// The writer's settings from the environment, each validated: a bad value throws a
    /// `ConfigurationError` naming the variable, and the process exits with status 2.
    ///
    /// - `BW_DB_PATH` (default `./data/breakwater.sqlite`)
    /// - `BW_DB_SYNCHRONOUS`: `normal` (default) or `full`
    /// - `BW_WRITER_QUEUE_LIMIT`: appends waiting before OVERLOADED (10…10,000,000)
    /// - `BW_WRITER_MAX_BATCH`: appends per group-commit transaction (1…4,096)
    public init(settings: Settings) throws {
        var journal = JournalConfiguration(path: settings.string("BW_DB_PATH", default: "./data/breakwater.sqlite"))
        journal.synchronousFull = try Self.synchronousFull(settings)
        self.init(endpoints: try settings.busEndpoints(), journal: journal)
        queueLimit = try settings.int("BW_WRITER_QUEUE_LIMIT", default: queueLimit, in: 10...10_000_000)
        maxBatch = try settings.int("BW_WRITER_MAX_BATCH", default: maxBatch, in: 1...journal.maxBatchRequests)
    }

    /// `BW_DB_SYNCHRONOUS`: `normal` → false, `full` → true (case-insensitive); anything else throws.
    static func synchronousFull(_ settings: Settings) throws -> Bool {
        try settings.choice("BW_DB_SYNCHRONOUS", default: "normal", among: ["normal", "full"]) == "full"
    }
}
