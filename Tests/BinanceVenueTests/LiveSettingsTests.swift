import BinanceVenue
import Foundation
import ServiceRuntime
import Testing

/// Live only by opt-in: loopback venues with a key file; anything else also needs
/// LIVE_TRADING=true and https. The key file must be 0600, and credentials never print.
@Suite("live venue settings: opt-in, key file, loopback")
struct LiveSettingsTests {
    private func keyFile(mode: Int, text: String = "the-api-key\nthe-secret-value\n") throws -> String {
        let path = NSTemporaryDirectory() + "binance-key-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return path
    }

    private func refusedKey(_ values: [String: String]) -> String? {
        do {
            _ = try BinanceSpotVenue.Configuration.live(Settings(values))
            return nil
        } catch let error as ConfigurationError {
            return error.key
        } catch {
            return "\(error)"
        }
    }

    @Test("paper mode has no live venue")
    func paper() throws {
        #expect(try BinanceSpotVenue.Configuration.live(Settings([:])) == nil)
    }

    @Test("a loopback venue with a 0600 key file needs no LIVE_TRADING; the key file is read")
    func loopback() throws {
        let path = try keyFile(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let live = try #require(try BinanceSpotVenue.Configuration.live(Settings([
            "BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://127.0.0.1:5572", "BW_BINANCE_KEY_FILE": path,
            "BW_BINANCE_ACCOUNT": "acct-1", "BW_BINANCE_SYMBOLS": "BTC/USDT, ETH/USDT",
        ])))
        #expect(live.credentials.apiKey == "the-api-key" && live.account == "acct-1" && live.symbols == ["BTC/USDT", "ETH/USDT"])
        #expect(!"\(live.credentials)".contains("the-secret-value") && !"\(live)".contains("the-secret-value"))
        #expect(!"\(live.credentials)".contains("the-api-key"))
    }

    @Test("refusals name the key to fix", arguments: [
        (["BW_VENUE_MODE": "sandbox"], "BW_VENUE_MODE"),
        (["BW_VENUE_MODE": "live"], "BW_BINANCE_BASE_URL"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "ftp://127.0.0.1"], "BW_BINANCE_BASE_URL"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "https://api.binance.com"], "LIVE_TRADING"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://api.binance.com", "LIVE_TRADING": "true"], "BW_BINANCE_BASE_URL"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "https://api.binance.com", "LIVE_TRADING": "true"], "BW_BINANCE_KEY_FILE"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://127.0.0.1:1"], "BW_BINANCE_KEY_FILE"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://127.0.0.1:1", "BW_BINANCE_KEY_FILE": "/nonexistent/key"], "BW_BINANCE_KEY_FILE"),
    ])
    func refusals(values: [String: String], key: String) {
        #expect(refusedKey(values) == key)
    }

    @Test("a key file others may read, or one without two lines, is refused; so is a missing account")
    func keyFiles() throws {
        let open = try keyFile(mode: 0o644)
        let malformed = try keyFile(mode: 0o600, text: "only-one-line\n")
        let good = try keyFile(mode: 0o600)
        defer { for path in [open, malformed, good] { try? FileManager.default.removeItem(atPath: path) } }
        let base = ["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://localhost:5572", "BW_BINANCE_ACCOUNT": "acct-1"]
        #expect(refusedKey(base.merging(["BW_BINANCE_KEY_FILE": open]) { $1 }) == "BW_BINANCE_KEY_FILE")
        #expect(refusedKey(base.merging(["BW_BINANCE_KEY_FILE": malformed]) { $1 }) == "BW_BINANCE_KEY_FILE")
        #expect(refusedKey(base.merging(["BW_BINANCE_KEY_FILE": good, "BW_BINANCE_ACCOUNT": ""]) { $1 }) == "BW_BINANCE_ACCOUNT")
        #expect(throws: BinanceCredentials.KeyFileError.tooOpen(path: open, mode: "644")) { try BinanceCredentials.load(keyFile: open) }
    }

    @Test("the user data stream's URL: the venue's own on this machine, Binance's for its hosts, poll for none; ws off this machine is refused")
    func streamURLs() throws {
        let path = try keyFile(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        func streamURL(_ base: String, _ extra: [String: String] = [:]) throws -> String? {
            try #require(try BinanceSpotVenue.Configuration.live(Settings([
                "BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": base, "BW_BINANCE_KEY_FILE": path, "BW_BINANCE_ACCOUNT": "acct-1",
                "LIVE_TRADING": "true",
            ].merging(extra) { $1 }))).streamURL
        }
        #expect(try streamURL("http://127.0.0.1:5572") == "ws://127.0.0.1:5572/ws-api/v3")
        #expect(try streamURL("https://localhost") == "wss://localhost:443/ws-api/v3")
        #expect(try streamURL("https://api.binance.com") == "wss://ws-api.binance.com:443/ws-api/v3")
        #expect(try streamURL("https://testnet.binance.vision") == "wss://ws-api.testnet.binance.vision/ws-api/v3")
        #expect(try streamURL("https://api.binance.com", ["BW_BINANCE_STREAM_URL": "poll"]) == nil)
        #expect(try streamURL("http://127.0.0.1:5572", ["BW_BINANCE_STREAM_URL": "ws://127.0.0.1:9/ws-api/v3"]) == "ws://127.0.0.1:9/ws-api/v3")
        let base = ["BW_VENUE_MODE": "live", "BW_BINANCE_KEY_FILE": path, "BW_BINANCE_ACCOUNT": "acct-1", "LIVE_TRADING": "true"]
        #expect(refusedKey(base.merging(["BW_BINANCE_BASE_URL": "https://exchange.example"]) { $1 }) == "BW_BINANCE_STREAM_URL")
        #expect(refusedKey(base.merging(["BW_BINANCE_BASE_URL": "https://api.binance.com", "BW_BINANCE_STREAM_URL": "ws://ws-api.binance.com/ws-api/v3"]) { $1 }) == "BW_BINANCE_STREAM_URL")
        #expect(refusedKey(base.merging(["BW_BINANCE_BASE_URL": "http://127.0.0.1:1", "BW_BINANCE_STREAM_URL": "http://127.0.0.1:1"]) { $1 }) == "BW_BINANCE_STREAM_URL")
    }

    @Test("the weight share: the service's default, BW_BINANCE_WEIGHT_SHARE_PCT over it, 1–100")
    func weightShare() throws {
        let path = try keyFile(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let base = ["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://127.0.0.1:5572", "BW_BINANCE_KEY_FILE": path, "BW_BINANCE_ACCOUNT": "acct-1"]
        let reconciler = try BinanceSpotVenue.Configuration.live(Settings(base), weightShare: BinanceSpotVenue.Configuration.reconcilerWeightShare)
        #expect(reconciler?.weightSharePercent == 40)
        #expect(try BinanceSpotVenue.Configuration.live(Settings(base.merging(["BW_BINANCE_WEIGHT_SHARE_PCT": "25"]) { $1 }))?.weightSharePercent == 25)
        for bad in ["0", "101", "half"] {
            #expect(refusedKey(base.merging(["BW_BINANCE_WEIGHT_SHARE_PCT": bad]) { $1 }) == "BW_BINANCE_WEIGHT_SHARE_PCT")
        }
    }

    @Test("loopback hosts", arguments: [("127.0.0.1", true), ("127.3.4.5", true), ("localhost", true), ("::1", true), ("[::1]", true),
                                        ("10.0.0.1", false), ("api.binance.com", false), ("127.0.0.1.example.com", false), ("1270.0.0.1", false)])
    func loopbackHosts(host: String, loopback: Bool) {
        #expect(BinanceSpotVenue.Configuration.isLoopback(host) == loopback)
    }
}
