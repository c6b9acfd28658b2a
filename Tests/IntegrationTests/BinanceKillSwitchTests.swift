import BinanceVenue
import BusKit
import BusProtocol
import Foundation
import Logging
import Testing
import TestSupport
import TradingModel
import VenueKit

/// The kill switch through the Binance adapter: venue-sim's Binance front holds the
/// orders, the gateway lists and cancels them through Binance's API (open orders without
/// a symbol, cancel by client id), and the account is halted until resumed.
@Suite("kill switch through the Binance adapter", .serialized, .timeLimit(.minutes(3)))
struct BinanceKillSwitchTests {
    @Test("30 resting orders at the Binance front: cancel-all leaves none open there, counts exact, the account halted")
    func cancelAllThroughBinance() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try VenueFront.binance.configure(suite)
        suite.environment.merge(KillSwitchTests.environment) { $1 }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady(accounts: VenueFront.binance.accounts))
        try await KillSwitchTests.placeResting(client, count: 30, prefix: "bks")

        // The venue's own view, through a second adapter on the same key.
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        let probe = BinanceSpotVenue(
            configuration: .init(baseURL: "http://127.0.0.1:\(port)", credentials: BinanceCredentials(apiKey: "it-key-1", secret: "it-secret-1"), account: "acct-1"),
            logger: Logger(label: "probe"))
        #expect(try await probe.openOrders(account: "acct-1").count == 30)

        let reply = try await KillSwitchTests.cancelAll(client)
        #expect(reply.canceled == 30 && reply.failed == 0 && reply.stillOpen == 0 && reply.halted, "\(reply)")
        #expect(try await probe.openOrders(account: "acct-1").isEmpty)
        #expect(try KillSwitchTests.states(suite) == ["canceled": 30])
        #expect(try await KillSwitchTests.submitError(client, restingBuy("bks-after"))?.code == .tradingHalted)
    }
}
