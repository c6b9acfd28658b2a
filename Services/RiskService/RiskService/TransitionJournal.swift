import BusKit
import BusProtocol
import Logging
import ServiceRuntime
import TradingModel

/// Journals breaker and governor transitions (and equity marks) in the order they happened,
/// publishes each transition as an alert once committed (R7), and on HARD_STOP pulls the
/// gateway's kill switch for the account (`order.cancel_all`: the account is halted for new
/// orders until an operator resumes it, and every open order is canceled at the venue).
///
/// The transition is already in effect in the engine; a failed append is retried
/// (same fact id: the writer keeps one) until it commits or the service stops. An
/// account's facts are fenced by the lease this replica serves the account under; a
/// refused or lost transition is rolled back in the engine (`RiskEngine.settle`), and one
/// the engine no longer holds as pending (the journal's of the same number won) is not
/// appended at all. After a `duplicate` the journal is caught up with before anything else is
/// appended, so a transition built on one that lost is dropped, never journaled after the
/// winner (the journal's sequence of a scope stays a chain: each `from` the previous `to`).
/// Manual trips and resets go through the same queue (`land`), behind the transitions
/// decided before them, and wait for their outcome. The
/// queue is unbounded by design: it holds at most one entry per state change (state
/// changes need an event each, bounded by the request and fact rates) and one
/// kill-switch retry per account per `RiskEngine.killSwitchRetryNanos`.
struct TransitionJournal: Sendable {
    /// One piece of queued work.
    enum Work: Sendable {
        /// A transition to journal and alert; `reply` is told the outcome (a manual change waits for it).
        case transition(Fact, reply: Reply?)
        /// Ask the gateway again to cancel an account's open orders (HARD_STOP still has some).
        case cancelAll(String)
    }

    /// The bus the writer and the gateway are reached on.
    let bus: BusConnection
    /// The engine the transitions were decided in (fences, pending checks, settlement).
    let engine: RiskEngine
    /// The journal, caught up with after a duplicate.
    let follower: FactFollower
    /// The service's logger.
    let logger: Logger
    /// The queued work, in order.
    let work: AsyncStream<Work>
    /// Where work is queued.
    let continuation: AsyncStream<Work>.Continuation

    /// Where a queued transition's outcome goes.
    typealias Reply = @Sendable (TransitionOutcome) -> Void

    init(bus: BusConnection, engine: RiskEngine, follower: FactFollower, logger: Logger) {
        self.bus = bus
        self.engine = engine
        self.follower = follower
        self.logger = logger
        (work, continuation) = AsyncStream.makeStream(of: Work.self, bufferingPolicy: .unbounded)
    }

    /// Queues transitions (in order).
    func submit(_ list: [Fact]) {
        for fact in list { continuation.yield(.transition(fact, reply: nil)) }
    }

    /// Queues one transition behind those already queued and waits for the journal's answer
    /// (`unjournaled` once the queue is finished: the service is stopping).
    func land(_ fact: Fact) async -> TransitionOutcome {
        await withCheckedContinuation { waiting in
            if case .terminated = continuation.yield(.transition(fact, reply: { waiting.resume(returning: $0) })) {
                waiting.resume(returning: .unjournaled)
            }
        }
    }

    /// Catches up with the journal, so that a transition of the same number that won is folded (journal-first).
    func refold() async {
        try? await follower.catchUp { submit(await engine.apply($0)) }
    }

    /// Queues kill-switch retries for accounts in HARD_STOP that still have open orders.
    func cancelAgain(_ accounts: [String]) {
        for account in accounts { continuation.yield(.cancelAll(account)) }
    }

    /// Runs until the stream is finished.
    func run() async {
        for await item in work {
            switch item {
            case .transition(let fact, let reply):
                // Not pending any more: the journal's transition of that number replaced it.
                guard await onJournalPredecessor(fact) else { reply?(.duplicate); continue }
                let outcome = await journal(fact)
                if outcome == .duplicate { await refold() }
                reply?(outcome)
                // A duplicate is alerted only when the journal's fact is this one (an earlier attempt of
                // it committed): another replica's transition of the number is alerted by that replica.
                let ours = outcome == .duplicate ? await engine.isJournaled(fact) : outcome == .committed
                guard ours else { continue }
                if case .equityMark = fact.payload { continue }  // baselines are journaled, not alerted
                if case .breakerTransition(let t) = fact.payload, t.reason == "ledger_divergence" {
                    logger.error("risk.ledger.divergence", metadata: ["account": "\(fact.account)", "breaker": "\(t.to.rawValue)"])
                }
                publishAlert(fact)
                if case .governorTransition(let t) = fact.payload, t.to == .hardStop {
                    await cancelAll(account: fact.account)
                }
            case .cancelAll(let account):
                await cancelAll(account: account)
            }
        }
    }

    /// Ends `run` once the queue is drained.
    func finish() { continuation.finish() }

    /// Waits (catching up with the journal, `maxAttempts` times at most) until the fact
    /// builds on the journal's predecessor; false when it is superseded (or the journal
    /// could not be read: then it is rolled back like a transition the writer never took).
    private func onJournalPredecessor(_ fact: Fact) async -> Bool {
        var backoff: Duration = .milliseconds(20)
        for _ in 0..<Self.maxAttempts where !Task.isCancelled {
            switch await engine.appendability(fact) {
            case .ready: return true
            case .superseded: return false
            case .behind:
                await refold()
                if await engine.appendability(fact) == .behind {
                    try? await Task.sleep(for: backoff)  // the writer is slow or away: back off, as for an append
                    backoff = min(backoff * 2, .seconds(2))
                }
            }
        }
        if await engine.appendability(fact) == .ready { return true }
        logger.error("risk.transition.unjournaled", metadata: ["fact.id": "\(fact.id)", "why": "predecessor_not_folded"])
        await engine.settle(fact, .unjournaled)
        return false
    }

    /// Appends one fact (fenced by the account's lease) and settles the outcome in the
    /// engine: a refused or lost transition is rolled back there.
    func journal(_ fact: Fact) async -> TransitionOutcome {
        let fence = await engine.fence(for: fact.account)
        let outcome: TransitionOutcome
        if fence == nil, engine.partitioned, fact.account != BreakerTransition.globalScope {
            // The lease was lost (fenced off) since the decision: the new owner decides.
            outcome = .refused(ServiceError(.staleEpoch, reason: "not_partition_owner", "no lease of '\(fact.account)' any more"))
        } else {
            outcome = await append(fact, fence: fence)
        }
        if case .refused(let error) = outcome {
            logger.error("risk.transition.rejected", metadata: ["fact.id": "\(fact.id)", "error": "\(error)"])
        }
        await engine.settle(fact, outcome)
        return outcome
    }

    /// Appends with retries; gives up (logged) only after `maxAttempts`, i.e. when the
    /// writer has been unreachable for about a minute.
    private func append(_ fact: Fact, fence: Fence?) async -> TransitionOutcome {
        var backoff: Duration = .milliseconds(50)
        for _ in 0..<Self.maxAttempts where !Task.isCancelled {
            do {
                let ack = try await bus.call(
                    service: JournalAPI.service, type: JournalAPI.append,
                    body: JournalAppend(facts: [fact], partition: fence?.partition, epoch: fence?.epoch), replyType: AppendAck.self)
                if let error = ack.error { return .refused(error) }
                return ack.status == "duplicate" ? .duplicate : .committed
            } catch where !error.retryable && error.code != .timeout {
                return .refused(error)
            } catch {
                logger.warning("risk.transition.retry", metadata: ["fact.id": "\(fact.id)", "error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
        logger.error("risk.transition.unjournaled", metadata: ["fact.id": "\(fact.id)"])
        return .unjournaled
    }

    /// Append attempts per transition (each waits up to 15 s for the writer, then backs off ≤ 2 s).
    static let maxAttempts = 5

    private func publishAlert(_ fact: Fact) {
        let kind = if case .breakerTransition = fact.payload { "breaker" } else { "governor" }
        let header = bus.makeHeader(type: "alert.risk.\(kind)", key: fact.account)
        bus.publish(topic: RiskAPI.alertTopic + kind, header: header, body: WireCodec.encode(fact))
        logger.notice("risk.alert", metadata: ["fact.id": "\(fact.id)", "fact.type": "\(fact.type)"])
    }

    private func cancelAll(account: String) async {
        for attempt in 1...3 {
            do {
                let reply = try await bus.call(
                    service: GatewayAPI.service, type: GatewayAPI.cancelAll, key: account, body: AccountRef(account: account),
                    replyType: CancelAllReply.self, timeout: .seconds(10), attempts: 1)
                logger.notice("risk.hard_stop.cancel_all", metadata: [
                    "account": "\(account)", "canceled": "\(reply.canceled)", "failed": "\(reply.failed)", "still_open": "\(reply.stillOpen)"])
                if reply.isComplete { return }
            } catch {
                logger.error("risk.hard_stop.cancel_all_failed", metadata: ["account": "\(account)", "attempt": "\(attempt)", "error": "\(error)"])
            }
        }
    }
}
