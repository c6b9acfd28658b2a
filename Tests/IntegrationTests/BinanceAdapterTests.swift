import BinanceVenue
import BusKit
import BusProtocol
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Synchronization
import Testing
import TestSupport
import TradingModel
import VenueKit

/// The Binance adapter against a real venue-sim's Binance front: the `Venue` calls, the
/// id mapping round trip, a skewed clock (-1021, measured again, resent once) and a rate
/// limit (429: no call until Retry-After).
@Suite("Binance adapter against venue-sim's Binance front", .serialized, .timeLimit(.minutes(2)))
struct BinanceAdapterTests {
    /// venue-sim alone, its Binance front on a free port; the adapter for acct-1.
    private func start(
        _ extra: [String: String] = [:], streamSilenceLimit: Duration? = nil, now: @escaping @Sendable () -> Int64 = { WallClock.nowNanos() }
    ) async throws -> (Suite, BinanceSpotVenue) {
        let suite = try Suite()
        let port = FreePorts.block(of: 1)
        suite.environment = [
            "BW_ACCOUNTS": "acct-1:USDT=100000,BTC=2,ETH=20", "BW_VENUE_BINANCE_PORT": "\(port)",
            "BW_VENUE_BINANCE_CREDENTIALS": "acct-1:adapter-key:adapter-secret",
        ].merging(extra) { $1 }
        try suite.start("venue-sim")
        var configuration = BinanceSpotVenue.Configuration(
            baseURL: "http://127.0.0.1:\(port)", credentials: BinanceCredentials(apiKey: "adapter-key", secret: "adapter-secret"), account: "acct-1")
        configuration.timeout = .seconds(5)
        if let streamSilenceLimit {
            configuration.streamURL = "ws://127.0.0.1:\(port)/ws-api/v3"
            configuration.streamSilenceLimit = streamSilenceLimit
        }
        let venue = BinanceSpotVenue(configuration: configuration, logger: Logger(label: "test"), now: now)
        let ready = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            do throws(VenueError) {
                try await venue.start()
                return true
            } catch {
                return false
            }
        }
        try #require(ready, "venue-sim's Binance front never answered")
        return (suite, venue)
    }

    private static func limitBuy(_ id: String, price: String = "40000") -> VenuePlace {
        VenuePlace(
            account: "acct-1", clientOrderId: id, symbol: "BTC/USDT", side: .buy, type: .limit, qty: ExactDecimal("0.001")!,
            price: ExactDecimal(price)!, timeInForce: .gtc)
    }

    @Test("place, query, list, cancel and trades through the Venue seam; a long id round-trips through its hash")
    func venueCalls() async throws {
        let (suite, venue) = try await start()
        defer { suite.tearDown() }
        #expect(try await venue.instruments().map(\.symbol) == ["BTC/USDT", "ETH/USDT"])
        let longId = "recon:acct-1:reopen:" + String(repeating: "7", count: 40)
        let resting = try await venue.place(Self.limitBuy(longId))
        #expect(resting.status == .new && resting.clientOrderId == longId)
        #expect(try await venue.order(account: "acct-1", clientOrderId: longId)?.venueOrderId == resting.venueOrderId)
        #expect(try await venue.openOrders(account: "acct-1").map(\.clientOrderId) == [longId])
        let canceled = try await venue.cancel(account: "acct-1", clientOrderId: longId)
        #expect(canceled.status == .canceled && canceled.clientOrderId == longId)
        // A second cancel answers the ended order, as the paper venue does.
        #expect(try await venue.cancel(account: "acct-1", clientOrderId: longId).status == .canceled)
        #expect(try await venue.order(account: "acct-1", clientOrderId: "never-placed") == nil)

        let market = VenuePlace(
            account: "acct-1", clientOrderId: "adapter-mkt-1", symbol: "BTC/USDT", side: .buy, type: .market,
            qty: ExactDecimal("0.001")!, price: nil, timeInForce: .ioc)
        let filled = try await venue.place(market)
        #expect(filled.status == .filled && filled.fills.count == 1 && filled.fills[0].feeAsset == "USDT")
        let queried = try #require(try await venue.order(account: "acct-1", clientOrderId: "adapter-mkt-1"))
        #expect(queried.fills == filled.fills.map { var fill = $0; fill.ts = queried.fills.first?.ts ?? fill.ts; return fill })
        let fills = try await venue.allFills(account: "acct-1", afterTradeSeq: nil)
        #expect(fills.map(\.tradeId) == filled.fills.map(\.tradeId) && fills.first?.clientOrderId == "adapter-mkt-1")
        let balances = try await venue.balances(account: "acct-1")
        #expect(balances.balances["BTC"] == ExactDecimal("2.001")!)
        #expect(balances.balances["USDT"] == ExactDecimal(100_000) - filled.fills[0].qty.multiplied(by: filled.fills[0].price, rounding: .halfEven) - filled.fills[0].fee)

        await #expect(throws: VenueError.self) { try await venue.place(Self.limitBuy("wrong-account-order").withAccount("acct-2")) }
        do throws(VenueError) {
            _ = try await venue.place(Self.limitBuy("dup-open"))
            _ = try await venue.place(Self.limitBuy("dup-open"))
            Issue.record("a second open order with the same id must be refused")
        } catch {
            #expect(error == .permanent(error.serviceError) && error.serviceError.code == .duplicate)
        }
    }

    @Test("a clock 10 s behind: the first signed call gets -1021, the offset is measured again and the call succeeds")
    func clockSkew() async throws {
        let skew = SkewedClock()
        let (suite, venue) = try await start(now: { skew.now() })
        defer { suite.tearDown() }
        skew.set(offset: -10_000_000_000)  // after start: the measured offset is now 10 s stale
        let placed = try await venue.place(Self.limitBuy("skewed-1"))
        #expect(placed.status == .new)
        #expect(venue.serverOffsetMillis > 9_000)
    }

    @Test("past the venue's weight limit (spent by another client on the IP, unseen by the adapter): 429 with Retry-After, then no call at all until it passes")
    func rateLimited() async throws {
        let (suite, venue) = try await start(["BW_VENUE_BINANCE_WEIGHT_PER_MIN": "60"])
        defer { suite.tearDown() }
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        // Another client spends the minute's weight: the adapter's last count (its start's) is stale.
        var spent = false
        for _ in 0..<10 where !spent {
            let (_, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v3/exchangeInfo")!)
            spent = (response as? HTTPURLResponse)?.statusCode == 429
        }
        try #require(spent, "the venue never answered 429")
        var limited: ServiceError?
        for _ in 0..<10 where limited == nil {
            do throws(VenueError) {
                _ = try await venue.order(account: "acct-1", clientOrderId: "first")  // weight 4: within the adapter's stale count
            } catch {
                limited = error.serviceError
            }
        }
        let error = try #require(limited)
        #expect(error.code == .rateLimited && error.reason == "venue_rate_limited" && (error.retryAfterMs ?? 0) > 0, "\(error)")
        let before = try await Self.usedWeight(port: port)
        // The gate answers at once, sending nothing: the venue counts only the two probes.
        do throws(VenueError) {
            _ = try await venue.order(account: "acct-1", clientOrderId: "anything")
            Issue.record("a call during the back-off must be refused")
        } catch {
            #expect(error.serviceError.code == .rateLimited)
        }
        let after = try await Self.usedWeight(port: port)
        // (Unless the venue's minute ended between the probes: then its count started again.)
        #expect(after == before + 1 || after < before)
    }
}

extension BinanceAdapterTests {
    @Test("a 418 ban from the venue (the binance_ban_seconds fault): the place is UNAVAILABLE/venue_ip_banned, nothing executed, and no call until its Retry-After even once the venue lifted it")
    func bannedByTheVenue() async throws {
        let (suite, venue) = try await start()
        defer { suite.tearDown() }
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        let control = probe.venue
        var ban = VenueFaults()
        ban.binanceBanSeconds = 30
        _ = try await control.setFaults(ban)
        do throws(VenueError) {
            _ = try await venue.place(Self.limitBuy("banned-1"))
            Issue.record("a place during a ban must be refused")
        } catch {
            guard case .transient(let refusal) = error else { Issue.record("a ban is transient, got \(error)"); return }
            #expect(refusal.code == .unavailable && refusal.reason == "venue_ip_banned" && (refusal.retryAfterMs ?? 0) > 25_000)
        }
        // The venue lifts the ban; the adapter still sends nothing until the ban's Retry-After has passed.
        ban.binanceBanSeconds = 0
        _ = try await control.setFaults(ban)
        do throws(VenueError) {
            _ = try await venue.openOrders(account: "acct-1")
            Issue.record("a call before the ban's Retry-After must be refused without being sent")
        } catch {
            #expect(error.serviceError.reason == "venue_ip_banned")
        }
        // Nothing was executed: the venue has no order of that id.
        #expect(try await control.openOrders(account: "acct-1").isEmpty)
        #expect(try await control.order(account: "acct-1", clientOrderId: "banned-1") == nil)
    }

    @Test("the exchange's clock drifts 20 s behind ours (the binance_clock_skew_ms fault): the next signed call gets -1021, the offset is measured again and the call succeeds")
    func venueClockDrifts() async throws {
        let (suite, venue) = try await start()
        defer { suite.tearDown() }
        #expect(abs(venue.serverOffsetMillis) < 2_000)
        let probe = try VenueProbe(suite)
        defer { probe.close() }
        let control = probe.venue
        var drift = VenueFaults()
        drift.binanceClockSkewMillis = -20_000
        _ = try await control.setFaults(drift)
        let placed = try await venue.place(Self.limitBuy("drifted-1"))
        #expect(placed.status == .new)
        #expect(venue.serverOffsetMillis < -18_000, "the offset was measured again: \(venue.serverOffsetMillis) ms")
    }

    private static func marketBuy(_ id: String) -> VenuePlace {
        VenuePlace(
            account: "acct-1", clientOrderId: id, symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.001")!,
            price: nil, timeInForce: .ioc)
    }

    /// The adapter's stream running, and the fills it yields so far.
    private func follow(_ venue: BinanceSpotVenue) -> (Task<Void, Never>, Task<Void, Never>, StreamedFills) {
        let fills = StreamedFills()
        let runner = Task { await venue.run() }
        let collector = Task {
            for await event in venue.stream {
                if case .fill(let fill) = event { fills.withLock { $0.append(fill) } }
            }
        }
        return (runner, collector, fills)
    }

    @Test("the user data stream carries a fill as it happens: no trade polling, the trade's own id, price and fee")
    func streamedFill() async throws {
        let (suite, venue) = try await start(streamSilenceLimit: .seconds(3))
        defer { suite.tearDown() }
        let (runner, collector, fills) = follow(venue)
        defer { runner.cancel(); collector.cancel() }
        try #require(try await eventually(timeout: .seconds(20), every: .milliseconds(20)) { venue.isStreamUp }, "the stream never subscribed")
        let placed = try await venue.place(Self.marketBuy("streamed-1"))
        try #require(try await eventually(timeout: .seconds(20), every: .milliseconds(20)) {
            fills.withLock { $0.contains { $0.clientOrderId == "streamed-1" } }
        }, "the fill never came on the stream")
        let streamed = fills.withLock { $0.filter { $0.clientOrderId == "streamed-1" } }
        #expect(streamed.map(\.tradeId) == placed.fills.map(\.tradeId))
        #expect(streamed.first.map { ($0.qty, $0.price, $0.fee, $0.feeAsset, $0.side) } ?? (.zero, .zero, .zero, "", .sell)
            == placed.fills.first.map { ($0.qty, $0.price, $0.fee, $0.feeAsset, $0.side) } ?? (.zero, .zero, .zero, "", .buy))
        #expect(venue.streamSessions == (started: 1, ended: 0))
    }

    /// The adapter's stream running against venue-sim, subscribed, with a probe for the venue's faults.
    private func subscribed(silenceLimit: Duration) async throws -> (Suite, BinanceSpotVenue, VenueProbe, StreamedFills, [Task<Void, Never>]) {
        let (suite, venue) = try await start(streamSilenceLimit: silenceLimit)
        let probe = try VenueProbe(suite)
        let (runner, collector, fills) = follow(venue)
        try #require(try await eventually(timeout: .seconds(20), every: .milliseconds(20)) { venue.isStreamUp }, "the stream never subscribed")
        return (suite, venue, probe, fills, [runner, collector])
    }

    /// Lifts the venue's faults; then `placed`'s fill must come, once, from the next session's catch-up.
    private func expectCaughtUp(_ placed: VenueOrder, venue: BinanceSpotVenue, probe: VenueProbe, fills: StreamedFills) async throws {
        _ = try await probe.venue.setFaults(VenueFaults())
        try #require(try await eventually(timeout: .seconds(20), every: .milliseconds(20)) {
            fills.withLock { $0.contains { $0.clientOrderId == placed.clientOrderId } } && venue.isStreamUp
        }, "the fill never came after the stream was back")
        #expect(fills.withLock { $0.filter { $0.clientOrderId == placed.clientOrderId }.map(\.tradeId) } == placed.fills.map(\.tradeId))
        #expect(venue.streamSessions.started >= 2)
    }

    @Test("a stream that stays connected but goes silent (binance_stream_silent) is taken for dead; the next session's catch-up brings the fill it swallowed")
    func silentStream() async throws {
        let (suite, venue, probe, fills, tasks) = try await subscribed(silenceLimit: .milliseconds(900))
        defer { for task in tasks { task.cancel() }; probe.close(); suite.tearDown() }
        var silent = VenueFaults()
        silent.binanceStreamSilent = true
        _ = try await probe.venue.setFaults(silent)
        let placed = try await venue.place(Self.marketBuy("swallowed-1"))
        try #require(try await eventually(timeout: .seconds(20), every: .milliseconds(20)) { venue.streamSessions.ended >= 1 },
                     "the silence was never noticed")
        #expect(fills.withLock { $0.allSatisfy { $0.clientOrderId != "swallowed-1" } }, "a silent stream carried the fill")
        try await expectCaughtUp(placed, venue: venue, probe: probe, fills: fills)
    }

    @Test("the venue ends the subscription (binance_stream_terminated): the adapter subscribes again, and the catch-up brings what traded meanwhile")
    func terminatedStream() async throws {
        let (suite, venue, probe, fills, tasks) = try await subscribed(silenceLimit: .seconds(3))
        defer { for task in tasks { task.cancel() }; probe.close(); suite.tearDown() }
        var terminated = VenueFaults()
        terminated.binanceStreamTerminated = true
        _ = try await probe.venue.setFaults(terminated)
        try #require(try await eventually(timeout: .seconds(20), every: .milliseconds(20)) { venue.streamSessions.ended >= 1 },
                     "the termination was never noticed")
        let placed = try await venue.place(Self.marketBuy("meanwhile-1"))
        try await expectCaughtUp(placed, venue: venue, probe: probe, fills: fills)
    }

    @Test("one weight budget: the reconciler's adapter (a 40 % share) stops itself once the gateway's calls took the venue's count past its share; the gateway's go on; the venue never answers 429")
    func sharedWeightBudget() async throws {
        let (suite, gateway) = try await start(["BW_VENUE_BINANCE_WEIGHT_PER_MIN": "400"])
        defer { suite.tearDown() }
        let port = try #require(suite.environment["BW_VENUE_BINANCE_PORT"])
        var settings = BinanceSpotVenue.Configuration(
            baseURL: "http://127.0.0.1:\(port)", credentials: BinanceCredentials(apiKey: "adapter-key", secret: "adapter-secret"), account: "acct-1")
        settings.weightSharePercent = BinanceSpotVenue.Configuration.reconcilerWeightShare
        let reconciler = BinanceSpotVenue(configuration: settings, logger: Logger(label: "reconciler"))
        try await reconciler.start()  // reads the limit (400) from exchangeInfo: its share is 160
        // The gateway spends; the reconciler's own calls are few, but every reply tells it the IP's count.
        var reserved: ServiceError?
        for _ in 0..<12 where reserved == nil {
            _ = try await gateway.balances(account: "acct-1")  // weight 20
            do throws(VenueError) {
                _ = try await reconciler.openOrders(account: "acct-1")  // weight 80: the dearest of a pass
            } catch {
                reserved = error.serviceError
            }
        }
        let refusal = try #require(reserved, "the reconciler never stopped itself")
        #expect(refusal.code == .rateLimited && refusal.reason == "venue_weight_reserved", "\(refusal)")
        #expect((1...60_000).contains(refusal.retryAfterMs ?? 0), "until the minute ends: \(refusal.retryAfterMs ?? 0) ms")
        #expect(reconciler.usedWeight + 80 > 160 && reconciler.usedWeight < 400)
        // The gateway's orders still go: its share is 90 %.
        #expect(try await gateway.place(Self.limitBuy("after-reserve")).status == .new)
        #expect(try await Self.usedWeight(port: port) < 400, "the venue's limit was never reached")
    }

    /// The request weight venue-sim's Binance front has counted this minute (one more for this probe).
    static func usedWeight(port: String) async throws -> Int {
        let (_, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v3/time")!)
        let header = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-MBX-USED-WEIGHT-1M")
        return try #require(header.flatMap { Int($0) })
    }
}

/// The fills an adapter's stream yielded so far.
private final class StreamedFills: Sendable {
    private let fills = Mutex<[VenueFill]>([])
    func withLock<T>(_ body: (inout [VenueFill]) -> T) -> T { fills.withLock { body(&$0) } }
}

/// A clock whose offset a test moves.
private final class SkewedClock: Sendable {
    private let offset = Mutex<Int64>(0)
    func set(offset value: Int64) { offset.withLock { $0 = value } }
    func now() -> Int64 { WallClock.nowNanos() + offset.withLock { $0 } }
}

extension VenuePlace {
    fileprivate func withAccount(_ account: String) -> VenuePlace {
        var copy = self
        copy.account = account
        return copy
    }
}
