import BusKit
import BusProtocol
import Foundation
import Glibc
import RiskService
import Testing
import TestSupport
import TradingModel

/// Two risk-service replicas and the new breaker triggers, through the real executables
/// (real ZeroMQ, real SQLite journal).
@Suite("risk-service replicas and breaker triggers through the real services", .serialized, .timeLimit(.minutes(4)))
struct RiskReplicaIntegrationTests {
    /// What a test reads of `bus.status`: the live workers and the partition leases.
    struct BusStatus: Codable {
        struct Lease: Codable {
            var service: String
            var partition: Int
            var worker: String
        }
        struct Worker: Codable {
            var service: String
            var worker: String
        }
        var workers: [Worker]
        var leases: [Lease]
    }

    static let core = ["bus", "persistence-writer", "venue-sim", "risk-service"]

    private func started(environment: [String: String] = [:]) async throws -> (Suite, SuiteClientConnection) {
        let suite = try Suite()
        // No reconciler here: risk is tested on its own (C1's gate off).
        suite.environment = ["BW_RISK_REQUIRE_RECON": "false", "BW_RISK_LEASE_PING_MS": "500"].merging(environment) { _, given in given }
        try suite.start(Self.core)
        // The test plays the gateway: risk.authorize and the venue outcomes are its calls alone.
        let client = try suite.client(as: "order-gateway")
        #expect(try await client.waitForRisk())
        return (suite, client)
    }

    private func status(_ client: SuiteClientConnection) async throws -> BusStatus {
        try await client.bus.call(
            service: BusCommand.service, type: BusCommand.status, body: [String: String](), replyType: BusStatus.self,
            timeout: .seconds(2), attempts: 1)
    }

    /// The leases of risk-service held by the replica running as `label`.
    private func leases(_ suite: Suite, _ client: SuiteClientConnection, of label: String) async throws -> Int {
        guard let pid = suite.pid(label) else { return 0 }
        return try await status(client).leases.count { $0.service == RiskAPI.service && $0.worker.contains(":\(pid):") }
    }

    /// Whether an order of every account is refused by the open global breaker now.
    private func everyAccountRefused(_ client: SuiteClientConnection, _ round: Int) async -> Bool {
        for account in ["acct-1", "acct-2"] {
            do {
                _ = try await client.authorize(Fixtures.order("probe-\(account)-\(round)", account: account, qty: "0.001"))
                return false
            } catch {
                guard error.code == .breakerOpen, error.message.contains("global breaker") else { return false }
            }
        }
        return true
    }

    @Test("two risk replicas: a global trip sent to the one that owns no account is obeyed by both, each alone, and after both restart")
    func globalTripWithTwoReplicas() async throws {
        // No cool-down within the test, however slow the machine: OPEN stays OPEN.
        let (suite, client) = try await started(environment: ["BW_RISK_BREAKER_COOL_DOWN_MS": "86400000"])
        defer { client.close(); suite.tearDown() }
        // The controls are the operator's (a service key may not send them).
        let operatorClient = try suite.client(as: "operator")
        defer { operatorClient.close() }
        // The first replica owns both accounts' partitions (its lease pings); then the second joins.
        #expect(try await eventually { try await leases(suite, client, of: "risk-service") >= 2 })
        try suite.start("risk-service", as: "risk-service-2")
        #expect(try await eventually(timeout: .seconds(30)) {
            try await status(client).workers.count { $0.service == RiskAPI.service } == 2
        })
        #expect(try await leases(suite, client, of: "risk-service-2") == 0)
        // A key no account has: the bus leases its partition to the least-loaded replica, the second.
        let tripped = try await operatorClient.bus.call(
            service: RiskAPI.service, type: RiskAPI.trip, key: "route:global-trip", body: RiskTrip(account: nil, reason: "replica drill"),
            replyType: BreakerView.self, timeout: .seconds(10), attempts: 1)
        #expect(tripped.state == .open && tripped.reason == "manual_trip:replica drill")
        #expect(try await leases(suite, client, of: "risk-service-2") == 1)
        var round = 0
        // The first replica, which owns every account, obeys the trip it folded from the journal.
        #expect(try await eventually { round += 1; return await everyAccountRefused(client, round) })

        // Each replica alone answers for every account.
        #expect(suite.terminate("risk-service") == 0)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) { round += 1; return await everyAccountRefused(client, round) })
        #expect(try await leases(suite, client, of: "risk-service-2") >= 3)
        try suite.start("risk-service")
        #expect(try await eventually(timeout: .seconds(30)) { try await status(client).workers.count { $0.service == RiskAPI.service } == 2 })
        suite.kill("risk-service-2")
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            round += 1
            guard try await leases(suite, client, of: "risk-service") >= 2 else { return false }
            return await everyAccountRefused(client, round)
        })

        // Both restarted: still open, from the journal.
        suite.kill("risk-service")
        try suite.start("risk-service")
        try suite.start("risk-service", as: "risk-service-2")
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(200)) { round += 1; return await everyAccountRefused(client, round) })
        #expect(try await client.show("acct-2").globalBreaker?.reason == "manual_trip:replica drill")
        let transitions = try await client.journal().filter { $0.fact.type == "breaker.transition" && $0.fact.account == BreakerTransition.globalScope }
        #expect(transitions.count == 1)
        // Account facts carry their lease's fence; none was journaled twice.
        let ids = try await client.journal().map(\.fact.id)
        #expect(Set(ids).count == ids.count)
    }

    /// The global breaker as the replica serving `key`'s partition folds it.
    private func globalView(_ client: SuiteClientConnection, via key: String) async throws -> BreakerView? {
        try await client.bus.call(
            service: RiskAPI.service, type: RiskAPI.show, key: key, body: AccountRef(account: "acct-1"),
            replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1).globalBreaker
    }

    /// The journal's global transitions, in seq order.
    private func globalTransitions(_ client: SuiteClientConnection) async throws -> [BreakerTransition] {
        try await client.journal().compactMap { record in
            guard record.fact.account == BreakerTransition.globalScope, case .breakerTransition(let t) = record.fact.payload else { return nil }
            return t
        }
    }

    @Test("two replicas deciding the global breaker at once (stale data on a frozen venue, a short cool-down, resets sent to each): the journal keeps one chain and both replicas end on its state")
    func concurrentGlobalTransitions() async throws {
        let (suite, client) = try await started(environment: [
            "BW_RISK_STALE_MARKET_DATA_MS": "500", "BW_RISK_BREAKER_COOL_DOWN_MS": "250", "BW_RISK_EVALUATE_MS": "20",
        ])
        defer { client.close(); suite.tearDown() }
        // The controls are the operator's (a service key may not send them).
        let operatorClient = try suite.client(as: "operator")
        defer { operatorClient.close() }
        #expect(try await eventually { try await leases(suite, client, of: "risk-service") >= 2 })
        try suite.start("risk-service", as: "risk-service-2")
        #expect(try await eventually(timeout: .seconds(30)) { try await status(client).workers.count { $0.service == RiskAPI.service } == 2 })
        _ = try await globalView(client, via: "route:second")  // leased to the second replica, which owned nothing
        #expect(try await leases(suite, client, of: "risk-service-2") == 1)

        // Stale needs marks first: both replicas have valued equity from the venue's ticks.
        for key in ["acct-1", "route:second"] {
            var last: Result<AccountRisk, ServiceError>?
            let valued = try await eventually(timeout: .seconds(30)) {
                do throws(ServiceError) {
                    let view = try await client.bus.call(
                        service: RiskAPI.service, type: RiskAPI.show, key: key, body: AccountRef(account: "acct-1"),
                        replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1)
                    last = .success(view)
                    return view.pnl?.equity != nil
                } catch {
                    last = .failure(error)
                    return false
                }
            }
            #expect(valued, "via \(key): \(String(describing: last)); venue-sim: \(suite.log("venue-sim").suffix(800))")
        }
        suite.signal("venue-sim", SIGSTOP)
        // Each reset lands (CLOSED), both replicas see the stale marks and trip at once, and each
        // cool-down both step to HALF_OPEN at once; the next reset, sent to each replica in turn
        // at a random point of the cool-down, races the other replica's step of the same number.
        let seed = UInt64(UInt32.random(in: 0...UInt32.max))
        var random = TestSupport.SeededRandom(seed: seed)
        for round in 0..<8 {
            #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(10)) {
                let state = (try? await globalView(client, via: "acct-1"))?.state
                return state == .open || state == .halfOpen
            }, "seed \(seed)")
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...500, using: &random)))  // jitter, not synchronisation
            let reset = try await operatorClient.bus.call(
                service: RiskAPI.service, type: RiskAPI.reset, key: round % 2 == 0 ? "acct-1" : "route:second", body: RiskReset(account: nil),
                replyType: BreakerView.self, timeout: .seconds(10), attempts: 1)
            #expect(reset.state == .closed, "seed \(seed): the reset answered \(reset)")
        }
        suite.signal("venue-sim", SIGCONT)
        // A trip of an OPEN breaker changes nothing (its answer is the journal's OPEN): sent until it is the transition that landed.
        var landed: BreakerView?
        #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
            landed = try? await operatorClient.bus.call(
                service: RiskAPI.service, type: RiskAPI.trip, key: "route:second", body: RiskTrip(account: nil, reason: "final"),
                replyType: BreakerView.self, timeout: .seconds(10), attempts: 1)
            return landed?.reason == "manual_trip:final"
        })
        let final = try #require(landed)

        // Quiet again (HALF_OPEN waits for probes): both replicas show the journal's last transition.
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            guard let last = try await globalTransitions(client).last, last.to == .halfOpen else { return false }
            let first = try await globalView(client, via: "acct-1"), second = try await globalView(client, via: "route:second")
            return first?.transitions == last.number && second?.transitions == last.number && first == second
        })
        let chain = try await globalTransitions(client)
        #expect(chain.count >= 8 * 2)
        #expect(chain.map(\.number) == Array(1...Int64(chain.count)), "numbers: \(chain.map(\.number))")
        for (previous, next) in zip(chain, chain.dropFirst()) {
            #expect(next.from == previous.to, "\(previous.number) → \(next.number): \(previous.to) then from \(next.from)")
        }
        // The trip that answered as done is in the journal, under the number it answered with.
        #expect(chain.first { $0.number == final.transitions }?.reason == "manual_trip:final", "seed \(seed)")
    }

    @Test("a spread wider than BW_RISK_BREAKER_MAX_SPREAD_BPS in the venue's quotes trips the global breaker (market_spread:<symbol>), journaled")
    func marketSpreadTrips() async throws {
        // The paper venue quotes 2 ticks (0.02) wide: ~0.004 bps at 50000, above 0.001.
        let (suite, client) = try await started(environment: ["BW_RISK_BREAKER_MAX_SPREAD_BPS": "0.001"])
        defer { client.close(); suite.tearDown() }
        #expect(try await eventually(timeout: .seconds(20)) {
            (try? await client.show("acct-2").globalBreaker?.reason.hasPrefix("market_spread:")) == true
        })
        do {
            _ = try await client.authorize(Fixtures.order("wide", account: "acct-2", qty: "0.001"))
            Issue.record("a market-spread trip let an order through")
        } catch {
            #expect(error.code == .breakerOpen)
        }
        // In effect at once; journaled once the writer committed it.
        #expect(try await eventually { try await globalTransitions(client).first?.reason.hasPrefix("market_spread:") == true })
    }

    @Test("gross positions above BW_RISK_BREAKER_MAX_EXPOSURE × equity trip that account's breaker (gross_exposure), journaled by its partition's owner under its fence; another account trades")
    func exposureTrips() async throws {
        // acct-1 holds 2 BTC and 20 ETH (~100000 + ~60000 against ~260000 equity); acct-2 only USDT.
        let (suite, client) = try await started(environment: ["BW_RISK_BREAKER_MAX_EXPOSURE": "0.3"])
        defer { client.close(); suite.tearDown() }
        #expect(try await eventually(timeout: .seconds(20)) { (try? await client.show("acct-1").breaker?.reason) == "gross_exposure" })
        do {
            _ = try await client.authorize(Fixtures.order("exposed", qty: "0.001"))
            Issue.record("an exposure trip let an order through")
        } catch {
            #expect(error.code == .breakerOpen)
        }
        _ = try await client.authorize(Fixtures.order("cash-only", account: "acct-2", qty: "0.001"))
        #expect(try await eventually { try await client.journal().contains { $0.fact.id == "breaker:acct-1:1" } })
        let trip = try #require(try await client.journal().first { $0.fact.id == "breaker:acct-1:1" })
        #expect(trip.partition != nil && trip.epoch != nil)
        guard case .breakerTransition(let t) = trip.fact.payload else { Issue.record("not a transition"); return }
        #expect(t.reason == "gross_exposure")
    }

    @Test("an account's trip sent without its key is refused by a replica that does not serve it (UNAVAILABLE / not_partition_owner)")
    func unkeyedAccountTrip() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        // The controls are the operator's (a service key may not send them).
        let operatorClient = try suite.client(as: "operator")
        defer { operatorClient.close() }
        let error = try await operatorClient.riskErrorCode(RiskAPI.trip, key: nil, body: WireCodec.encode(RiskTrip(account: "acct-unknown-route", reason: "x")))
        #expect(error?.code == .unknownAccount)
        // acct-1's partition is leased (the lease pings) — an unkeyed request carries no lease, so this replica has one only by chance: send it to a second replica that owns nothing.
        try suite.start("risk-service", as: "risk-service-2")
        #expect(try await eventually(timeout: .seconds(30)) { try await status(client).workers.count { $0.service == RiskAPI.service } == 2 })
        let refused = try await operatorClient.riskErrorCode(RiskAPI.trip, key: "route:no-account", body: WireCodec.encode(RiskTrip(account: "acct-1", reason: "x")))
        #expect(refused?.code == .unavailable && refused?.reason == "not_partition_owner")
    }
}
