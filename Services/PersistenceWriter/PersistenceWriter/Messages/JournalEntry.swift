import TradingModel

/// One committed fact as the journal holds it: what the writer publishes and replays (P5).
public struct JournalEntry: Codable, Sendable, Equatable {
    /// The journal sequence number: gap-free in commit order for new facts.
    public var seq: Int64
    /// The fact, exactly as it was appended.
    public var fact: Fact
    /// The partition the fact was written under, if any.
    public var partition: Int?
    /// The lease epoch the fact was written under, if any.
    public var epoch: Int64?
    /// The `traceparent` of the append request, so the published fact continues the trace.
    public var trace: String?
    /// When the writer committed the fact, unix nanoseconds (the writer's clock).
    public var ts: Int64

    /// Creates an entry.
    public init(seq: Int64, fact: Fact, partition: Int? = nil, epoch: Int64? = nil, trace: String? = nil, ts: Int64) {
        self.seq = seq
        self.fact = fact
        self.partition = partition
        self.epoch = epoch
        self.trace = trace
        self.ts = ts
    }
}
