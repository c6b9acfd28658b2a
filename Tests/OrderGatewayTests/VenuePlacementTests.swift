import BusProtocol
import Synchronization
import Testing
import TradingModel
import VenueKit
@testable import OrderGateway

/// G10 in one component: classification, ask-before-resend, backoff with jitter.
@Suite("venue placement: retries, ask before resend, classification")
struct VenuePlacementTests {
    private func placement(_ venue: FakeVenue, attempts: Int = 4, pauses: Recorder<Duration>, reports: Recorder<VenueOutcome>) -> VenuePlacement {
        VenuePlacement(
            venue: venue,
            retry: RetryPolicy(attempts: attempts, baseDelay: .milliseconds(100), maxDelay: .milliseconds(1000), jitter: { $0 }),
            pause: { pauses.append($0) }, report: { reports.append($0) })
    }

    @Test("an unreachable venue is sent nothing: before the first attempt the order is rejected (venue_disconnected), after one it stays unknown")
    func unreachableVenueIsSentNothing() async {
        let pauses = Recorder<Duration>(), reports = Recorder<VenueOutcome>()
        let silent = FakeVenue(script: [.accept])
        var offline = placement(silent, pauses: pauses, reports: reports)
        offline.isVenueLive = { false }
        let refused = await offline.place(samplePlace)
        #expect(refused == .rejected(VenuePlacement.disconnected))
        #expect(silent.placeCalls == 0 && reports.all.isEmpty)

        // Live for the first attempt (lost), then silent: no resend is queued.
        let lost = FakeVenue(script: [.lose, .accept])
        let live = Mutex(true)
        var dropping = placement(lost, pauses: pauses, reports: reports)
        dropping.isVenueLive = { live.withLock { alive in let was = alive; alive = false; return was } }
        guard case .unknown = await dropping.place(samplePlace) else { Issue.record("expected unknown"); return }
        #expect(lost.placeCalls == 1)
    }

    @Test("a transient error is retried under the same id and then succeeds")
    func transientThenSuccess() async {
        let venue = FakeVenue(script: [.lose, .lose, .accept])
        let pauses = Recorder<Duration>(), reports = Recorder<VenueOutcome>()
        let outcome = await placement(venue, pauses: pauses, reports: reports).place(samplePlace)
        guard case .placed(let order) = outcome else { Issue.record("expected placed, got \(outcome)"); return }
        #expect(order.clientOrderId == "coid-1")
        #expect(venue.placeCalls == 3)
        #expect(venue.ordersAtVenue == 1)
        // Exponential backoff (jitter pinned to its bound): 100 ms, then 200 ms.
        #expect(pauses.all == [.milliseconds(100), .milliseconds(200)])
        #expect(reports.all.map(\.result) == [.transient, .transient, .ok])
    }

    @Test("after a lost answer the venue is asked first, and the order is not sent again")
    func askBeforeResend() async {
        let venue = FakeVenue(script: [.acceptButLoseAnswer])
        let pauses = Recorder<Duration>(), reports = Recorder<VenueOutcome>()
        let outcome = await placement(venue, pauses: pauses, reports: reports).place(samplePlace)
        guard case .placed = outcome else { Issue.record("expected placed, got \(outcome)"); return }
        #expect(venue.placeCalls == 1)
        #expect(pauses.all.isEmpty)
    }

    @Test("a permanent error rejects at once, with no retry")
    func permanentRejectsAtOnce() async {
        let refusal = ServiceError(.insufficientBalance, reason: "insufficient_balance", "no money")
        let venue = FakeVenue(script: [.refuse(refusal)])
        let pauses = Recorder<Duration>(), reports = Recorder<VenueOutcome>()
        let outcome = await placement(venue, pauses: pauses, reports: reports).place(samplePlace)
        #expect(outcome == .rejected(refusal))
        #expect(venue.placeCalls == 1)
        #expect(reports.all == [VenueOutcome(account: "acct-1", clientOrderId: "coid-1", result: .permanent, code: "INSUFFICIENT_BALANCE", reason: "insufficient_balance")])
    }

    @Test("a fatal error rejects at once and is reported as fatal")
    func fatalRejects() async {
        let venue = FakeVenue(script: [.refuse(ServiceError(.internal, reason: "bad_credentials", "no"))])
        let pauses = Recorder<Duration>(), reports = Recorder<VenueOutcome>()
        let outcome = await placement(venue, pauses: pauses, reports: reports).place(samplePlace)
        guard case .rejected = outcome else { Issue.record("expected rejected, got \(outcome)"); return }
        #expect(reports.all.map(\.result) == [.fatal])
    }

    @Test("an error that reads like a refusal is believed only if the venue does not have the order")
    func refusalIsCheckedWithTheVenue() async {
        let unreadable = ServiceError(.invalidRequest, reason: "malformed_body", "reply not readable")
        let venue = FakeVenue(script: [.acceptButFail(unreadable)])
        let outcome = await placement(venue, pauses: Recorder(), reports: Recorder()).place(samplePlace)
        guard case .placed(let order) = outcome else { Issue.record("expected placed, got \(outcome)"); return }
        #expect(order.clientOrderId == "coid-1" && venue.placeCalls == 1)
    }

    @Test("a fatal error with a venue that cannot be asked leaves the order unknown, its funds held")
    func fatalUnaskableIsUnknown() async {
        let venue = FakeVenue(script: [.refuse(ServiceError(.internal, reason: "malformed_error_reply", "?"))], queryFails: true)
        let outcome = await placement(venue, pauses: Recorder(), reports: Recorder()).place(samplePlace)
        guard case .unknown = outcome else { Issue.record("expected unknown, got \(outcome)"); return }
    }

    @Test("a venue that never answers leaves the order unknown, never failed")
    func exhaustedIsUnknown() async {
        let venue = FakeVenue(script: [.lose, .lose, .lose], queryFails: true)
        let pauses = Recorder<Duration>(), reports = Recorder<VenueOutcome>()
        let outcome = await placement(venue, attempts: 3, pauses: pauses, reports: reports).place(samplePlace)
        guard case .unknown(let error) = outcome else { Issue.record("expected unknown, got \(outcome)"); return }
        #expect(error.code == .timeout)
        #expect(venue.placeCalls == 3)
    }

    @Test("backoff doubles up to the cap, and jitter stays inside it", arguments: [1, 2, 3, 4, 5, 40])
    func backoffBounds(retry: Int) {
        let bounds = Recorder<Int64>()
        let policy = RetryPolicy(attempts: 5, baseDelay: .milliseconds(100), maxDelay: .milliseconds(1000)) { bound in
            bounds.append(bound)
            return bound / 2
        }
        let delay = policy.delay(beforeRetry: retry)
        let expectedBound: Int64 = min(1000, 100 << Int64(min(retry - 1, 20)))
        #expect(bounds.all == [expectedBound])
        #expect(delay == .milliseconds(expectedBound / 2))
    }
}
