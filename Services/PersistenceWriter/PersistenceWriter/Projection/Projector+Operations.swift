import BusProtocol
import GRDB
import TradingModel

extension Projector {
    /// Projects the operation log (P4) into `operations`.
    ///
    /// An operation starts `pending` (a first entry in another state is refused:
    /// `INVALID_REQUEST` / `operation_not_pending`) and moves only along
    /// `OperationState.canMove(to:)` (else `INVALID_REQUEST` / `illegal_transition`);
    /// its kind and account never change (`INVALID_REQUEST` / `operation_mismatch`).
    func applyOperation(_ entry: OperationRecorded) throws {
        let existing = try Row.fetchOne(
            try db.cachedStatement(sql: "SELECT kind, account, state FROM operations WHERE id = ?"),
            arguments: [entry.operationId])
        guard let existing else {
            guard entry.state == .pending else {
                throw ServiceError(
                    .invalidRequest, reason: "operation_not_pending",
                    "operation \(entry.operationId) must start pending, not \(entry.state.rawValue)")
            }
            try db.cachedStatement(sql: """
                INSERT INTO operations (id, kind, account, state, payload, error, created_seq, updated_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    entry.operationId, entry.kind, account, entry.state.rawValue, entry.detail ?? "{}", entry.error, seq, seq,
                ])
            return
        }
        let state: OperationState = existing.enumValue("state")
        guard existing["kind"] == entry.kind, existing["account"] == account else {
            throw ServiceError(
                .invalidRequest, reason: "operation_mismatch",
                "operation \(entry.operationId) is \(existing["kind"] as String) of \(existing["account"] as String)")
        }
        guard state.canMove(to: entry.state) else {
            throw ServiceError(
                .invalidRequest, reason: "illegal_transition",
                "operation \(entry.operationId) cannot move from \(state.rawValue) to \(entry.state.rawValue)")
        }
        try db.cachedStatement(sql: """
            UPDATE operations SET state = ?, payload = COALESCE(?, payload), error = COALESCE(?, error), updated_seq = ?
            WHERE id = ?
            """).execute(arguments: [entry.state.rawValue, entry.detail, entry.error, seq, entry.operationId])
    }
}
