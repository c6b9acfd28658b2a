import BinanceWire
import Foundation
import ServiceRuntime

extension BinanceSpotVenue.Configuration {
    /// The live venue of `BW_VENUE_MODE=live` (docs/live-trading.md), or nil in paper mode.
    ///
    /// Live needs `BW_BINANCE_BASE_URL`, `BW_BINANCE_ACCOUNT` and a key file
    /// `BW_BINANCE_KEY_FILE` of mode 0600. A URL whose host is not loopback (a real exchange,
    /// its test network) also needs `LIVE_TRADING=true` and https: without both, only a
    /// Binance-compatible venue on this machine (venue-sim's Binance front) can be reached.
    /// - Parameter weightShare: this process's default share of the venue's request weight,
    ///   percent (`BW_BINANCE_WEIGHT_SHARE_PCT` overrides it).
    public static func live(_ settings: Settings, weightShare: Int = 100) throws -> BinanceSpotVenue.Configuration? {
        let mode = settings.string("BW_VENUE_MODE", default: "paper")
        switch mode {
        case "paper": return nil
        case "live": break
        default: throw ConfigurationError(key: "BW_VENUE_MODE", problem: "'\(mode)' is not paper or live")
        }
        let raw = settings.string("BW_BINANCE_BASE_URL", default: "")
        guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else {
            throw ConfigurationError(key: "BW_BINANCE_BASE_URL", problem: "BW_VENUE_MODE=live needs the venue's REST base URL (http(s)://host[:port]), got '\(raw)'")
        }
        if !isLoopback(host) {
            guard try settings.bool("LIVE_TRADING", default: false) else {
                throw ConfigurationError(
                    key: "LIVE_TRADING", problem: "\(host) is not on this machine: a live venue needs LIVE_TRADING=true (an explicit opt-in)")
            }
            guard scheme == "https" else {
                throw ConfigurationError(key: "BW_BINANCE_BASE_URL", problem: "a venue off this machine is reached over https only, got \(scheme)")
            }
        }
        let keyFile = settings.string("BW_BINANCE_KEY_FILE", default: "")
        guard !keyFile.isEmpty else {
            throw ConfigurationError(key: "BW_BINANCE_KEY_FILE", problem: "BW_VENUE_MODE=live needs a key file (API key, then secret; mode 0600)")
        }
        let credentials: BinanceCredentials
        do {
            credentials = try BinanceCredentials.load(keyFile: keyFile)
        } catch {
            throw ConfigurationError(key: "BW_BINANCE_KEY_FILE", problem: error.description)
        }
        let account = settings.string("BW_BINANCE_ACCOUNT", default: "")
        guard !account.isEmpty else {
            throw ConfigurationError(key: "BW_BINANCE_ACCOUNT", problem: "BW_VENUE_MODE=live needs the Breakwater account the Binance key trades")
        }
        var configuration = BinanceSpotVenue.Configuration(baseURL: raw, credentials: credentials, account: account)
        configuration.recvWindow = .milliseconds(try settings.int("BW_BINANCE_RECV_WINDOW_MS", default: 5_000, in: 1...60_000))
        configuration.timeout = .milliseconds(try settings.int("BW_BINANCE_TIMEOUT_MS", default: 2_000, in: 10...60_000))
        configuration.tickInterval = .milliseconds(try settings.int("BW_BINANCE_TICK_MS", default: 250, in: 50...60_000))
        configuration.pollInterval = .milliseconds(try settings.int("BW_BINANCE_POLL_MS", default: 1_000, in: 100...600_000))
        configuration.weightSharePercent = try settings.int("BW_BINANCE_WEIGHT_SHARE_PCT", default: weightShare, in: 1...100)
        configuration.streamURL = try streamURL(settings, baseURL: url)
        configuration.streamSilenceLimit = .milliseconds(try settings.int("BW_BINANCE_STREAM_SILENCE_MS", default: 10_000, in: 300...600_000))
        configuration.symbols = settings.string("BW_BINANCE_SYMBOLS", default: "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        return configuration
    }

    /// The WebSocket API of the user data stream: `BW_BINANCE_STREAM_URL` (`poll`: none, the
    /// trades are polled), else Binance's own for its REST hosts, else — for a venue on this
    /// machine — the REST host and port over ws(s). A host off this machine is reached over
    /// wss only.
    static func streamURL(_ settings: Settings, baseURL: URL) throws -> String? {
        let key = "BW_BINANCE_STREAM_URL"
        var raw = settings.string(key, default: "")
        if raw == "poll" { return nil }
        if raw.isEmpty, let host = baseURL.host {
            if let known = knownStreamURLs[host] {
                raw = known
            } else if isLoopback(host) {
                raw = "\(baseURL.scheme == "https" ? "wss" : "ws")://\(host):\(baseURL.port ?? (baseURL.scheme == "https" ? 443 : 80))\(BinanceUserStream.path)"
            } else {
                throw ConfigurationError(key: key, problem: "\(host) has no known WebSocket API: set its URL (wss://…/ws-api/v3), or poll to poll the trades")
            }
        }
        guard let url = URL(string: raw), let scheme = url.scheme, ["ws", "wss"].contains(scheme), let host = url.host, !host.isEmpty else {
            throw ConfigurationError(key: key, problem: "expected ws(s)://host[:port]/ws-api/v3 or poll, got '\(raw)'")
        }
        if !isLoopback(host), scheme != "wss" {
            throw ConfigurationError(key: key, problem: "a stream off this machine is reached over wss only, got \(scheme)")
        }
        return raw
    }

    /// Binance's WebSocket API for each of its REST hosts.
    static let knownStreamURLs = [
        "api.binance.com": "wss://ws-api.binance.com:443/ws-api/v3",
        "testnet.binance.vision": "wss://ws-api.testnet.binance.vision/ws-api/v3",
    ]

    /// The gateway's default share of the venue's request weight, percent: the orders and the
    /// ticks, with 10 % kept free so a burst never meets a 429 (a 429 ignored is a 418 ban).
    public static let gatewayWeightShare = 90
    /// The reconciler's default share, percent: its passes stop first, well before the orders'.
    public static let reconcilerWeightShare = 40

    /// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or ::1.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
