import BusKit
import BusProtocol
import TradingModel
import VenueKit

/// The kill switch (G11): halt the account for new orders, then cancel at the venue until
/// the venue lists no open order of the account; `order.resume` lifts the halt.
///
/// The halt is a journaled fact (`trading.halted`) that the writer enforces on every new
/// intent (`TRADING_HALTED`), so it holds across gateway restarts and replicas. The order
/// matters: the halt commits first, then the account's cancel epoch moves. A submit reads
/// the epoch before risk journals its intent, so an order whose intent committed before the
/// halt sees the epoch move and cancels itself once placed, and any later intent is refused:
/// nothing slips in behind the sweep.
extension OrderEntry {
    func cancelAll(_ message: Message) async throws(ServiceError) -> CancelAllReply {
        let ref = try message.decode(AccountRef.self)
        try requireKnown(ref.account)
        let operationId = KillSwitch.operationId(requestId: message.header.id)
        let traceparent = message.header.traceparent
        try await journal([KillSwitch.haltFact(account: ref.account, operationId: operationId)], traceparent: traceparent)
        cancels.cancelAll(account: ref.account)
        let sweep = try await sweepOpenOrders(account: ref.account, traceparent: traceparent)
        logger.notice("gateway.cancel_all", metadata: [
            "account": "\(ref.account)", "operation.id": "\(operationId)", "canceled": "\(sweep.canceled)",
            "failed": "\(sweep.failures.count)", "still_open": "\(sweep.stillOpen)",
        ])
        return sweep.reply(account: ref.account, operationId: operationId)
    }

    /// Lifts the kill switch's halt (journaled: every replica and every restart sees it).
    /// Resuming an account that is not halted is journaled too and changes nothing.
    func resume(_ message: Message) async throws(ServiceError) -> ResumeReply {
        let ref = try message.decode(AccountRef.self)
        try requireKnown(ref.account)
        let fact = Fact(
            id: "resume:\(ref.account):\(message.header.id)", account: ref.account,
            payload: .tradingHalt(TradingHalt(halted: false, reason: "operator_resume")))
        try await journal([fact], traceparent: message.header.traceparent)
        logger.notice("gateway.resume", metadata: ["account": "\(ref.account)"])
        return ResumeReply(account: ref.account)
    }

    func requireKnown(_ account: String) throws(ServiceError) {
        guard accounts.contains(account) else {
            throw ServiceError(.unknownAccount, reason: "unknown_account", "unknown account '\(account.prefix(64))'")
        }
    }

    /// Lists and cancels, page after page (the venue lists at most 100), until the venue
    /// lists nothing open, or every order it lists has refused `KillSwitch.attemptsPerOrder`
    /// cancels, or `KillSwitch.maxRounds` pages were swept. Throws `UNAVAILABLE` /
    /// `venue_unreachable` when the venue cannot list the account's orders.
    func sweepOpenOrders(account: String, traceparent: String?) async throws(ServiceError) -> KillSwitch.Sweep {
        var sweep = KillSwitch.Sweep()
        for _ in 0..<KillSwitch.maxRounds {
            let open: [VenueOrder]
            do {
                open = try await venue.openOrders(account: account)
            } catch {
                throw ServiceError(
                    .unavailable, reason: "venue_unreachable",
                    "the venue did not list the open orders (\(sweep.canceled) canceled so far; the account stays halted): \(error.serviceError.message)",
                    retryAfterMs: 500)
            }
            let page = open.map(\.clientOrderId).filter { sweep.mayRetry($0) }
            sweep.stillOpen = open.count
            if page.isEmpty { return sweep }
            for (clientOrderId, error) in await cancelConcurrently(account: account, page, traceparent: traceparent) {
                sweep.record(clientOrderId, error: error)
            }
        }
        return sweep
    }

    /// Cancels `page` with at most `KillSwitch.concurrency` cancels in flight; the error of each one that failed.
    private func cancelConcurrently(account: String, _ page: [String], traceparent: String?) async -> [(String, ServiceError?)] {
        await withTaskGroup(of: (String, ServiceError?).self) { group in
            var results: [(String, ServiceError?)] = []
            var next = page.makeIterator()
            func start(_ clientOrderId: String) {
                group.addTask { () async -> (String, ServiceError?) in
                    do throws(ServiceError) {
                        try await cancelAtVenue(account: account, clientOrderId: clientOrderId, traceparent: traceparent)
                        return (clientOrderId, nil)
                    } catch {
                        return (clientOrderId, error)
                    }
                }
            }
            for _ in 0..<KillSwitch.concurrency { if let id = next.next() { start(id) } }
            for await result in group {
                results.append(result)
                if let id = next.next() { start(id) }
            }
            return results
        }
    }
}

/// The kill switch's names, limits and tally.
enum KillSwitch {
    /// Cancels in flight at once during a sweep (the venue serializes them anyway; this hides round trips).
    static let concurrency = 8
    /// Refused cancels of one order before the sweep stops asking (it stays counted as failed and open).
    static let attemptsPerOrder = 3
    /// Pages swept at most in one run (100 orders each): a bound, far above any real account.
    static let maxRounds = 10_000

    /// The operation id of the kill switch asked by request `requestId` (a resend is the same operation).
    static func operationId(requestId: String) -> String { "kill:\(requestId)" }

    /// The fact that halts `account` for new orders.
    static func haltFact(account: String, operationId: String) -> Fact {
        Fact(
            id: "halt:\(operationId)", account: account,
            payload: .tradingHalt(TradingHalt(halted: true, reason: "kill_switch", operationId: operationId)))
    }

    /// What one run did so far.
    struct Sweep: Sendable, Equatable {
        var canceled = 0
        /// Orders whose last cancel was not confirmed, with that attempt's code.
        var failures: [String: String] = [:]
        var attempts: [String: Int] = [:]
        /// What the venue listed open on the last look.
        var stillOpen = 0

        func mayRetry(_ clientOrderId: String) -> Bool { attempts[clientOrderId, default: 0] < KillSwitch.attemptsPerOrder }

        mutating func record(_ clientOrderId: String, error: ServiceError?) {
            if let error {
                attempts[clientOrderId, default: 0] += 1
                failures[clientOrderId] = error.code.rawValue
            } else {
                canceled += 1
                failures[clientOrderId] = nil
            }
        }

        func reply(account: String, operationId: String) -> CancelAllReply {
            let sample = failures.sorted { $0.key < $1.key }.prefix(CancelAllReply.failureSampleLimit)
            return CancelAllReply(
                account: account, operationId: operationId, canceled: canceled, failed: failures.count, stillOpen: stillOpen,
                failures: sample.map { CancelAllReply.Failure(clientOrderId: $0.key, code: $0.value) })
        }
    }
}
