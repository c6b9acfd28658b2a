import TradingModel

extension Settings {
    /// The default accounts of a local paper suite.
    public static let defaultAccounts = "acct-1:USDT=100000,BTC=2,ETH=20;acct-2:USDT=50000"

    /// Starting balances per account and asset from BW_ACCOUNTS,
    /// e.g. `acct-1:USDT=100000,BTC=1;acct-2:USDT=50000`. Used by risk-service and venue-sim.
    public func accounts() throws -> [String: [String: ExactDecimal]] {
        let raw = string("BW_ACCOUNTS", default: Settings.defaultAccounts)
        var accounts: [String: [String: ExactDecimal]] = [:]
        for entry in raw.split(separator: ";") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ConfigurationError(key: "BW_ACCOUNTS", problem: "'\(entry)' is not ACCOUNT:ASSET=AMOUNT,…")
            }
            var balances: [String: ExactDecimal] = [:]
            for pair in parts[1].split(separator: ",") {
                let kv = pair.split(separator: "=")
                guard kv.count == 2, let amount = ExactDecimal(String(kv[1])), !amount.isNegative else {
                    throw ConfigurationError(key: "BW_ACCOUNTS", problem: "'\(pair)' is not ASSET=AMOUNT with a non-negative decimal")
                }
                balances[String(kv[0])] = amount
            }
            accounts[String(parts[0])] = balances
        }
        guard !accounts.isEmpty else { throw ConfigurationError(key: "BW_ACCOUNTS", problem: "no accounts") }
        return accounts
    }

    /// The fee rate risk reserves for and the paper venue charges (BW_FEE_RATE, default 0.001).
    public func feeRate() throws -> ExactDecimal {
        let raw = string("BW_FEE_RATE", default: "0.001")
        guard let rate = ExactDecimal(raw), !rate.isNegative, rate < ExactDecimal(1) else {
            throw ConfigurationError(key: "BW_FEE_RATE", problem: "'\(raw)' is not a decimal in [0, 1)")
        }
        return rate
    }
}
