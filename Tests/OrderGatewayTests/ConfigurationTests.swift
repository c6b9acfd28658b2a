import Foundation
import Logging
import ServiceRuntime
import Testing
import TradingModel
@testable import OrderGateway

@Suite("gateway configuration: paper by default, live needs an explicit opt-in")
struct ConfigurationTests {
    @Test("defaults are paper mode with the documented limits")
    func defaults() throws {
        let configuration = try GatewayConfiguration(settings: .onPlainBus([:]))
        #expect(configuration.accounts == ["acct-1", "acct-2"])
        #expect(configuration.duplicateWindow == .seconds(5))
        #expect(configuration.rateLimits.accountBurst == 100)
        #expect(configuration.venueSilence == .seconds(3))
    }

    @Test("live mode is refused without a venue URL, off this machine without LIVE_TRADING, and without a key file", arguments: [
        (["BW_VENUE_MODE": "live"], "BW_BINANCE_BASE_URL"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "https://api.binance.com"], "LIVE_TRADING"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "https://api.binance.com", "LIVE_TRADING": "true"], "BW_BINANCE_KEY_FILE"),
        (["BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://127.0.0.1:5572"], "BW_BINANCE_KEY_FILE"),
        (["BW_VENUE_MODE": "sandbox"], "BW_VENUE_MODE"),
        (["BW_RATE_ACCOUNT_BURST": "0"], "BW_RATE_ACCOUNT_BURST"),
        (["BW_DUPLICATE_WINDOW_MS": "soon"], "BW_DUPLICATE_WINDOW_MS"),
        (["BW_VENUE_SILENCE_MS": "10"], "BW_VENUE_SILENCE_MS"),
    ])
    func refusals(environment: [String: String], key: String) {
        // (The whole live rule set, key file modes included: BinanceVenueTests.LiveSettingsTests.)
        do {
            _ = try GatewayConfiguration(settings: .onPlainBus(environment))
            Issue.record("configuration \(environment) must be refused")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

extension Settings {
    /// `values` with BW_INSECURE_BUS=true: these tests are of the gateway's own settings, not the bus's
    /// (a process without a bus key is refused: SecureByDefaultTests).
    static func onPlainBus(_ values: [String: String]) -> Settings {
        Settings(values.merging(["BW_INSECURE_BUS": "true"]) { mine, _ in mine })
    }
}

@Suite("gateway configuration: the live venue's recvWindow")
struct LiveConfigurationTests {
    @Test("a recvWindow not below the unknown-order grace is refused (a timed-out place could land after it was given up on)")
    func recvWindowBelowGrace() throws {
        let path = NSTemporaryDirectory() + "gateway-key-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("k\ns\n".utf8), attributes: [.posixPermissions: 0o600]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let live = [
            "BW_VENUE_MODE": "live", "BW_BINANCE_BASE_URL": "http://127.0.0.1:5572", "BW_BINANCE_KEY_FILE": path, "BW_BINANCE_ACCOUNT": "acct-1",
        ]
        let configuration = try GatewayConfiguration(settings: .onPlainBus(live))
        #expect(configuration.live?.recvWindow == .seconds(5))
        // The venue bucket defaults to Binance's order limit (100 per 10 s), not the paper venue's 500/s.
        #expect(configuration.rateLimits.venuePerSecond == 10 && configuration.rateLimits.venueBurst == 100)
        #expect(try GatewayConfiguration(settings: .onPlainBus([:])).rateLimits.venuePerSecond == 500)
        do {
            _ = try GatewayConfiguration(settings: .onPlainBus(live.merging(["BW_BINANCE_RECV_WINDOW_MS": "10000"]) { $1 }))
            Issue.record("a recvWindow equal to the grace must be refused")
        } catch let error as ConfigurationError {
            #expect(error.key == "BW_BINANCE_RECV_WINDOW_MS")
        }
    }
}

@Suite("unknown orders resolve to what the venue says")
struct UnknownOrdersTests {
    private func resolver(_ venue: FakeVenue, journaled: Recorder<Fact>) -> UnknownOrders {
        UnknownOrders(venue: venue, grace: .seconds(10), logger: Logger(label: "test")) { facts in
            for fact in facts { journaled.append(fact) }
        }
    }

    @Test("an order the venue has is journaled from the venue's answer")
    func foundAtVenue() async throws {
        let venue = FakeVenue(script: [.acceptButLoseAnswer])
        _ = try? await venue.place(samplePlace)
        let journaled = Recorder<Fact>()
        let unknown = resolver(venue, journaled: journaled)
        await unknown.watch(samplePlace, now: 0)
        await unknown.resolve(now: 1)
        #expect(journaled.all.map(\.id) == ["accepted:acct-1:coid-1"])
        #expect(await unknown.count == 0)
    }

    @Test("an order absent at the venue is kept until the grace period, then closed rejected")
    func absentAfterGrace() async {
        let venue = FakeVenue(script: [])
        let journaled = Recorder<Fact>()
        let unknown = resolver(venue, journaled: journaled)
        await unknown.watch(samplePlace, now: 0)
        await unknown.resolve(now: 9_000_000_000)
        #expect(journaled.all.isEmpty)
        await unknown.resolve(now: 10_000_000_000)
        #expect(journaled.all.map(\.id) == ["rejected:acct-1:coid-1"])
        if case .orderClosed(let closed) = journaled.all.first?.payload {
            #expect(closed.state == .rejected && closed.reason == "not_at_venue")
        } else {
            Issue.record("expected an order.rejected fact")
        }
    }

    @Test("a venue that still does not answer keeps the order watched")
    func venueSilent() async {
        let venue = FakeVenue(script: [], queryFails: true)
        let journaled = Recorder<Fact>()
        let unknown = resolver(venue, journaled: journaled)
        await unknown.watch(samplePlace, now: 0)
        await unknown.resolve(now: 60_000_000_000)
        #expect(journaled.all.isEmpty)
        #expect(await unknown.count == 1)
    }
}
