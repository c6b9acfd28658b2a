extension JournalAPI {
    /// Unfinished operations of the operation log (P4): `OperationsQuery` → `OperationsPage`.
    public static let operations = "journal.operations"
}

/// Request of `journal.operations`: unfinished operations, of one account or all, one
/// page at a time.
public struct OperationsQuery: Codable, Sendable, Equatable {
    /// Only this account's operations; all when nil.
    public var account: String?
    /// Only operations created after this seq: the previous page's `next_after_seq`.
    public var afterSeq: Int64?

    /// Creates a query.
    public init(account: String? = nil, afterSeq: Int64? = nil) {
        self.account = account
        self.afterSeq = afterSeq
    }

    enum CodingKeys: String, CodingKey {
        case account
        case afterSeq = "after_seq"
    }
}

/// One operation of the log as it stands.
public struct OperationSummary: Codable, Sendable, Equatable {
    /// The operation's id.
    public var operationId: String
    /// What it does, e.g. `cancel_all`.
    public var kind: String
    /// The account it acts for.
    public var account: String
    /// Where it stands.
    public var state: OperationState
    /// The owner's resume/undo notes (`{}` when none were given).
    public var detail: String
    /// Why it failed or was rolled back.
    public var error: String?
    /// The journal seq of its `pending` entry.
    public var createdSeq: Int64
    /// The journal seq of its latest entry.
    public var updatedSeq: Int64

    /// Creates a summary.
    public init(
        operationId: String, kind: String, account: String, state: OperationState, detail: String, error: String?,
        createdSeq: Int64, updatedSeq: Int64
    ) {
        self.operationId = operationId
        self.kind = kind
        self.account = account
        self.state = state
        self.detail = detail
        self.error = error
        self.createdSeq = createdSeq
        self.updatedSeq = updatedSeq
    }

    enum CodingKeys: String, CodingKey {
        case kind, account, state, detail, error
        case operationId = "operation_id"
        case createdSeq = "created_seq"
        case updatedSeq = "updated_seq"
    }
}

/// Reply of `journal.operations`, oldest first: one page, within the message limit.
public struct OperationsPage: Codable, Sendable, Equatable {
    /// The unfinished operations, oldest first.
    public var operations: [OperationSummary]
    /// Where the next page starts (`after_seq` of the next query); nil on the last page.
    public var nextAfterSeq: Int64?

    /// Creates a page.
    public init(operations: [OperationSummary], nextAfterSeq: Int64? = nil) {
        self.operations = operations
        self.nextAfterSeq = nextAfterSeq
    }

    enum CodingKeys: String, CodingKey {
        case operations
        case nextAfterSeq = "next_after_seq"
    }
}
