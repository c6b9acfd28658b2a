import TradingModel

/// The venue's balances: per account and asset, a total and the part of it locked
/// by working orders. `free = total − locked`.
///
/// Invariants, checked with `precondition` after every write: `locked ≥ 0` and
/// `free ≥ 0` (hence `total ≥ 0`). A write that would break them is a bug in the
/// exchange, never an operating error: callers check `canAfford` first.
struct Ledger: Sendable, Codable {
    /// One asset's balance in one account.
    struct Holding: Sendable, Equatable, Codable {
        /// Everything the account owns of the asset.
        var total: Money = .zero
        /// The part held for working orders.
        var locked: Money = .zero
        /// What new orders may use.
        var free: Money { total - locked }
    }

    private var accounts: [String: [String: Holding]]

    /// Creates the ledger with each account's starting totals, nothing locked.
    ///
    /// - Precondition: no starting balance is negative.
    init(startingBalances: [String: [String: Money]]) {
        accounts = startingBalances.mapValues { assets in
            assets.mapValues { amount in
                precondition(!amount.isNegative, "starting balance must not be negative, got \(amount)")
                return Holding(total: amount)
            }
        }
    }

    /// Whether the venue knows the account.
    func hasAccount(_ account: String) -> Bool {
        accounts[account] != nil
    }

    /// The account's total per asset (free + locked); empty for an unknown account.
    func totals(_ account: String) -> [String: Money] {
        (accounts[account] ?? [:]).mapValues(\.total)
    }

    /// The account's free amount per asset; empty for an unknown account.
    func frees(_ account: String) -> [String: Money] {
        (accounts[account] ?? [:]).mapValues(\.free)
    }

    /// Whether the account's free balances cover every amount in `debits`.
    func canAfford(_ account: String, _ debits: [String: Money]) -> Bool {
        let holdings = accounts[account] ?? [:]
        return debits.allSatisfy { asset, amount in (holdings[asset]?.free ?? .zero) >= amount }
    }

    /// Locks `amounts` of the account's free balances for a working order.
    mutating func lock(_ account: String, _ amounts: [String: Money]) {
        for (asset, amount) in amounts {
            update(account, asset) { $0.locked += amount }
        }
    }

    /// Releases locked `amounts` back to free (a working order filled or ended).
    mutating func release(_ account: String, _ amounts: [String: Money]) {
        for (asset, amount) in amounts {
            update(account, asset) { $0.locked -= amount }
        }
    }

    /// Adds signed `deltas` to the account's totals (a trade's settlement).
    mutating func apply(_ account: String, _ deltas: [String: Money]) {
        for (asset, delta) in deltas {
            update(account, asset) { $0.total += delta }
        }
    }

    private mutating func update(_ account: String, _ asset: String, _ change: (inout Holding) -> Void) {
        precondition(accounts[account] != nil, "ledger write to unknown account \(account)")
        var holding = accounts[account]?[asset] ?? Holding()
        change(&holding)
        precondition(!holding.locked.isNegative, "\(account) \(asset): locked went negative (\(holding.locked))")
        precondition(!holding.free.isNegative, "\(account) \(asset): free went negative (\(holding.free))")
        accounts[account]?[asset] = holding
    }
}
