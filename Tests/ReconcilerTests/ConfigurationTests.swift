import ServiceRuntime
import Testing
import TradingModel
import VenueSim
@testable import Reconciler

/// Reconciler and venue settings are validated at startup: a bad value stops the service.
@Suite("reconciler and venue configuration")
struct ConfigurationTests {
    @Test("defaults: 12 s interval, venue_wins, fail-closed, monitor off")
    func defaults() throws {
        let configuration = try ReconcilerConfiguration.load(Settings([:]))
        #expect(configuration.interval == .seconds(12))
        #expect(configuration.strategy == .venueWins)
        #expect(configuration.failClosed)
        #expect(configuration.maxHoldSeconds == 0)
        #expect(configuration.recentWindow == .seconds(120))
        #expect(configuration.accounts == ["acct-1", "acct-2"])
    }

    @Test("polling cannot be switched off, and bad values are refused", arguments: [
        ["BW_RECON_INTERVAL_MS": "0"], ["BW_RECON_INTERVAL_MS": "soon"], ["BW_RECON_STRATEGY": "coin_flip"],
        ["BW_RECON_TOLERANCE": "-1"], ["BW_RECON_MAX_HOLD_SECONDS": "-5"], ["BW_RECON_FAIL_CLOSED": "maybe"],
        ["BW_RECON_RECENT_WINDOW_MS": "999"], ["BW_RECON_RECENT_WINDOW_MS": "a while"],
    ])
    func badReconcilerSettings(values: [String: String]) {
        #expect(throws: (any Error).self) { _ = try ReconcilerConfiguration.load(Settings(values)) }
    }

    @Test("venue faults and history window from the environment; a rate outside [0, 1] or a negative window is refused")
    func venueFaultSettings() throws {
        let configuration = try VenueSettings.configuration(Settings.plain(["BW_VENUE_FAULT_DROP_FILLS": "0.2", "BW_VENUE_FAULT_ACK_DELAY_MS": "300"]))
        #expect(configuration.faults.dropFills == ExactDecimal("0.2")!)
        #expect(configuration.faults.ackDelayMillis == 300)
        #expect(configuration.statePath == nil)
        #expect(configuration.historyWindow == .seconds(3600))
        #expect(try VenueSettings.configuration(Settings.plain(["BW_VENUE_HISTORY_MINUTES": "0"])).historyWindow == nil)
        #expect(try VenueSettings.configuration(Settings.plain(["BW_VENUE_HISTORY_MINUTES": "2"])).historyWindow == .seconds(120))
        #expect(throws: (any Error).self) { _ = try VenueSettings.configuration(Settings.plain(["BW_VENUE_HISTORY_MINUTES": "-1"])) }
        #expect(throws: (any Error).self) { _ = try VenueSettings.configuration(Settings.plain(["BW_VENUE_FAULT_REJECT": "1.5"])) }
        #expect(throws: (any Error).self) { _ = try VenueSettings.configuration(Settings.plain(["BW_VENUE_FAULT_DUPLICATE": "lots"])) }
    }
}

extension Settings {
    /// `values` with BW_INSECURE_BUS=true: these tests are of the venue's own settings, not of its
    /// keys (venue-sim without a key file is refused: VenueAuthenticationTests).
    static func plain(_ values: [String: String]) -> Settings {
        Settings(values.merging(["BW_INSECURE_BUS": "true"]) { mine, _ in mine })
    }
}
