import BusKit
import ServiceRuntime
import Synchronization
import TradingModel

/// The venue facts the gateway's order path journals itself, so the venue-stream follower
/// does not append them a second time (the writer would only answer `duplicate`: a bus
/// round trip and a commit slot per order spent on nothing).
///
/// The stream can beat the order path: the venue sends its reply and its stream messages
/// together. So from just before `venue.place` until its outcome is journaled, stream facts
/// of that order are *parked* here, not journaled; when the order path finishes, whatever
/// it did not commit itself (it failed, or the stream knew more) comes back and the
/// follower journals it. The follower therefore still journals every fact the order path
/// did not commit — a fill that comes later, a cancel, anything while the gateway was busy.
///
/// Every map is bounded: ids remembered for `committedWindow` (at most `committedLimit`,
/// the oldest forgotten first) and facts parked per order (`parkedLimit`). Past either a
/// fact is simply journaled again, which the writer deduplicates by fact id: waste, never loss.
final class OwnFacts: Sendable {
    /// How long a fact id of the order path is remembered: the venue's stream copies of an
    /// order's facts come within moments of its reply (a delayed copy later is deduplicated).
    static let committedWindow: Duration = .seconds(60)
    /// Fact ids of the order path remembered at most (a burst inside the window).
    static let committedLimit = 65_536
    /// Stream facts parked per order at most (more are journaled at once).
    static let parkedLimit = 256

    private struct State {
        var placing: [String: [Fact]] = [:]
        var committed = RecentMemory<String, Void>(window: OwnFacts.committedWindow.wholeNanoseconds, limit: OwnFacts.committedLimit)
    }

    private let clock = MonotonicNanos()
    private let state = Mutex(State())
    private let continuation: AsyncStream<[Fact]>.Continuation
    /// Parked facts the order path handed back (see `finish`), for the follower to journal.
    let handedBack: AsyncStream<[Fact]>

    init() {
        (handedBack, continuation) = AsyncStream.makeStream(of: [Fact].self, bufferingPolicy: .bufferingNewest(OwnFacts.committedLimit))
    }

    /// Ends `handedBack` (shutdown).
    func finishHandingBack() { continuation.finish() }

    /// The key of one order.
    static func key(account: String, clientOrderId: String) -> String { account + "|" + clientOrderId }

    /// The order is about to be placed: park its stream facts until `finish`.
    func begin(account: String, clientOrderId: String) {
        state.withLock { $0.placing[Self.key(account: account, clientOrderId: clientOrderId), default: []] = [] }
    }

    /// The order path is done with the order (whatever happened): stops parking and hands
    /// the parked facts it did not commit itself to `handedBack`; returns them.
    @discardableResult
    func finish(account: String, clientOrderId: String) -> [Fact] {
        let left = state.withLock { state in
            let parked = state.placing.removeValue(forKey: Self.key(account: account, clientOrderId: clientOrderId)) ?? []
            return parked.filter { state.committed[$0.id] == nil }
        }
        if !left.isEmpty { continuation.yield(left) }
        return left
    }

    /// Remembers facts the gateway committed (an append acknowledged `committed` or `duplicate`).
    func remember(_ facts: [Fact]) {
        let now = clock.now()
        state.withLock { state in
            for fact in facts { state.committed.record(fact.id, (), at: now) }
        }
    }

    /// The stream's facts about one order that the follower must journal now: none of
    /// those the gateway committed itself, and none while the order is being placed
    /// (parked, see `finish`).
    func screen(_ facts: [Fact], account: String, clientOrderId: String) -> [Fact] {
        state.withLock { state in
            let fresh = facts.filter { state.committed[$0.id] == nil }
            let key = Self.key(account: account, clientOrderId: clientOrderId)
            guard !fresh.isEmpty, var parked = state.placing[key], parked.count + fresh.count <= Self.parkedLimit else { return fresh }
            parked += fresh
            state.placing[key] = parked
            return []
        }
    }
}
