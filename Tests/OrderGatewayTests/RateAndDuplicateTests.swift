import BusKit
import BusProtocol
import Testing
import TradingModel
@testable import OrderGateway

@Suite("rate limits and the double-submission guard")
struct RateAndDuplicateTests {
    private let second: Int64 = 1_000_000_000

    @Test("a bucket admits its burst, then refuses with the time until the next token")
    func bucketBurstThenWait() {
        var bucket = TokenBucket(ratePerSecond: 4, burst: 3, now: 0)
        #expect((0..<3).map { _ in bucket.take(now: 0) } == [.taken, .taken, .taken])
        #expect(bucket.take(now: 0) == .wait(milliseconds: 250))
        #expect(bucket.take(now: 100_000_000) == .wait(milliseconds: 150))
        #expect(bucket.take(now: 250_000_000) == .taken)
        // A long idle refills to the burst, never beyond.
        #expect((0..<4).map { _ in bucket.take(now: 3600 * second) } == [.taken, .taken, .taken, .wait(milliseconds: 250)])
    }

    @Test("RATE_LIMITED per account carries retry_after_ms; other accounts are unaffected")
    func accountLimit() throws {
        let limits = RateLimits(.init(accountPerSecond: 1, accountBurst: 2, venuePerSecond: 100, venueBurst: 100))
        try limits.admit(account: "a", now: 0)
        try limits.admit(account: "a", now: 0)
        do {
            try limits.admit(account: "a", now: 0)
            Issue.record("the third submit must be refused")
        } catch {
            #expect(error.code == .rateLimited)
            #expect(error.reason == "account_rate_limit")
            #expect(error.retryAfterMs == 1000)
        }
        try limits.admit(account: "b", now: 0)
    }

    @Test("the venue bucket limits all accounts together and gives back the account's token")
    func venueLimit() throws {
        let limits = RateLimits(.init(accountPerSecond: 1, accountBurst: 1, venuePerSecond: 1, venueBurst: 1))
        try limits.admit(account: "a", now: 0)
        #expect(throws: ServiceError.self) { try limits.admit(account: "b", now: 0) }
        // b's account token was given back: after the venue refills, b passes at once.
        try limits.admit(account: "b", now: second)
    }

    private func order(qty: String = "0.01") -> OrderSubmit {
        OrderSubmit(account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .limit, qty: ExactDecimal(qty)!, price: ExactDecimal("50000")!)
    }

    @Test("an identical order under another id inside 5 s is DUPLICATE; after the window it passes")
    func duplicateWindow() throws {
        let guardian = DuplicateGuard(windowNanos: 5 * second)
        try guardian.check(order(), clientOrderId: "gw-1", now: 0)
        guardian.record(order(), clientOrderId: "gw-1", now: 0)
        do {
            try guardian.check(order(), clientOrderId: "gw-2", now: 4 * second)
            Issue.record("a second identical order inside the window must be refused")
        } catch {
            #expect(error.code == .duplicate)
        }
        // The same request again (same minted id) is not a duplicate: it is answered idempotently.
        try guardian.check(order(), clientOrderId: "gw-1", now: 4 * second)
        // Another quantity is another order.
        try guardian.check(order(qty: "0.02"), clientOrderId: "gw-3", now: 4 * second)
        try guardian.check(order(), clientOrderId: "gw-4", now: 5 * second)
    }

    @Test("minted ids are deterministic, valid, and distinct per request", arguments: [
        "0191f3a2-7c4e-7b1a-9d2e-123456789abc",
        String(repeating: "x", count: 100),
        "id with spaces/and*stars",
    ])
    func mintedIds(requestId: String) {
        let id = DuplicateGuard.mintedId(requestId: requestId)
        #expect(id == DuplicateGuard.mintedId(requestId: requestId))
        #expect(OrderValidator.isValidClientOrderId(id))
        #expect(id != DuplicateGuard.mintedId(requestId: requestId + "1"))
    }
}

@Suite("venue outcome reports")
struct OutcomeReportsTests {
    @Test("the report queue is bounded: overflow drops the oldest and counts them, never blocks")
    func boundedQueue() {
        let reports = OutcomeReports()
        for i in 0..<(OutcomeReports.limit + 5) {
            reports.enqueue(VenueOutcome(account: "acct-1", clientOrderId: "o-\(i)", result: .ok, code: nil))
        }
        #expect(reports.dropped == 5)
        #expect(reports.takeBatches().first?.first?.clientOrderId == "o-5", "the oldest are dropped first")
    }

    @Test("queued outcomes go out batched per account, in order, cut at the batch limit")
    func batches() {
        let reports = OutcomeReports()
        for index in 0..<(VenueOutcomeBatch.limit + 2) {
            reports.enqueue(VenueOutcome(account: "a", clientOrderId: "a-\(index)", result: .ok, code: nil))
            if index < 2 { reports.enqueue(VenueOutcome(account: "b", clientOrderId: "b-\(index)", result: .transient, code: "TIMEOUT")) }
        }
        let batches = reports.takeBatches()
        #expect(batches.map(\.count) == [VenueOutcomeBatch.limit, 2, 2])
        #expect(batches[0].first?.clientOrderId == "a-0")
        #expect(batches[1].map(\.clientOrderId) == ["a-\(VenueOutcomeBatch.limit)", "a-\(VenueOutcomeBatch.limit + 1)"])
        #expect(batches[2].map(\.clientOrderId) == ["b-0", "b-1"])
        #expect(reports.takeBatches().isEmpty)
    }
}
