extension JournalAPI {
    /// Unfinished operations of the operation log (P4): `OperationsQuery` → `OperationsPage`.
    public static let operations = "journal.operations"
}

/// Request of `journal.operations`: unfinished operations, of one account or all.
public struct OperationsQuery: Codable, Sendable, Equatable {
    public var account: String?

    public init(account: String? = nil) {
        self.account = account
    }
}

/// One operation of the log as it stands.
public struct OperationSummary: Codable, Sendable, Equatable {
    public var operationId: String
    public var kind: String
    public var account: String
    public var state: OperationState
    public var detail: String
    public var error: String?
    public var createdSeq: Int64
    public var updatedSeq: Int64

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
    public var operations: [OperationSummary]

    public init(operations: [OperationSummary]) {
        self.operations = operations
    }
}
