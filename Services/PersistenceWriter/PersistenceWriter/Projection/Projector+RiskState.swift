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
}
