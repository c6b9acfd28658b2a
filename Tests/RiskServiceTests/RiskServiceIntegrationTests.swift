import BusKit
import BusProtocol
import Foundation
import RiskService
import ServiceRuntime
import Testing
import TestSupport
import TradingModel

/// risk-service through the real executables (real ZeroMQ, real SQLite journal).
@Suite("risk-service through the real services", .serialized, .timeLimit(.minutes(3)))
struct RiskServiceIntegrationTests {
    private func started(_ names: [String] = Suite.serviceOrder, environment: [String: String] = [:]) async throws -> (Suite, SuiteClientConnection) {
        let suite = try Suite()
        // Without a reconciler no account is ever reconciled (C1): risk is tested on its own here.
        let ungated = names.contains("reconciler") ? [:] : ["BW_RISK_REQUIRE_RECON": "false"]
        suite.environment = ungated.merging(environment) { _, given in given }
        try suite.start(names)
        // The test plays the gateway: risk.authorize and the venue outcomes are its calls alone.
        let client = try suite.client(as: "order-gateway")
        #expect(try await client.waitForRisk())
        return (suite, client)
    }

    @Test("100 concurrent authorizations each reserving 2 % of the balance: at most 50 approved and journaled, no overdraft")
    func concurrentAuthorizations() async throws {
        let (suite, client) = try await started(["bus", "persistence-writer", "venue-sim", "risk-service"])
        defer { client.close(); suite.tearDown() }
        // acct-2 holds 50000 USDT; 0.0199 BTC × 50000 + 0.1 % fee = 995.995 (≈ 2 %).
        let approved = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<100 {
                group.addTask {
                    (try? await client.authorize(Fixtures.order("con-\(i)", account: "acct-2", qty: "0.0199", price: "50000"))) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(approved <= 50)
        #expect(approved >= 45)  // the balance, not something else, is what runs out
        let intents = try await client.journal().filter { $0.fact.account == "acct-2" && $0.fact.type == "order.intent" }
        #expect(intents.count == approved)
        let usdt = try #require(try await client.show("acct-2").balances.first { $0.asset == "USDT" })
        #expect(usdt.reserved == dec("995.995").multiplied(by: ExactDecimal(approved), rounding: .halfEven))
        #expect(usdt.available + usdt.reserved == usdt.total)
        #expect(!usdt.available.isNegative)
    }

    @Test("kill -9 risk-service in a stream of orders and fills, restart: the fold equals a fold of the journal from scratch")
    func killMidStreamRebuildsTheSameFold() async throws {
        let (suite, client) = try await started()
        defer { client.close(); suite.tearDown() }
        #expect(try await client.waitUntilGatewayReady())
        for i in 0..<24 {
            if i == 8 { suite.kill("risk-service") }
            if i == 12 { try suite.start("risk-service") }
            let symbol = i % 3 == 0 ? "ETH/USDT" : "BTC/USDT"
            let order = OrderSubmit(
                clientOrderId: "kill-\(i)", account: "acct-1", symbol: symbol, side: i % 2 == 0 ? .buy : .sell, type: .market,
                qty: dec(symbol == "ETH/USDT" ? "0.1" : "0.01"))
            _ = try? await client.submitOrder(order, timeout: .seconds(3))
        }
        #expect(try await client.waitForRisk())
        let configuration = try RiskConfiguration.read(Settings([:]))
        var last: (live: AccountRisk, replayed: AccountRisk)?
        let converged = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            let records = try await client.journal()
            let live = folded(try await client.show("acct-1"))
            let replayed = foldOf(records, configuration).view(account: "acct-1")
            last = (live, replayed)
            return live == replayed
        }
        #expect(converged, "live \(String(describing: last?.live)) vs replayed \(String(describing: last?.replayed))")
        let fills = try await client.journal().filter { $0.fact.type == "fill.recorded" }.count
        #expect(fills > 0)
        #expect(last?.live.positions?.isEmpty == false)
    }

    @Test("manual trip and reset through the bus: journaled, alerted, refuses orders, survives a kill -9; bad input answered")
    func tripResetAndBadInput() async throws {
        let (suite, client) = try await started(["bus", "persistence-writer", "venue-sim", "risk-service"])
        defer { client.close(); suite.tearDown() }
        // The controls are the operator's (a service key may not send them).
        let operatorClient = try suite.client(as: "operator")
        defer { operatorClient.close() }
        let alerts = try EventProbe(suite, topics: [RiskAPI.alertTopic, JournalAPI.factTopic])
        defer { alerts.close() }
        // The subscription is live once a fact published after it arrives (no slow-joiner loss of the alert).
        var joins = 0
        #expect(try await eventually(every: .milliseconds(200)) {
            joins += 1
            _ = try? await client.authorize(Fixtures.order("probe-join-\(joins)", account: "acct-2", qty: "0.01"))
            return alerts.messages.contains { $0.header.type.hasPrefix(JournalAPI.factTopic) }
        })
        let tripped = try await operatorClient.bus.call(
            service: RiskAPI.service, type: RiskAPI.trip, key: "acct-1", body: RiskTrip(account: "acct-1", reason: "drill"),
            replyType: BreakerView.self, timeout: .seconds(5), attempts: 1)
        #expect(tripped.state == .open && tripped.reason == "manual_trip:drill")
        #expect(try await eventually {
            alerts.messages.contains { $0.header.type == "alert.risk.breaker" && (try? $0.decode(Fact.self).id) == "breaker:acct-1:1" }
        })
        do {
            _ = try await client.authorize(Fixtures.order("blocked", qty: "0.01"))
            Issue.record("an OPEN breaker let an order through")
        } catch {
            #expect(error.code == .breakerOpen)
        }
        suite.kill("risk-service")
        try suite.start("risk-service")
        #expect(try await client.waitForRisk())
        let afterRestart = try await client.show("acct-1")
        #expect(afterRestart.breaker?.state == .open && afterRestart.breaker?.reason == "manual_trip:drill")
        let reset = try await operatorClient.bus.call(
            service: RiskAPI.service, type: RiskAPI.reset, key: "acct-1", body: RiskReset(account: "acct-1"),
            replyType: BreakerView.self, timeout: .seconds(5), attempts: 1)
        #expect(reset.state == .closed)
        _ = try await client.authorize(Fixtures.order("after-reset", qty: "0.01"))

        let emptyReason = try await operatorClient.riskErrorCode(RiskAPI.trip, key: "acct-1", body: WireCodec.encode(RiskTrip(account: "acct-1", reason: "")))
        #expect(emptyReason?.code == .invalidRequest && emptyReason?.reason == "bad_trip_reason")
        let unknown = try await operatorClient.riskErrorCode(RiskAPI.trip, key: "nobody", body: WireCodec.encode(RiskTrip(account: "nobody", reason: "x")))
        #expect(unknown?.code == .unknownAccount)
        let garbage = try await client.riskErrorCode(RiskAPI.venueOutcome, key: "acct-1", body: Data("{nope".utf8))
        #expect(garbage?.code == .invalidRequest)
        let type = try await client.riskErrorCode("risk.nonsense", key: "acct-1", body: Data("{}".utf8))
        #expect(type?.code == .unknownType)
        // Still serving.
        #expect(try await client.show("acct-1").breaker?.state == .closed)
    }

    @Test("venue outcomes from the gateway trip the breaker: consecutive errors open it for the account and globally")
    func venueOutcomesTrip() async throws {
        let (suite, client) = try await started(["bus", "persistence-writer", "venue-sim", "risk-service"])
        defer { client.close(); suite.tearDown() }
        for i in 0..<5 {
            let ack = try await client.bus.call(
                service: RiskAPI.service, type: RiskAPI.venueOutcome, key: "acct-2",
                body: VenueOutcome(account: "acct-2", clientOrderId: "v-\(i)", result: .transient, code: "TIMEOUT"),
                replyType: VenueOutcomeAck.self, timeout: .seconds(5), attempts: 1)
            #expect(ack.breaker == (i < 4 ? .closed : .open))
        }
        let view = try await client.show("acct-2")
        #expect(view.breaker?.reason == "consecutive_venue_errors")
        #expect(view.globalBreaker?.state == .open)
        #expect(try await eventually {
            let ids = try await client.journal().map(\.fact.id)
            return ids.contains("breaker:acct-2:1") && ids.contains("breaker:*:1")
        })
    }

    @Test("a used client_order_id is answered with its order, a resent request is approved again, outcome batches trip the breaker")
    func usedIdResendAndOutcomeBatches() async throws {
        let (suite, client) = try await started(["bus", "persistence-writer", "venue-sim", "risk-service"])
        defer { client.close(); suite.tearDown() }
        let order = Fixtures.order("dup-1", account: "acct-2", qty: "0.01", price: "50000")
        let header = client.bus.makeHeader(type: RiskAPI.authorize, service: RiskAPI.service, key: "acct-2")
        let first = try await client.bus.send(header: header, body: WireCodec.encode(order), timeout: .seconds(20), attempts: 1)
            .decode(RiskDecision.self)
        #expect(first.existing == nil)
        #expect(first.order?.state == .pendingNew, "the intent's ack carries the projected order")
        // The same request again (its reply lost): approved again, so the gateway places it.
        let resent = try await client.bus.send(header: header, body: WireCodec.encode(order), timeout: .seconds(20), attempts: 1)
            .decode(RiskDecision.self)
        #expect(resent.existing == nil)
        // A new request with the used id: the existing order, nothing reserved twice.
        let reused = try await client.authorize(order)
        #expect(reused.existing == true)
        #expect(reused.order?.clientOrderId == "dup-1")
        #expect(try await client.show("acct-2").openReservations == 1)
        let intents = try await client.journal().filter { $0.fact.type == "order.intent" }
        #expect(intents.count == 1)
        // Five failures in one batch open the breaker like five single reports.
        let batch = VenueOutcomeBatch(outcomes: (0..<5).map {
            VenueOutcome(account: "acct-2", clientOrderId: "v-\($0)", result: .transient, code: "TIMEOUT")
        })
        let ack = try await client.bus.call(
            service: RiskAPI.service, type: RiskAPI.venueOutcomes, key: "acct-2", body: batch,
            replyType: VenueOutcomeAck.self, timeout: .seconds(5), attempts: 1)
        // Tripped; DRAINING rather than OPEN because dup-1 is still awaiting the venue.
        #expect(ack.breaker == .draining)
        #expect(try await client.show("acct-2").breaker?.reason == "consecutive_venue_errors")
        // A batch of two accounts, or of none, is refused.
        let mixed = VenueOutcomeBatch(outcomes: [
            VenueOutcome(account: "acct-1", clientOrderId: "m-1", result: .ok, code: nil),
            VenueOutcome(account: "acct-2", clientOrderId: "m-2", result: .ok, code: nil),
        ])
        #expect(try await client.riskErrorCode(RiskAPI.venueOutcomes, key: "acct-2", body: WireCodec.encode(mixed))?.reason == "bad_outcome_batch")
        let empty = WireCodec.encode(VenueOutcomeBatch(outcomes: []))
        #expect(try await client.riskErrorCode(RiskAPI.venueOutcomes, key: "acct-2", body: empty)?.reason == "bad_outcome_batch")
    }

    @Test("HARD_STOP cancels the account's open orders at the venue and refuses new ones")
    func hardStopCancelsOpenOrders() async throws {
        let tiny = "0.000001"
        let (suite, client) = try await started(environment: [
            "BW_RISK_GOVERNOR_SOFT_BRAKE": tiny, "BW_RISK_GOVERNOR_QUARANTINE": tiny, "BW_RISK_GOVERNOR_HARD_STOP": tiny,
            "BW_RISK_GOVERNOR_DEESCALATE_BELOW": "0.0000001",
        ])
        defer { client.close(); suite.tearDown() }
        #expect(try await client.waitUntilGatewayReady())
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        // acct-2 holds only USDT: its equity does not move until it trades.
        let resting = OrderSubmit(clientOrderId: "rest-1", account: "acct-2", symbol: "BTC/USDT", side: .buy, type: .limit, qty: dec("0.01"), price: dec("1000"))
        _ = try await client.submitOrder(resting)
        #expect(try await probe.venue.openOrders(account: "acct-2").map(\.clientOrderId) == ["rest-1"])
        // Risk has valued the account (its day's high is the untouched balance) before it trades.
        #expect(try await eventually { (try? await client.show("acct-2"))?.pnl?.dayHigh == dec("50000") })
        // A market buy pays the spread and the fee: equity dips below the day's high, past the tiny thresholds.
        _ = try await client.submitOrder(OrderSubmit(clientOrderId: "dip-1", account: "acct-2", symbol: "BTC/USDT", side: .buy, type: .market, qty: dec("0.01")))
        #expect(try await eventually { (try? await client.show("acct-2"))?.governor?.level == .hardStop })
        #expect(try await eventually { (try? await probe.venue.openOrders(account: "acct-2"))?.isEmpty == true })
        do {
            _ = try await client.submitOrder(OrderSubmit(clientOrderId: "after-stop", account: "acct-2", symbol: "BTC/USDT", side: .buy, type: .market, qty: dec("0.01")))
            Issue.record("HARD_STOP let an order through")
        } catch {
            #expect(error.code == .governor)
        }
        #expect(try await client.journal().contains { $0.fact.id.hasPrefix("governor:acct-2:") })
    }
    @Test("tradectl risk trip | show | reset against the real services")
    func tradectlRiskCommands() async throws {
        let (suite, client) = try await started(["bus", "persistence-writer", "venue-sim", "risk-service"])
        defer { client.close(); suite.tearDown() }
        let port = ["--bus-port", "\(suite.busPort)", "--key-file", suite.keyFile("operator")]
        let trip = try Self.tradectl(["risk", "trip", "--account", "acct-2", "--reason", "ops drill"] + port)
        #expect(trip.status == 0)
        #expect(try JSONDecoder().decode(BreakerView.self, from: Data(trip.output.utf8)).state == .open)
        let show = try Self.tradectl(["risk", "show", "acct-2"] + port)
        let view = try JSONDecoder().decode(AccountRisk.self, from: Data(show.output.utf8))
        #expect(view.breaker?.reason == "manual_trip:ops drill")
        #expect(view.balances.first { $0.asset == "USDT" }?.total == dec("50000"))
        #expect(view.governor?.level == .normal)
        let reset = try Self.tradectl(["risk", "reset", "--account", "acct-2"] + port)
        #expect(try JSONDecoder().decode(BreakerView.self, from: Data(reset.output.utf8)).state == .closed)
        let unknown = try Self.tradectl(["risk", "show", "nobody"] + port)
        #expect(unknown.status != 0 && unknown.output.contains("UNKNOWN_ACCOUNT"))
    }

    @Test("a bad risk setting stops risk-service at start with status 2 and the key named", arguments: [
        ("BW_RISK_GOVERNOR_SOFT_BRAKE", "0.5"), ("BW_RISK_LIMITS", "acct-1:max_leverage=-1"), ("BW_RISK_BREAKER_COOL_DOWN_MS", "soon"),
    ])
    func badSettingStopsTheService(key: String, value: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/risk-service")
        var environment = ProcessInfo.processInfo.environment
        environment[key] = value
        environment["BW_BUS_PORT"] = "\(FreePorts.block(of: 4))"
        environment["BW_INSECURE_BUS"] = "true"  // the setting under test is risk's, not the bus's
        process.environment = environment
        let pipe = ChildLaunch.pipe()
        process.standardError = pipe
        process.standardOutput = ChildLaunch.pipe()
        try ChildLaunch.run(process)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(output.contains(key.hasPrefix("BW_RISK_GOVERNOR") ? "BW_RISK_GOVERNOR" : key), "\(output)")
    }

    /// Runs the real tradectl binary; its exit status and everything it printed.
    static func tradectl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/tradectl")
        process.arguments = arguments
        let pipe = ChildLaunch.pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try ChildLaunch.run(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

extension SuiteClientConnection {
    func submitOrder(_ body: OrderSubmit, timeout: Duration = .seconds(10)) async throws(ServiceError) -> OrderView {
        try await bus.call(
            service: GatewayAPI.service, type: GatewayAPI.submit, key: body.account, body: body,
            replyType: OrderReply.self, timeout: timeout, attempts: 1
        ).order
    }

    /// Waits until the gateway serves (a get answers NOT_FOUND).
    func waitUntilGatewayReady() async throws -> Bool {
        // The accounts reconciled (orders are refused before) and the gateway serving.
        guard try await waitUntilReconciled() else { return false }
        return try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            do {
                _ = try await bus.call(
                    service: GatewayAPI.service, type: GatewayAPI.get, key: "acct-1", body: OrderRef(account: "acct-1", clientOrderId: "probe"),
                    replyType: OrderReply.self, timeout: .seconds(5), attempts: 1)
                return false
            } catch {
                return (error as? ServiceError)?.code == .notFound
            }
        }
    }
}
