import BusProtocol
import Foundation
import Testing
import TradingModel
import VenueKit
@testable import VenueSim

/// Fault injection and the saved book (issue 6).
@Suite("faulty venue and its saved book")
struct FaultAndRestartTests {
    private func faults(drop: String = "0", duplicate: String = "0") -> VenueFaults {
        var faults = VenueFaults()
        faults.dropFills = dec(drop)
        faults.duplicate = dec(duplicate)
        return faults
    }

    @Test("equal seeds give equal fault decisions; the drop rate is honoured", arguments: [UInt64(1), 42, 9_999])
    func faultsAreSeeded(seed: UInt64) {
        var first = FaultInjector(seed: seed)
        var second = FaultInjector(seed: seed)
        first.set(faults(drop: "0.2", duplicate: "0.1"), now: 0)
        second.set(faults(drop: "0.2", duplicate: "0.1"), now: 0)
        let a = (0..<10_000).map { _ in first.streamCopies(.fill, now: 1).count }
        let b = (0..<10_000).map { _ in second.streamCopies(.fill, now: 1).count }
        #expect(a == b)
        let dropped = a.filter { $0 == 0 }.count
        #expect((1_700...2_300).contains(dropped), "seed \(seed): \(dropped) of 10000 dropped")
        #expect(a.contains(2))
    }

    @Test("ticks are never dropped by the fill rate; a disconnect silences everything until it ends")
    func disconnectSilencesTheStream() {
        var injector = FaultInjector(seed: 7)
        injector.set(faults(drop: "1"), now: 0)
        #expect(injector.streamCopies(.tick, now: 1) == [.zero])
        #expect(injector.streamCopies(.fill, now: 1).isEmpty)
        var disconnect = VenueFaults()
        disconnect.disconnectSeconds = 2
        injector.set(disconnect, now: 1_000)
        #expect(injector.streamCopies(.tick, now: 1_000 + 1_999_999_999).isEmpty)
        #expect(injector.streamCopies(.fill, now: 1_000 + 2_000_000_000) == [.zero])
    }

    @Test("the Binance front's timed refusals: a 429 or a 418 ban from when it is set, seconds left rounded up, a ban outranks a 429, 0 lifts it")
    func binanceRefusals() {
        var injector = FaultInjector(seed: 5)
        #expect(injector.binanceRefusal(now: 1) == nil)
        var limited = VenueFaults()
        limited.binanceRateLimitSeconds = 10
        injector.set(limited, now: 1_000)
        #expect(injector.binanceRefusal(now: 1_000)! == (false, 10))
        #expect(injector.binanceRefusal(now: 1_000 + 9_500_000_000)! == (false, 1))
        #expect(injector.binanceRefusal(now: 1_000 + 10_000_000_000) == nil)
        #expect(injector.faults.binanceRateLimitSeconds == nil, "a timed fault is not kept in the faults in force")
        var ban = VenueFaults()
        ban.binanceRateLimitSeconds = 60
        ban.binanceBanSeconds = 30
        injector.set(ban, now: 0)
        #expect(injector.binanceRefusal(now: 0)! == (true, 30))
        #expect(injector.binanceRefusal(now: 40_000_000_000)! == (false, 20))
        ban = VenueFaults()
        ban.binanceBanSeconds = 0
        ban.binanceRateLimitSeconds = 0
        injector.set(ban, now: 41_000_000_000)
        #expect(injector.binanceRefusal(now: 41_000_000_000) == nil)
        // Setting other faults leaves a running ban alone.
        injector.set(VenueFaults(), now: 42_000_000_000)
        ban.binanceBanSeconds = 5
        injector.set(ban, now: 50_000_000_000)
        injector.set(faults(drop: "0.5"), now: 51_000_000_000)
        #expect(injector.binanceRefusal(now: 52_000_000_000)! == (true, 3))
        var negative = VenueFaults()
        negative.binanceBanSeconds = -1
        expectServiceError(.invalidRequest, reason: "bad_fault_duration") { () throws(ServiceError) in _ = try negative.validated() }
    }

    @Test("the after-execution faults lose a Binance order's reply at their rates: -1007 first, then 503; a rate above 1 is INVALID_REQUEST")
    func binanceLostReplies() {
        var injector = FaultInjector(seed: 9)
        #expect(injector.binanceLostReply() == nil)
        var both = VenueFaults()
        both.binanceTimeoutAfterExecution = dec("1")
        both.binanceServerErrorAfterExecution = dec("1")
        injector.set(both, now: 0)
        #expect(injector.binanceLostReply() == .timeout)
        var serverErrors = VenueFaults()
        serverErrors.binanceServerErrorAfterExecution = dec("1")
        injector.set(serverErrors, now: 0)
        #expect(injector.binanceLostReply() == .serverError)
        var half = VenueFaults()
        half.binanceTimeoutAfterExecution = dec("0.5")
        injector.set(half, now: 0)
        let lost = (0..<1_000).filter { _ in injector.binanceLostReply() != nil }.count
        #expect((400...600).contains(lost), "\(lost) of 1000 at rate 0.5")
        var bad = VenueFaults()
        bad.binanceServerErrorAfterExecution = dec("1.5")
        expectServiceError(.invalidRequest, reason: "bad_fault_rate") { () throws(ServiceError) in _ = try bad.validated() }
    }

    @Test("ack faults apply to orders, never to instruments or fault control")
    func ackFaults() {
        var injector = FaultInjector(seed: 3)
        var slow = VenueFaults()
        slow.ackDelayMillis = 300
        slow.ackTimeout = dec("1")
        injector.set(slow, now: 0)
        #expect(injector.ack(for: "venue.place") == .init(delay: .milliseconds(300), swallow: true))
        #expect(injector.ack(for: "venue.order") == .init(delay: .milliseconds(300), swallow: false))
        #expect(injector.ack(for: "venue.faults") == .init(delay: .zero, swallow: false))
        #expect(injector.ack(for: "venue.instruments") == .init(delay: .zero, swallow: false))
    }

    @Test("a rate outside [0, 1] or a negative delay is INVALID_REQUEST")
    func badFaultsAreRefused() {
        var faults = VenueFaults()
        faults.reject = dec("1.5")
        expectServiceError(.invalidRequest, reason: "bad_fault_rate") { () throws(ServiceError) in _ = try faults.validated() }
        faults.reject = .zero
        faults.ackDelayMillis = -1
        expectServiceError(.invalidRequest, reason: "bad_fault_duration") { () throws(ServiceError) in _ = try faults.validated() }
        faults.ackDelayMillis = 0
        faults.marketTrendBps = -1001
        expectServiceError(.invalidRequest, reason: "bad_market_trend") { () throws(ServiceError) in _ = try faults.validated() }
        faults.marketTrendBps = -1000
        #expect(throws: Never.self) { try faults.validated() }
        faults.binanceClockSkewMillis = -VenueFaults.maxClockSkewMillis - 1
        expectServiceError(.invalidRequest, reason: "bad_clock_skew") { () throws(ServiceError) in _ = try faults.validated() }
        faults.binanceClockSkewMillis = -VenueFaults.maxClockSkewMillis
        #expect(throws: Never.self) { try faults.validated() }
    }

    @Test("a fault-rejected order is recorded rejected, and a resend returns it")
    func injectedRejection() throws {
        var exchange = Fixtures.exchange()
        let order = try exchange.reject(Fixtures.place("r-1", qty: "0.001"), reason: "venue_fault", now: Fixtures.t0)
        #expect(order.status == .rejected && order.reason == "venue_fault")
        #expect(try exchange.place(Fixtures.place("r-1", qty: "0.001"), now: Fixtures.t0) == order)
        #expect(exchange.balances(account: Fixtures.rich) == Fixtures.richStart)
    }

    @Test("the saved book comes back whole: orders, fills, balances and counters; new ids continue")
    func savedBookRoundTrip() throws {
        let path = NSTemporaryDirectory() + "venue-book-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var exchange = Fixtures.exchange()
        let filled = try exchange.place(Fixtures.place("s-1", qty: "0.001"), now: Fixtures.t0)
        _ = try exchange.place(Fixtures.place("s-2", type: .limit, qty: "0.001", price: "40000", tif: .gtc), now: Fixtures.t0)
        try VenueStateFile(path: path).save(SavedBook(exchange: exchange, lastEventSeq: 0))
        var restored = try #require(try VenueStateFile(path: path).load()).exchange
        #expect(restored.order(account: Fixtures.rich, clientOrderId: "s-1") == filled)
        #expect(restored.openOrders(account: Fixtures.rich) == exchange.openOrders(account: Fixtures.rich))
        #expect(restored.balances(account: Fixtures.rich) == exchange.balances(account: Fixtures.rich))
        let next = try restored.place(Fixtures.place("s-3", qty: "0.001"), now: Fixtures.t0 + 1)
        #expect(next.fills.first?.tradeSeq == (filled.fills.first?.tradeSeq ?? 0) + 1)
        #expect(FileManager.default.fileExists(atPath: path + ".tmp") == false)
    }

    @Test("the log replays onto the snapshot exactly (market steps and a trend included); a torn last line is ignored")
    func logReplaysExactly() throws {
        let path = NSTemporaryDirectory() + "venue-book-\(UUID().uuidString).json"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".log")
        }
        let file = VenueStateFile(path: path)
        var live = Fixtures.exchange()
        try file.save(SavedBook(exchange: live, lastEventSeq: 0))
        var events: [BookEvent] = []
        let resting = Fixtures.place("l-1", type: .limit, qty: "0.001", price: "49999.99", tif: .gtc)
        events.append(BookEvent(seq: 1, kind: .place, now: Fixtures.t0, place: resting))
        _ = try live.place(resting, now: Fixtures.t0)
        for step in 0..<200 {
            let trend: Int? = (50..<100).contains(step) ? -20 : nil  // a slide the resting buy fills in
            events.append(BookEvent(seq: Int64(step) + 2, kind: .step, now: Fixtures.t0 + Int64(step), trendBps: trend))
            _ = live.advanceMarket(now: Fixtures.t0 + Int64(step), trendBps: trend ?? 0)
        }
        try file.append(events)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".log"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"seq\":9999,\"ki".utf8))
        try handle.close()
        let restored = try #require(try file.load())
        #expect(restored.lastEventSeq == 201)
        #expect(restored.exchange.order(account: Fixtures.rich, clientOrderId: "l-1") == live.order(account: Fixtures.rich, clientOrderId: "l-1"))
        #expect(restored.exchange.quote(symbol: "BTC/USDT") == live.quote(symbol: "BTC/USDT"))
        #expect(restored.exchange.fills(account: Fixtures.rich, afterTradeSeq: nil) == live.fills(account: Fixtures.rich, afterTradeSeq: nil))
        // Loading compacted the log into the snapshot.
        #expect(FileManager.default.contents(atPath: path + ".log")?.isEmpty == true)
    }

    @Test("a corrupt saved book stops the venue instead of starting empty")
    func corruptBookIsRefused() throws {
        let path = NSTemporaryDirectory() + "venue-book-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { _ = try VenueStateFile(path: path).load() }
    }

    @Test("without a saved book, ids start past any earlier run's; fills since a time")
    func countersAndFillsSince() throws {
        var exchange = Fixtures.exchange()
        exchange.startCounters(atLeast: 1_000_000)
        let order = try exchange.place(Fixtures.place("c-1", qty: "0.001"), now: Fixtures.t0 + 5)
        #expect(order.fills.first?.tradeSeq == 1_000_001)
        #expect(exchange.fills(account: Fixtures.rich, sinceTs: Fixtures.t0 + 5, limit: 10).count == 1)
        #expect(exchange.fills(account: Fixtures.rich, sinceTs: Fixtures.t0 + 6, limit: 10).isEmpty)
    }
}
