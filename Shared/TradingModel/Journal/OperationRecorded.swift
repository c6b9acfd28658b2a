/// The state of a multi-step operation in the operation log (P4).
public enum OperationState: String, Codable, Sendable, CaseIterable {
    /// Recorded before the first step runs.
    case pending
    /// Steps are running.
    case inProgress = "in_progress"
    /// Every step is done.
    case completed
    /// A step failed and the operation stopped (what is done stays done).
    case failed
    /// The operation was undone.
    case rolledBack = "rolled_back"

    /// Whether the operation is over (no further state).
    public var isFinished: Bool {
        switch self {
        case .pending, .inProgress: false
        case .completed, .failed, .rolledBack: true
        }
    }

    /// Whether the log may move from `self` to `next`:
    /// pending → in_progress | failed | rolled_back; in_progress → completed | failed | rolled_back.
    public func canMove(to next: OperationState) -> Bool {
        switch (self, next) {
        case (.pending, .inProgress), (.pending, .failed), (.pending, .rolledBack): true
        case (.inProgress, .completed), (.inProgress, .failed), (.inProgress, .rolledBack): true
        default: false
        }
    }
}

/// One entry of the operation (intent) log (P4): an operation of several steps (e.g. a
/// cancel-all) records `pending` before it starts and each state change after, so a
/// service restarting finds unfinished operations and resumes or rolls them back.
/// Fact id convention: `op:<operation id>:<state>` (a resend is a duplicate).
public struct OperationRecorded: Codable, Sendable, Equatable {
    /// The operation's id, chosen by its owner; unique across the suite.
    public var operationId: String
    /// What the operation does, e.g. `cancel_all`.
    public var kind: String
    /// The state this fact moves the operation to.
    public var state: OperationState
    /// What the owner needs to resume or undo it (opaque text, e.g. JSON), if anything.
    public var detail: String?
    /// Why it failed or was rolled back, if it did.
    public var error: String?

    /// Creates an entry.
    public init(operationId: String, kind: String, state: OperationState, detail: String? = nil, error: String? = nil) {
        self.operationId = operationId
        self.kind = kind
        self.state = state
        self.detail = detail
        self.error = error
    }

    /// The conventional fact id of this entry.
    public var factId: String { "op:\(operationId):\(state.rawValue)" }

    enum CodingKeys: String, CodingKey {
        case kind, state, detail, error
        case operationId = "operation_id"
    }
}
