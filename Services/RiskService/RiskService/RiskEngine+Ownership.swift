import BusProtocol
import TradingModel

/// The lease an account is served under: its bus partition and the epoch the writer fences by.
public struct Fence: Sendable, Equatable, Hashable {
    /// The bus partition of the account.
    public var partition: Int
    /// The lease's epoch (grows on every change of owner).
    public var epoch: Int64

    /// Creates a fence.
    public init(partition: Int, epoch: Int64) {
        self.partition = partition
        self.epoch = epoch
    }
}

/// Whether a queued transition may be appended (`RiskEngine.appendability`).
public enum Appendability: Sendable, Equatable {
    /// Pending here, on the journal's predecessor: append it.
    case ready
    /// Pending here, but the journal's predecessor is not folded yet: catch up first.
    case behind
    /// No longer pending (the journal's transition of its number won, or it was rolled back): drop it.
    case superseded
}

/// How the journal answered a transition's append.
public enum TransitionOutcome: Sendable, Equatable {
    /// Committed as decided here.
    case committed
    /// The journal already holds a fact with this id: this replica's earlier attempt, or
    /// another replica's transition of the same number (the journal's wins when it is folded).
    case duplicate
    /// Refused (e.g. `STALE_EPOCH`: the partition has a new owner).
    case refused(ServiceError)
    /// The writer could not be reached after every attempt.
    case unjournaled
}

extension RiskEngine {
    /// Whether this replica decides the transitions of `scope`: the global breaker always
    /// (every replica folds and obeys one journaled state); an account only while this
    /// replica serves its partition.
    func decides(_ scope: String) -> Bool {
        scope == BreakerTransition.globalScope || !partitioned || leases[scope] != nil
    }

    /// The scope of a manual trip or reset (nil account: the global breaker); an account
    /// this replica does not serve is refused (UNAVAILABLE / `not_partition_owner`).
    func decidedScope(_ account: String?) throws(ServiceError) -> String {
        guard let account else { return BreakerTransition.globalScope }
        try requireAccount(account)
        guard decides(account) else {
            throw ServiceError(.unavailable, reason: "not_partition_owner",
                "this risk replica does not serve the partition of '\(account)': send the request keyed by the account")
        }
        return account
    }

    /// A request for `account` arrived under `fence` (its take-over done): from now on this
    /// replica decides the account's transitions. Returns the trip of an account the replay
    /// left divergent, now that someone decides it.
    public func hold(account: String, fence: Fence) -> [Fact] {
        guard fold.ledger.accounts[account] != nil else { return [] }
        let known = leases[account]
        if let known, known.epoch >= fence.epoch { return [] }
        leases[account] = fence
        guard known == nil, isLive, let divergence = fold.ledger.accounts[account]?.divergence else { return [] }
        return tripDivergent(account, divergence)
    }

    /// The fence a transition of `account` is journaled under (nil: the global scope, or an engine alone).
    public func fence(for account: String) -> Fence? { leases[account] }

    /// Whether a breaker or governor transition is still one decided here and waiting for
    /// the journal (a rolled-back or replaced one is not appended any more).
    public func isPending(_ fact: Fact) -> Bool {
        appendability(fact) != .superseded
    }

    /// Whether the journal's transition of this fact's number, as folded here, is this very
    /// one (other facts: true).
    public func isJournaled(_ fact: Fact) -> Bool {
        switch fact.payload {
        case .breakerTransition(let t): return fold.breakers[fact.account]?.log.journaled == t
        case .governorTransition(let t): return fold.governors[fact.account]?.log.journaled == t
        default: return true
        }
    }

    /// Whether a queued fact may be appended now. A transition numbered n is appended only
    /// on the journal's n − 1 as this replica folded it, so the journal's transitions of a
    /// scope stay one chain (each `from` the previous `to`): `behind` while that one is not
    /// folded yet (catch up first), `superseded` once it is no longer pending here.
    public func appendability(_ fact: Fact) -> Appendability {
        func check<T>(_ log: TransitionLog<T>?, _ transition: T, number: Int64, journaled: (T) -> Int64) -> Appendability {
            guard let log, log.isPending(transition) else { return .superseded }
            return (log.journaled.map(journaled) ?? 0) >= number - 1 ? .ready : .behind
        }
        switch fact.payload {
        case .breakerTransition(let t): return check(fold.breakers[fact.account]?.log, t, number: t.number) { $0.number }
        case .governorTransition(let t): return check(fold.governors[fact.account]?.log, t, number: t.number) { $0.number }
        default: return .ready
        }
    }

    /// The journal's answer to a transition: a refused or lost one is rolled back to the
    /// journal's state; `STALE_EPOCH` also ends this replica's lease of the account (until
    /// the bus routes it here again under a newer epoch).
    public func settle(_ fact: Fact, _ outcome: TransitionOutcome) {
        switch outcome {
        case .committed, .duplicate:
            return
        case .refused(let error):
            if error.code == .staleEpoch, let fence = leases[fact.account] {
                for (account, held) in leases where held.partition == fence.partition && held.epoch <= fence.epoch { leases[account] = nil }
            }
        case .unjournaled:
            break
        }
        switch fact.payload {
        case .breakerTransition: _ = fold.withBreaker(fact.account) { $0.rollBack() }
        case .governorTransition: _ = fold.withGovernor(fact.account) { $0.rollBack() }
        default: return
        }
        report([fact])
    }

    /// Σ |exposure| × mark over the account's symbols quoted in the valuation asset (symbols without a mark count 0).
    func grossExposure(_ account: String) -> ExactDecimal {
        exposures(account).reduce(ExactDecimal.zero) { sum, entry in
            guard !entry.value.isZero, let mid = marks.mid(entry.key) else { return sum }
            return sum + entry.value.abs.multiplied(by: mid, rounding: .up)
        }
    }
}
