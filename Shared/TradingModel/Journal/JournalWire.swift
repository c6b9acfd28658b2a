import BusProtocol

/// The persistence-writer's service name and message types.
public enum JournalAPI {
    public static let service = "persistence-writer"
    /// Append facts atomically: `JournalAppend` → `AppendAck`.
    public static let append = "journal.append"
    /// Replay: `JournalRead` → `JournalPage`.
    public static let read = "journal.read"
    /// One order by client_order_id: `OrderRef` → `OrderReply` (NOT_FOUND if none).
    public static let order = "journal.order"
    /// Integrity, WAL size, last seq: `{}` → `JournalHealth`.
    public static let check = "journal.check"
    /// The event-plane topic prefix of committed facts (`fact.<type>`).
    public static let factTopic = "fact."
}

/// One append: facts that commit together or not at all (P3), fenced by the
/// sender's partition lease when it has one.
public struct JournalAppend: Codable, Sendable, Equatable {
    public var facts: [Fact]
    public var partition: Int?
    public var epoch: Int64?

    public init(facts: [Fact], partition: Int? = nil, epoch: Int64? = nil) {
        self.facts = facts
        self.partition = partition
        self.epoch = epoch
    }
}

/// The writer's answer to an append, sent only after the commit.
public struct AppendAck: Codable, Sendable, Equatable {
    /// `committed`, `duplicate` (every fact already present: the original seqs) or `rejected`.
    public var status: String
    public var seqs: [Int64]
    public var error: ServiceError?
    /// When every fact of the append is about one order (intent, accepted, fill, close):
    /// that order as projected inside the transaction that committed the append (or, for a
    /// duplicate, as it stands). Lets the sender answer without a `journal.order` read-back.
    /// Absent for other appends, rejected ones, and from writers before it was added.
    public var order: OrderView?

    public init(status: String, seqs: [Int64], error: ServiceError? = nil, order: OrderView? = nil) {
        self.status = status
        self.seqs = seqs
        self.error = error
        self.order = order
    }
}

/// A committed fact with its journal position.
public struct JournalRecord: Codable, Sendable, Equatable {
    public var seq: Int64
    public var fact: Fact
    public var partition: Int?
    public var epoch: Int64?
    public var ts: Int64

    public init(seq: Int64, fact: Fact, partition: Int?, epoch: Int64?, ts: Int64) {
        self.seq = seq
        self.fact = fact
        self.partition = partition
        self.epoch = epoch
        self.ts = ts
    }
}

/// Request of `journal.read`: records with seq ≥ `fromSeq`, at most `limit`.
public struct JournalRead: Codable, Sendable, Equatable {
    public var fromSeq: Int64
    public var limit: Int

    public init(fromSeq: Int64, limit: Int) {
        self.fromSeq = fromSeq
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey {
        case limit
        case fromSeq = "from_seq"
    }
}

/// Reply of `journal.read`: one page of records, within the message limit (a page is
/// cut by bytes as well as by `limit`).
public struct JournalPage: Codable, Sendable, Equatable {
    /// The records, ascending by seq, without gaps from the requested `from_seq`.
    public var records: [JournalRecord]
    /// The journal's highest seq when the page was read.
    public var lastSeq: Int64
    /// The `from_seq` of the next page when records after this page exist; nil once the
    /// page reaches `last_seq`.
    public var nextFromSeq: Int64?

    public init(records: [JournalRecord], lastSeq: Int64, nextFromSeq: Int64? = nil) {
        self.records = records
        self.lastSeq = lastSeq
        self.nextFromSeq = nextFromSeq
    }

    enum CodingKeys: String, CodingKey {
        case records
        case lastSeq = "last_seq"
        case nextFromSeq = "next_from_seq"
    }
}

/// Reply of `journal.check`.
public struct JournalHealth: Codable, Sendable, Equatable {
    public var integrity: String
    public var lastSeq: Int64
    public var walBytes: Int64

    public init(integrity: String, lastSeq: Int64, walBytes: Int64) {
        self.integrity = integrity
        self.lastSeq = lastSeq
        self.walBytes = walBytes
    }

    enum CodingKeys: String, CodingKey {
        case integrity
        case lastSeq = "last_seq"
        case walBytes = "wal_bytes"
    }
}
