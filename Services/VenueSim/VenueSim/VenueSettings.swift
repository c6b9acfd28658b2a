import BusKit
import ServiceRuntime
import TradingModel
import VenueKit
import ZeroMQ

/// venue-sim's configuration from the environment (docs/configuration.md), validated.
public enum VenueSettings {
    /// The server configuration: endpoints, tick, seed, start faults, state file.
    public static func configuration(_ settings: Settings) throws -> VenueServer.Configuration {
        // Binds BW_VENUE_BIND_HOST (default: BW_VENUE_HOST), e.g. 0.0.0.0 in a container.
        let port = try settings.int("BW_VENUE_PORT", default: 5570, in: 1...65534)
        let host = settings.string("BW_VENUE_BIND_HOST", default: settings.string("BW_VENUE_HOST", default: "127.0.0.1"))
        var configuration = VenueServer.Configuration(rpc: "tcp://\(host):\(port)", stream: "tcp://\(host):\(port + 1)")
        configuration.tickInterval = .milliseconds(try settings.int("BW_VENUE_TICK_MS", default: 250, in: 10...60_000))
        configuration.seed = UInt64(try settings.int("BW_VENUE_SEED", default: 42, in: 0...Int.max))
        configuration.faults = try faults(settings)
        let path = settings.string("BW_VENUE_STATE_PATH", default: "")
        configuration.statePath = path.isEmpty ? nil : path
        configuration.binance = try binance(settings, host: host)
        let minutes = try settings.int("BW_VENUE_HISTORY_MINUTES", default: 60, in: 0...525_600)
        configuration.historyWindow = minutes == 0 ? nil : .seconds(minutes * 60)
        configuration.security = try security(settings)
        return configuration
    }

    /// venue-sim's keys (BW_VENUE_KEY_FILE) and the peers it admits (BW_VENUE_PEERS_FILE), by
    /// the bus's rule: both, or neither with BW_INSECURE_BUS=true for plain text; anything else
    /// stops the venue at start (docs/security.md).
    static func security(_ settings: Settings) throws -> ServerSecurity? {
        let keyPath = settings.string("BW_VENUE_KEY_FILE", default: ""), peersPath = settings.string("BW_VENUE_PEERS_FILE", default: "")
        let insecure = try settings.insecureBus()
        guard !keyPath.isEmpty else {
            guard insecure else { throw ConfigurationError(key: "BW_VENUE_KEY_FILE", problem: noKeyFileProblem) }
            guard peersPath.isEmpty else { throw ConfigurationError(key: "BW_VENUE_KEY_FILE", problem: "BW_VENUE_PEERS_FILE is set: venue-sim needs its own key file too") }
            return nil
        }
        guard !insecure else {
            throw ConfigurationError(key: "BW_INSECURE_BUS", problem: "true with BW_VENUE_KEY_FILE set: choose the key file (authenticated) or plain text, not both")
        }
        guard !peersPath.isEmpty else { throw ConfigurationError(key: "BW_VENUE_PEERS_FILE", problem: "an authenticated venue needs the list of peers it admits") }
        let keys: CurveKeyPair
        do {
            keys = try BusKeyFile.load(path: keyPath).credentials().keyPair
        } catch {
            throw ConfigurationError(key: "BW_VENUE_KEY_FILE", problem: error.description)
        }
        do {
            return ServerSecurity(serverKeys: keys, peers: try BusPeerList(path: peersPath))
        } catch {
            throw ConfigurationError(key: "BW_VENUE_PEERS_FILE", problem: error.description)
        }
    }

    /// Why venue-sim without a key file does not start.
    static let noKeyFileProblem =
        "no key file: venue-sim's endpoints are authenticated (CURVE) by default; set BW_VENUE_KEY_FILE to venue-sim.key and BW_VENUE_PEERS_FILE to peers.json (tradectl keys init), or BW_INSECURE_BUS=true for plain text"

    /// The Binance Spot front: on when BW_VENUE_BINANCE_PORT is set, trading the accounts
    /// that BW_VENUE_BINANCE_CREDENTIALS (`account:api-key:secret`, comma-separated) gives keys.
    static func binance(_ settings: Settings, host: String) throws -> BinanceFront.Configuration? {
        guard !settings.string("BW_VENUE_BINANCE_PORT", default: "").isEmpty else { return nil }
        let port = try settings.int("BW_VENUE_BINANCE_PORT", default: 0, in: 0...65535)
        var keys: [String: BinanceFront.Credential] = [:]
        for entry in settings.string("BW_VENUE_BINANCE_CREDENTIALS", default: "").split(separator: ",") {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, !parts.contains(where: \.isEmpty) else {
                throw VenueConfigurationError(description: "configuration BW_VENUE_BINANCE_CREDENTIALS: '\(entry.prefix(40))…' is not account:api-key:secret")
            }
            keys[parts[1]] = BinanceFront.Credential(account: parts[0], secret: parts[2])
        }
        guard !keys.isEmpty else {
            throw VenueConfigurationError(description: "configuration BW_VENUE_BINANCE_CREDENTIALS: the Binance front needs at least one account:api-key:secret")
        }
        var configuration = BinanceFront.Configuration(host: host, port: port, keys: keys)
        configuration.limits.weightPerMinute = try settings.int("BW_VENUE_BINANCE_WEIGHT_PER_MIN", default: 6_000, in: 1...1_000_000)
        configuration.limits.ordersPer10s = try settings.int("BW_VENUE_BINANCE_ORDERS_PER_10S", default: 100, in: 1...1_000_000)
        return configuration
    }

    /// The faults in force at start (`BW_VENUE_FAULT_*`).
    static func faults(_ settings: Settings) throws -> VenueFaults {
        var faults = VenueFaults()
        faults.dropFills = try rate(settings, "BW_VENUE_FAULT_DROP_FILLS")
        faults.dropOrders = try rate(settings, "BW_VENUE_FAULT_DROP_ORDERS")
        faults.duplicate = try rate(settings, "BW_VENUE_FAULT_DUPLICATE")
        faults.ackTimeout = try rate(settings, "BW_VENUE_FAULT_ACK_TIMEOUT")
        faults.reject = try rate(settings, "BW_VENUE_FAULT_REJECT")
        faults.streamDelayMillis = try settings.int("BW_VENUE_FAULT_STREAM_DELAY_MS", default: 0, in: 0...600_000)
        faults.ackDelayMillis = try settings.int("BW_VENUE_FAULT_ACK_DELAY_MS", default: 0, in: 0...600_000)
        return faults
    }

    private static func rate(_ settings: Settings, _ key: String) throws -> ExactDecimal {
        let raw = settings.string(key, default: "0")
        guard let value = ExactDecimal(raw), !value.isNegative, value <= ExactDecimal(1) else {
            throw VenueConfigurationError(description: "configuration \(key): '\(raw)' is not a fraction in [0, 1]")
        }
        return value
    }

    /// The exchange: its saved book when the state file has one, else a fresh one
    /// whose ids start past any id an earlier in-memory run could have used; either keeps
    /// this run's history window (`BW_VENUE_HISTORY_MINUTES`).
    /// - Returns: the exchange and the number of the last logged change it contains.
    public static func exchange(_ settings: Settings, configuration: VenueServer.Configuration) throws -> (PaperExchange, Int64) {
        if let path = configuration.statePath, var saved = try VenueStateFile(path: path).load() {
            // The log was replayed with the window the book was made with; from now on, this run's.
            saved.exchange.historyWindow = configuration.historyWindow?.wholeNanoseconds
            return (saved.exchange, saved.lastEventSeq)
        }
        var exchange = PaperExchange(
            instruments: PaperExchange.defaultInstruments(), startingPrices: PaperExchange.defaultStartingPrices(),
            accounts: try settings.accounts(), feeRate: try settings.feeRate(), spreadTicks: 2, seed: configuration.seed)
        exchange.historyWindow = configuration.historyWindow?.wholeNanoseconds
        if configuration.statePath == nil {
            // No book on disk: ids of this run start at its start time in ms × 10^3, so they never collide with an earlier run's.
            exchange.startCounters(atLeast: WallClock.nowNanos() / 1_000_000 * 1_000)
        }
        if let path = configuration.statePath {
            // The base the log of this run is replayed onto.
            try VenueStateFile(path: path).save(SavedBook(exchange: exchange, lastEventSeq: 0))
        }
        return (exchange, 0)
    }
}

/// A venue-sim setting that is not valid; stops the service at startup.
public struct VenueConfigurationError: Error, CustomStringConvertible {
    /// What is wrong, naming the key.
    public var description: String
}
