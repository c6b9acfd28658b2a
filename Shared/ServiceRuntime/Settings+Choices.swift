import Logging

extension Settings {
    /// The log level from BW_LOG_LEVEL (default `info`): one of trace, debug, info,
    /// notice, warning, error, critical. Any other value is a `ConfigurationError`.
    public func logLevel() throws -> Logger.Level {
        let raw = string("BW_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: raw.lowercased()) else {
            let known = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(key: "BW_LOG_LEVEL", problem: "'\(raw)' is not a log level (\(known))")
        }
        return level
    }
}

extension Settings {
    /// The value of `key` (lowercased), which must be one of `choices`; `fallback` when
    /// unset. Any other value is a `ConfigurationError` listing the choices.
    public func choice(_ key: String, default fallback: String, among choices: [String]) throws -> String {
        let raw = string(key, default: fallback)
        guard choices.contains(raw.lowercased()) else {
            throw ConfigurationError(key: key, problem: "'\(raw)' is not one of \(choices.joined(separator: ", "))")
        }
        return raw.lowercased()
    }
}
