import BusProtocol
import GRDB
import TradingModel

extension Projector {
    /// Projects a kill-switch halt or an operator's resume into `trading_halts`. Both are
    /// idempotent by state: halting a halted account (a second kill switch) or resuming a
    /// trading one is journaled and changes nothing but the reason.
    func applyHalt(_ halt: TradingHalt) throws {
        try db.cachedStatement(sql: """
            INSERT INTO trading_halts (account, halted, reason, operation_id, updated_seq) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(account) DO UPDATE SET
                halted = excluded.halted, reason = excluded.reason, operation_id = excluded.operation_id,
                updated_seq = excluded.updated_seq
            """).execute(arguments: [account, halt.halted, halt.reason, halt.operationId, seq])
    }

    /// Refuses a new order of a halted account: `TRADING_HALTED` / `kill_switch`. The
    /// journal's order is the arbiter, so no intent commits after the halt that stopped it.
    /// An order the reconciler adopts from the venue is not new and passes.
    func checkTrading(intentFactId: String) throws(ServiceError) {
        guard !intentFactId.hasPrefix(OrderIntent.adoptedFactIdPrefix) else { return }
        let halt: Row?
        do {
            halt = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT reason, operation_id FROM trading_halts WHERE account = ? AND halted = 1"),
                arguments: [account])
        } catch {
            throw ServiceError(.internal, reason: "database_error", "reading the halt of \(account): \(error)")
        }
        guard let halt else { return }
        let operation: String? = halt["operation_id"]
        throw ServiceError(
            .tradingHalted, reason: halt["reason"] ?? "kill_switch",
            "account '\(account)' is halted by the kill switch\(operation.map { " (\($0))" } ?? ""): no new orders until `tradectl order resume --account \(account)`")
    }
}
