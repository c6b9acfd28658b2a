extension JournalAPI {
    /// Unfinished operations of the operation log (P4): `OperationsQuery` → `OperationsPage`.
    public static let operations = "journal.operations"
}

/// Request of `journal.operations`: unfinished operations, of one account or all.
public struct OperationsQuery: Codable, Sendable, Equatable {
    /// Only this account's operations; all when nil.
    public var account: String?

    /// Creates a query.
    public init(account: String? = nil) {
        self.account = account
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

/// Reply of `journal.operations`, oldest first.
public struct OperationsPage: Codable, Sendable, Equatable {
    /// The unfinished operations, oldest first.
    public var operations: [OperationSummary]

    /// Creates a page.
    public init(operations: [OperationSummary]) {
        self.operations = operations
    }
}
