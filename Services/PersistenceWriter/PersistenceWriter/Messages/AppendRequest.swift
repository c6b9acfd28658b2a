import TradingModel

/// One `journal.append` message: facts that commit together or not at all (P3).
///
/// `partition` and `epoch` come from the bus lease of the sender; when both are
/// present the writer fences the write (a sender whose lease was taken over gets
/// `STALE_EPOCH`). With a fence and no facts the request is a lease claim: a new owner
/// raises the partition's epoch before it reads the journal, so nothing the old owner
/// writes afterwards can commit unseen. `trace` is the sender's W3C `traceparent`, stored with each fact.
public struct AppendRequest: Codable, Sendable, Equatable {
    /// The facts, in the order they are journaled. Each fact's `id` is its idempotency key.
    public var facts: [Fact]
    /// The bus partition the sender writes for, if it writes under a lease.
    public var partition: Int?
    /// The sender's lease epoch for `partition`.
    public var epoch: Int64?
    /// The W3C `traceparent` of the message that caused these facts.
    public var trace: String?

    /// Creates a request.
    public init(facts: [Fact], partition: Int? = nil, epoch: Int64? = nil, trace: String? = nil) {
        self.facts = facts
        self.partition = partition
        self.epoch = epoch
        self.trace = trace
    }
}
