import BusProtocol
import GRDB
import TradingModel

/// The latest breaker and governor state per scope, for people and tools reading the
/// database (risk-service folds its own from the journal; it never reads these tables).
extension Projector {
    /// The breaker of the fact's scope (an account, or `*` for the global breaker) is now `transition.to`.
    func applyBreaker(_ transition: BreakerTransition) throws {
        try db.cachedStatement(sql: """
                INSERT INTO breaker_state (account, state, reason, changed_ts, updated_seq) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(account) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                    changed_ts = excluded.changed_ts, updated_seq = excluded.updated_seq
                """).execute(arguments: [account, transition.to.rawValue, transition.reason, transition.at, seq])
    }

    /// The governor of the fact's account is now `transition.to`, at the drawdown that moved it.
    func applyGovernor(_ transition: GovernorTransition) throws {
        try db.cachedStatement(sql: """
                INSERT INTO governor_state (account, level, drawdown, changed_ts, updated_seq) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(account) DO UPDATE SET level = excluded.level, drawdown = excluded.drawdown,
                    changed_ts = excluded.changed_ts, updated_seq = excluded.updated_seq
                """).execute(arguments: [account, transition.to.rawValue, transition.drawdown.description, transition.at, seq])
    }

    /// Refuses a new order while a stop holds, in the journal's order: the global or the
    /// account's breaker OPEN or DRAINING (`BREAKER_OPEN`), or the account's governor at
    /// HARD_STOP (`GOVERNOR` / `hard_stop`). Risk-service checks the same before it
    /// approves; this check closes the window between replicas, where one replica approves
    /// in the milliseconds before it folds another's trip (invariant 7, docs/reliability.md).
    /// A closing order (reduce-only, lowering its position) and an order the reconciler
    /// adopts from the venue pass, as they pass risk.
    func checkStops(_ intent: OrderIntent, intentFactId: String) throws(ServiceError) {
        guard intent.closing != true, !intentFactId.hasPrefix(OrderIntent.adoptedFactIdPrefix) else { return }
        for scope in [BreakerTransition.globalScope, account] {
            let state = try fetchState(
                sql: "SELECT state FROM breaker_state WHERE account = ?", scope: scope)
                .flatMap(BreakerTransition.State.init(rawValue:))
            guard let state, state == .open || state == .draining else { continue }
            let name = scope == BreakerTransition.globalScope ? "the global breaker" : "the breaker of '\(scope)'"
            throw ServiceError(.breakerOpen, reason: "breaker_\(state.rawValue)", "\(name) is \(state.rawValue): no new orders")
        }
        let level = try fetchState(sql: "SELECT level FROM governor_state WHERE account = ?", scope: account)
            .flatMap(GovernorTransition.Level.init(rawValue:))
        if level == .hardStop {
            throw ServiceError(.governor, reason: "hard_stop", "the account is in HARD_STOP: no orders")
        }
    }

    private func fetchState(sql: String, scope: String) throws(ServiceError) -> String? {
        do {
            return try String.fetchOne(try db.cachedStatement(sql: sql), arguments: [scope])
        } catch {
            throw ServiceError(.internal, reason: "database_error", "reading the risk state of \(scope): \(error)")
        }
    }
}
