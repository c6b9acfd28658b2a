import BusKit
import BusProtocol
import Foundation
import Testing
import TestSupport
import TradingModel
import VenueKit

/// Issue 13 step 2 against the real executables: the (account, symbol) lock holds only
/// around the reservation and the intent's commit, so many orders of one key are on their
/// way to the venue at once. Risk counts their open reservations at their worst, so
/// together they cannot pass a limit that each passes alone.
@Suite("pipelined orders of one key", .serialized, .timeLimit(.minutes(3)))
struct PipelinedOrderTests {
    @Test("40 concurrent buys at one (account, symbol) holding nothing yet against a position limit: never more approved than the limit holds")
    func concurrentOrdersAgainstAPositionLimit() async throws {
        let suite = try Suite()
        // 0.01 BTC at a mark near 50000 is ~500: 10 of them fit under 5250 for any mark
        // between 47,700 and 52,500 (the synthetic book moves a few ticks of 0.01 meanwhile).
        suite.environment = [
            "BW_RISK_LIMITS": "*:max_position_notional=5250",
            "BW_RATE_ACCOUNT_PER_SEC": "1000000", "BW_RATE_ACCOUNT_BURST": "1000000",
        ]
        try suite.start()
        let client = try suite.client()
        defer { client.close(); suite.tearDown() }
        #expect(try await client.waitUntilReady())
        // Resting buys far below the market: they stay open, so only their reservations
        // (not a filled position) can hold the next order back.
        let results = await withTaskGroup(of: Result<OrderView, ServiceError>.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do throws(ServiceError) {
                        return .success(try await client.submit(restingBuy("pipe-\(index)", account: "acct-2"), timeout: .seconds(60)))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let accepted = results.compactMap { try? $0.get() }
        let refusals = results.compactMap { result -> ServiceError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        #expect(accepted.count == 10, "refusals: \(Set(refusals.map(\.reason)))")
        #expect(accepted.allSatisfy { $0.state == .accepted })
        #expect(refusals.allSatisfy { $0.code == .limitExceeded && $0.reason == "max_position" })
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        let open = try await probe.venue.openOrders(account: "acct-2")
        #expect(Set(open.map(\.clientOrderId)) == Set(accepted.map(\.clientOrderId)))
    }
}
