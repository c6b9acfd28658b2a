import GRDB
import TradingModel

extension JournalStore {
    /// The operations not finished yet (`pending` or `in_progress`), oldest first, at
    /// most `maxReadLimit`; only those of `account` when given. A service restarting
    /// reads these to resume or roll back what it left half done (P4).
    public func unfinishedOperations(account: String? = nil, afterSeq: Int64? = nil) throws -> [OperationSummary] {
        let limit = configuration.maxReadLimit
        return try dbQueue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM operations
                    WHERE state IN ('pending', 'in_progress') AND (? IS NULL OR account = ?) AND created_seq > ?
                    ORDER BY created_seq LIMIT ?
                    """,
                arguments: [account, account, afterSeq ?? Int64.min, limit]
            ).map { row in
                OperationSummary(
                    operationId: row["id"], kind: row["kind"], account: row["account"], state: row.enumValue("state"),
                    detail: row["payload"], error: row["error"], createdSeq: row["created_seq"], updatedSeq: row["updated_seq"])
            }
        }
    }
}
