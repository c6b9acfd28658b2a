import BusKit
import BusProtocol
import Foundation
import Logging
import RiskService
import Synchronization
import TestSupport
import TradingModel
import VenueKit
import ZeroMQ

/// Risk and journal calls a test makes through the real bus.
extension SuiteClientConnection {
    func show(_ account: String) async throws(ServiceError) -> AccountRisk {
        try await bus.call(
            service: RiskAPI.service, type: RiskAPI.show, key: account, body: AccountRef(account: account),
            replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1)
    }

    func authorize(_ request: RiskAuthorize) async throws(ServiceError) -> RiskDecision {
        try await bus.call(
            service: RiskAPI.service, type: RiskAPI.authorize, key: request.account, body: request,
            replyType: RiskDecision.self, timeout: .seconds(20), attempts: 1)
    }

    /// The reply to a raw request: the error code, or nil on success.
    func riskErrorCode(_ type: String, key: String?, body: Data) async throws -> ServiceError? {
        let reply = try await bus.request(service: RiskAPI.service, type: type, key: key, body: body, timeout: .seconds(10), attempts: 1)
        return reply.header.isError ? reply.errorBody() : nil
    }

    /// Waits until risk-service has replayed the journal and serves.
    func waitForRisk(_ account: String = "acct-1") async throws -> Bool {
        try await eventually(timeout: .seconds(60), every: .milliseconds(100)) { (try? await show(account)) != nil }
    }

    /// Every committed record, read from the writer page by page.
    func journal() async throws -> [JournalRecord] {
        var records: [JournalRecord] = []
        while true {
            let page = try await bus.call(
                service: JournalAPI.service, type: JournalAPI.read, body: JournalRead(fromSeq: Int64(records.count + 1), limit: 1_000),
                replyType: JournalPage.self, timeout: .seconds(5), attempts: 1)
            records += page.records
            if page.records.isEmpty || Int64(records.count) >= page.lastSeq { return records }
        }
    }
}

/// A direct client of the suite's venue-sim: the truth checked against.
final class VenueProbe: Sendable {
    let context = ZMQContext()
    let venue: PaperVenueClient

    init(_ suite: Suite) throws {
        var logger = Logger(label: "venue-probe")
        logger.logLevel = .error
        venue = try PaperVenueClient(venue: try suite.venueEndpoints, subscribe: [], context: context, logger: logger)
    }

    func close() {
        venue.stop()
        context.terminate()
    }
}

/// A subscriber to the bus's event plane that keeps what it received (alerts, facts).
final class EventProbe: Sendable {
    let context = ZMQContext()
    let bus: BusConnection
    private final class Inbox: Sendable {
        let messages = Mutex<[Message]>([])
    }

    private let received = Inbox()
    private let collector: Task<Void, Never>

    init(_ suite: Suite, topics: [String]) throws {
        var logger = Logger(label: "event-probe")
        logger.logLevel = .error
        var configuration = BusConnection.Configuration(endpoints: suite.endpoints, identity: "probe-\(UUID().uuidString)")
        configuration.subscriptions = topics
        configuration.publishesEvents = false
        let bus = try BusConnection(configuration: configuration, context: context, logger: logger)
        bus.start()
        self.bus = bus
        let received = received
        collector = Task { for await message in bus.events { received.messages.withLock { $0.append(message) } } }
    }

    /// The events received so far, oldest first.
    var messages: [Message] { received.messages.withLock { $0 } }

    func close() {
        bus.stop()
        collector.cancel()
        context.terminate()
    }
}

/// The fold a run without any kill computes: the whole journal folded from scratch.
func foldOf(_ records: [JournalRecord], _ configuration: RiskConfiguration) -> RiskFold {
    var fold = RiskFold(
        ledger: Ledger(startingBalances: configuration.balances, feeRate: configuration.feeRate),
        breaker: configuration.breaker, governor: configuration.governor)
    for record in records { fold.apply(record) }
    return fold
}

/// A view without the live marks and P&L, for comparing folds.
func folded(_ view: AccountRisk) -> AccountRisk {
    var copy = view
    copy.pnl = nil
    copy.positions = copy.positions?.map { var p = $0; p.mark = nil; return p }
    return copy
}
