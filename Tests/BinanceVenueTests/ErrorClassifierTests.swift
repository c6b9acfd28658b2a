import BinanceVenue
import BinanceWire
import BusProtocol
import Testing
import VenueKit

/// Every Binance error the adapter acts on, classified for G10.
@Suite("Binance errors classified for G10")
struct ErrorClassifierTests {
    private func venue(_ status: Int, _ code: Int?, _ msg: String = "", retryAfter: Int? = nil) -> VenueError? {
        let body = code.map { BinanceErrorBody(code: $0, msg: msg) }
        if case .venue(let error) = BinanceErrorClassifier.classify(status: status, body: body, retryAfter: retryAfter) { return error }
        return nil
    }

    @Test("the outcome is unknown (transient): HTTP 5xx, -1007, -1000, -1001", arguments: [(500, nil), (503, -1001), (400, -1007), (400, -1000), (400, -1001)] as [(Int, Int?)])
    func unknownOutcome(status: Int, code: Int?) {
        guard case .transient(let error) = venue(status, code) else { Issue.record("not transient: \(status) \(String(describing: code))"); return }
        #expect(error.reason == "venue_outcome_unknown")
    }

    @Test("refusals are permanent, with the suite's own code", arguments: [
        (-2010, BinanceErrorBody.Message.insufficientBalance, ErrorCode.insufficientBalance),
        (-2010, BinanceErrorBody.Message.duplicateOrder, .duplicate),
        (-2010, "Market is closed.", .venueRejected),
        (-2011, BinanceErrorBody.Message.unknownOrder, .notFound),
        (-2013, BinanceErrorBody.Message.noSuchOrder, .notFound),
        (-1013, "Filter failure: LOT_SIZE", .lotSize),
        (-1013, "Filter failure: PRICE_FILTER", .tickSize),
        (-1013, "Filter failure: NOTIONAL", .minNotional),
        (-1013, "Filter failure: MIN_NOTIONAL", .minNotional),
        (-1013, "Filter failure: MAX_NUM_ORDERS", .venueRejected),
        (-1121, "Invalid symbol.", .unknownSymbol),
        (-1102, "Mandatory parameter 'price' was not sent", .invalidRequest),
        (-9999, "something new", .venueRejected),
    ])
    func permanent(code: Int, msg: String, expected: ErrorCode) {
        guard case .permanent(let error) = venue(400, code, msg) else { Issue.record("not permanent: \(code) \(msg)"); return }
        #expect(error.code == expected)
    }

    @Test("a bad key or signature is fatal", arguments: [(-1022, 400), (-2014, 401), (-2015, 401), (-1002, 401)])
    func fatal(code: Int, status: Int) {
        guard case .fatal(let error) = venue(status, code) else { Issue.record("not fatal: \(code)"); return }
        #expect(error.reason == "venue_credentials_rejected")
    }

    @Test("-1021 asks for the clock offset to be measured again")
    func clockSkew() {
        #expect(BinanceErrorClassifier.classify(status: 400, body: BinanceErrorBody(code: -1021, msg: ""), retryAfter: nil)
            == .clockSkew(.transient(ServiceError(.timeout, reason: "venue_clock_skew", "Binance -1021: "))))
    }

    @Test("429 backs off for its Retry-After; 418 is a ban for its Retry-After")
    func backOff() {
        let limited = BinanceErrorClassifier.classify(status: 429, body: BinanceErrorBody(code: -1003, msg: "Too much request weight used"), retryAfter: 7)
        guard case .backOff(.transient(let error), 7, false) = limited else { Issue.record("\(limited)"); return }
        #expect(error.code == .rateLimited && error.retryAfterMs == 7_000)
        let banned = BinanceErrorClassifier.classify(status: 418, body: BinanceErrorBody(code: -1003, msg: "IP banned"), retryAfter: 120)
        guard case .backOff(.transient(let ban), 120, true) = banned else { Issue.record("\(banned)"); return }
        #expect(ban.code == .unavailable && ban.reason == "venue_ip_banned")
    }
}
