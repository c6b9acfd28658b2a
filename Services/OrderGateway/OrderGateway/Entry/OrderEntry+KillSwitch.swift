import BusKit
import BusProtocol
import ServiceRuntime
import TradingModel
import VenueKit

/// The kill switch (G11): halt the account for new orders, then cancel at the venue until
/// the venue lists no open order of the account; `order.resume` lifts the halt.
///
/// Each run is an operation of the operation log (`cancel_all`): `pending` (with the halt),
/// `in_progress`, then `completed` or `failed`. A gateway killed mid-sweep leaves it
/// `in_progress`; the next gateway to start sweeps it again and records its end.
///
/// The halt is a journaled fact (`trading.halted`) that the writer enforces on every new
/// intent (`TRADING_HALTED`), so it holds across gateway restarts and replicas. The order
/// matters: the halt commits first, then the account's cancel epoch moves. A submit reads
/// the epoch before risk journals its intent, so an order whose intent committed before the
/// halt sees the epoch move and cancels itself once placed, and any later intent is refused:
/// nothing slips in behind the sweep.
extension OrderEntry {
    func cancelAll(_ message: Message) async throws(ServiceError) -> CancelAllReply {
        let ref = try message.decode(accountScoped: AccountRef.self)
        try requireKnown(ref.account)
        let operationId = KillSwitch.operationId(requestId: message.header.id)
        let traceparent = message.header.traceparent
        // The halt and the operation's `pending` entry commit together: a halted account
        // always has the kill switch that halted it in the operation log.
        try await journal(
            [KillSwitch.haltFact(account: ref.account, operationId: operationId),
             KillSwitch.entry(account: ref.account, operationId: operationId, .pending)],
            traceparent: traceparent)
        cancels.cancelAll(account: ref.account)
        return try await runKillSwitch(account: ref.account, operationId: operationId, traceparent: traceparent)
    }

    /// Steps of a recorded kill switch: `in_progress`, the sweep, then `completed` (the venue
    /// lists nothing open) or `failed` (orders still open, or the venue unreachable).
    /// Repeating it is harmless: canceling is idempotent and each entry has a fixed fact id.
    func runKillSwitch(account: String, operationId: String, traceparent: String?) async throws(ServiceError) -> CancelAllReply {
        try await journal([KillSwitch.entry(account: account, operationId: operationId, .inProgress)], traceparent: traceparent)
        let sweep: KillSwitch.Sweep
        do {
            sweep = try await sweepOpenOrders(account: account, traceparent: traceparent)
        } catch {
            await finish(KillSwitch.entry(account: account, operationId: operationId, .failed, error: error.reason), traceparent: traceparent)
            throw error
        }
        let reply = sweep.reply(account: account, operationId: operationId)
        await finish(KillSwitch.finalEntry(reply), traceparent: traceparent)
        logger.notice("gateway.cancel_all", metadata: [
            "account": "\(account)", "operation.id": "\(operationId)", "canceled": "\(reply.canceled)",
            "failed": "\(reply.failed)", "still_open": "\(reply.stillOpen)",
        ])
        return reply
    }

    /// Journals an operation's last entry; a failure is logged, not thrown: the sweep is done,
    /// and an operation left `in_progress` is only swept again by the next gateway start.
    private func finish(_ entry: Fact, traceparent: String?) async {
        do {
            try await journal([entry], traceparent: traceparent)
        } catch {
            logger.warning("gateway.cancel_all.unrecorded", metadata: ["fact.id": "\(entry.id)", "error": "\(error)"])
        }
    }

    /// Finishes the kill switches a stopped gateway left `pending` or `in_progress` (read from
    /// the operation log at start): each is swept again and recorded `completed` or `failed`.
    /// While the writer or the venue does not answer, it tries again every `KillSwitch.resumeRetry`.
    func finishLeftKillSwitches() async {
        var left: [OperationSummary] = []
        var query = OperationsQuery()
        while !Task.isCancelled {
            do {
                let page = try await bus.call(
                    service: JournalAPI.service, type: JournalAPI.operations, body: query, replyType: OperationsPage.self)
                left += page.operations.filter { $0.kind == KillSwitch.kind && accounts.contains($0.account) }
                guard let next = page.nextAfterSeq, !page.operations.isEmpty else { break }
                query.afterSeq = next
            } catch {
                logger.warning("gateway.cancel_all.left_unread", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: KillSwitch.resumeRetry)
            }
        }
        for operation in left {
            while !Task.isCancelled {
                logger.notice("gateway.cancel_all.resumed", metadata: ["account": "\(operation.account)", "operation.id": "\(operation.operationId)"])
                do {
                    _ = try await runKillSwitch(account: operation.account, operationId: operation.operationId, traceparent: nil)
                    break
                } catch where error.reason == "illegal_transition" {
                    break  // another replica finished it meanwhile
                } catch {
                    try? await Task.sleep(for: KillSwitch.resumeRetry)
                }
            }
        }
    }

    /// Lifts the kill switch's halt (journaled: every replica and every restart sees it).
    /// Resuming an account that is not halted is journaled too and changes nothing.
    func resume(_ message: Message) async throws(ServiceError) -> ResumeReply {
        let ref = try message.decode(accountScoped: AccountRef.self)
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

    /// Lists and cancels, round after round (orders placed meanwhile are caught by the next
    /// listing), until the venue lists nothing open, or every order it lists has refused
    /// `KillSwitch.attemptsPerOrder` cancels, or `KillSwitch.maxRounds` rounds were swept. Throws `UNAVAILABLE` /
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
    /// Rounds (listing, then cancels) swept at most in one run: every order gets at most
    /// `attemptsPerOrder`, so this bound only stops a venue that keeps listing new orders.
    static let maxRounds = 1_000

    /// The operation-log kind of a kill switch.
    static let kind = "cancel_all"
    /// The pause before a left kill switch is tried again at start (writer or venue not answering).
    static let resumeRetry: Duration = .seconds(1)

    /// The operation id of the kill switch asked by request `requestId` (a resend is the same operation).
    static func operationId(requestId: String) -> String { "kill:\(requestId)" }

    /// The fact that halts `account` for new orders.
    static func haltFact(account: String, operationId: String) -> Fact {
        Fact(
            id: "halt:\(operationId)", account: account,
            payload: .tradingHalt(TradingHalt(halted: true, reason: "kill_switch", operationId: operationId)))
    }

    /// An entry of the kill switch's operation log.
    static func entry(account: String, operationId: String, _ state: OperationState, detail: String? = nil, error: String? = nil) -> Fact {
        let entry = OperationRecorded(operationId: operationId, kind: kind, state: state, detail: detail, error: error)
        return Fact(id: entry.factId, account: account, payload: .operationRecorded(entry))
    }

    /// The last entry of a sweep: `completed` when the venue lists nothing open, else `failed`;
    /// the counts go in its detail.
    static func finalEntry(_ reply: CancelAllReply) -> Fact {
        let counts = #"{"canceled":\#(reply.canceled),"failed":\#(reply.failed),"still_open":\#(reply.stillOpen)}"#
        return entry(
            account: reply.account, operationId: reply.operationId, reply.isComplete ? .completed : .failed, detail: counts,
            error: reply.isComplete ? nil : "still_open")
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
