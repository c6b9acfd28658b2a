import BusKit
import Foundation
import Observability

/// A configuration value that is missing or out of range: the service refuses to start.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var key: String
    public var problem: String
    public var description: String { "configuration \(key): \(problem)" }

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }
}

/// Reads configuration from environment variables; every key is documented in
/// docs/configuration.md with its type, unit and default.
public struct Settings: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ key: String, default fallback: String) -> String {
        guard let value = values[key], !value.isEmpty else { return fallback }
        return value
    }

    public func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        guard let value = Int(raw) else { throw ConfigurationError(key: key, problem: "'\(raw)' is not an integer") }
        guard range.contains(value) else {
            throw ConfigurationError(key: key, problem: "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let raw = values[key]?.lowercased(), !raw.isEmpty else { return fallback }
        switch raw {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw ConfigurationError(key: key, problem: "'\(raw)' is not a boolean (true/false)")
        }
    }

    /// Where services connect to the bus: BW_BUS_HOST (127.0.0.1) and BW_BUS_PORT (5555; +1…+3
    /// follow), with the keys of BW_BUS_KEY_FILE for an authenticated bus (docs/security.md).
    public func busEndpoints() throws -> BusEndpoints {
        var endpoints = BusEndpoints(host: string("BW_BUS_HOST", default: "127.0.0.1"), basePort: try int("BW_BUS_PORT", default: 5555, in: 1...65532))
        endpoints.credentials = try busKeyFile()?.credentials()
        return endpoints
    }

    /// This process's key file (BW_BUS_KEY_FILE, mode 0600), or nil for a plain-text bus,
    /// which only an explicit BW_INSECURE_BUS=true allows: the bus is authenticated by
    /// default (docs/security.md), so neither setting, or both, stops the process at start.
    public func busKeyFile() throws -> BusKeyFile? {
        let path = string("BW_BUS_KEY_FILE", default: "")
        let insecure = try insecureBus()
        guard !path.isEmpty else {
            guard insecure else { throw ConfigurationError(key: "BW_BUS_KEY_FILE", problem: Self.noKeyFileProblem) }
            return nil
        }
        guard !insecure else {
            throw ConfigurationError(key: "BW_INSECURE_BUS", problem: "true with BW_BUS_KEY_FILE set: choose the key file (authenticated) or a plain-text bus, not both")
        }
        do {
            return try BusKeyFile.load(path: path)
        } catch {
            throw ConfigurationError(key: "BW_BUS_KEY_FILE", problem: error.description)
        }
    }

    /// Why a process without a key file does not start.
    public static let noKeyFileProblem =
        "no key file: the bus is authenticated (CURVE) by default; set BW_BUS_KEY_FILE to this process's key (tradectl keys init), or BW_INSECURE_BUS=true for a plain-text bus"

    /// Whether BW_INSECURE_BUS=true asks for a plain-text bus (default false).
    public func insecureBus() throws -> Bool {
        try bool("BW_INSECURE_BUS", default: false)
    }

    /// What a process on a plain-text bus logs at start and `/health` reports (as a warning).
    public static let insecureBusWarning = "plain_text: BW_INSECURE_BUS=true, anyone who reaches the bus may send anything and read everything"

    /// Where the paper venue listens: BW_VENUE_HOST (127.0.0.1), BW_VENUE_PORT (5570; +1 is its
    /// stream), reached with this process's key file (its `venue_server_key`) under the bus's
    /// rule: CURVE unless BW_INSECURE_BUS=true (docs/security.md).
    public func venueEndpoints() throws -> VenueEndpoints {
        let host = string("BW_VENUE_HOST", default: "127.0.0.1")
        let port = try int("BW_VENUE_PORT", default: 5570, in: 1...65534)
        return VenueEndpoints(host: host, port: port, credentials: try venueCredentials())
    }

    /// The keys to reach venue-sim: this process's key file (BW_BUS_KEY_FILE) with venue-sim's
    /// public key as the server key; nil only for a plain-text suite (BW_INSECURE_BUS=true).
    public func venueCredentials() throws -> BusCredentials? {
        guard let file = try busKeyFile() else { return nil }
        let credentials: BusCredentials?
        do {
            credentials = try file.venueCredentials()
        } catch {
            throw ConfigurationError(key: "BW_BUS_KEY_FILE", problem: error.description)
        }
        guard let credentials else { throw ConfigurationError(key: "BW_BUS_KEY_FILE", problem: Self.noVenueKeyProblem) }
        return credentials
    }

    /// Why a key file without venue-sim's public key does not start a process that reaches the venue.
    public static let noVenueKeyProblem =
        "the key file has no venue_server_key (its set was made before venue-sim had keys): `tradectl keys init --dir DIR` on the set's directory adds them"

    /// This replica's name on the bus: `hostname:pid:start`.
    public static func replicaIdentity(service: String) -> String {
        let host = ProcessInfo.processInfo.hostName
        return "\(service)@\(host):\(getpid()):\(WallClock.nowNanos() / 1_000_000)"
    }
}

extension Settings {
    /// The ops HTTP endpoint (`/metrics`, `/health`): BW_HTTP_PORT (unset or 0: none),
    /// BW_HTTP_HOST (default 0.0.0.0).
    public func opsServer() throws -> OpsServer.Configuration? {
        let port = try int("BW_HTTP_PORT", default: 0, in: 0...65535)
        guard port > 0 else { return nil }
        return OpsServer.Configuration(host: string("BW_HTTP_HOST", default: "0.0.0.0"), port: port)
    }
}
