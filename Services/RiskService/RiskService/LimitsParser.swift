import ServiceRuntime
import TradingModel

/// Parses `BW_RISK_LIMITS`: `ACCOUNT:key=value,key=value;*:key=value` where `*` sets
/// the default for every account, and keys are `max_order_notional`,
/// `max_position_notional`, `max_open_orders`, `max_open_positions`, `max_leverage`.
enum LimitsParser {
    /// The default limits and the per-account ones.
    static func parse(_ raw: String) throws -> (defaults: Limits, perAccount: [String: Limits]) {
        var defaults = Limits()
        var entries: [(String, Substring)] = []
        for entry in raw.split(separator: ";") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ConfigurationError(key: "BW_RISK_LIMITS", problem: "'\(entry)' is not ACCOUNT:key=value,…")
            }
            if parts[0] == "*" { defaults = try apply(parts[1], to: defaults) } else { entries.append((String(parts[0]), parts[1])) }
        }
        var perAccount: [String: Limits] = [:]
        for (account, body) in entries { perAccount[account] = try apply(body, to: defaults) }
        return (defaults, perAccount)
    }

    private static func apply(_ body: Substring, to base: Limits) throws -> Limits {
        var limits = base
        for pair in body.split(separator: ",") {
            let kv = pair.split(separator: "=")
            guard kv.count == 2, let value = ExactDecimal(String(kv[1])), value.isPositive else {
                throw ConfigurationError(key: "BW_RISK_LIMITS", problem: "'\(pair)' is not key=POSITIVE_DECIMAL")
            }
            switch kv[0] {
            case "max_order_notional": limits.maxOrderNotional = value
            case "max_position_notional": limits.maxPositionNotional = value
            case "max_leverage": limits.maxLeverage = value
            case "max_open_orders": limits.maxOpenOrders = try count(value, pair)
            case "max_open_positions": limits.maxOpenPositions = try count(value, pair)
            default: throw ConfigurationError(key: "BW_RISK_LIMITS", problem: "unknown limit '\(kv[0])'")
            }
        }
        return limits
    }

    private static func count(_ value: ExactDecimal, _ pair: Substring) throws -> Int {
        guard value.isMultiple(of: ExactDecimal(1)), value <= ExactDecimal(1_000_000), let n = Int(value.description) else {
            throw ConfigurationError(key: "BW_RISK_LIMITS", problem: "'\(pair)' needs a whole number up to 1000000")
        }
        return n
    }
}
