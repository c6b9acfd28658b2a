import AsyncHTTPClient
import BinanceWire
import BusProtocol
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import VenueKit

/// Binance Spot's REST API, one call at a time: SIGNED calls carry `timestamp` (the local
/// clock plus the measured server offset) and `recvWindow`, signed with HMAC-SHA256; every
/// failure is classified (`BinanceErrorClassifier`). After a 429 or 418 no call at all is
/// sent until its `Retry-After` has passed. A place is never resent here: only a -1021
/// (refused before the matching engine, so never executed) is sent again, once, after the
/// offset is measured anew.
///
/// **One weight budget for every process on the key's IP.** Binance counts request weight
/// per IP, and every reply reports the IP's total for the minute (`X-MBX-USED-WEIGHT-1M`),
/// whichever process spent it. Each adapter may spend up to its share of the minute's limit
/// (`weightSharePercent`): a call that would take the count past it is refused here, sent to
/// no one, `RATE_LIMITED`/`venue_weight_reserved` until the minute ends. The reconciler's
/// share is below the gateway's, so its polling stops first and can never spend what the
/// orders need, nor get the key banned.
final class BinanceREST: Sendable {
    let baseURL: String
    let credentials: BinanceCredentials
    let recvWindowMillis: Int64
    let timeout: Duration
    /// Unix nanoseconds now (injected: tests skew it).
    let now: @Sendable () -> Int64
    /// Server time minus local time, ms (measured at start and after every -1021).
    private let offsetMillis = Atomic<Int64>(0)
    /// No call before this unix ns (a 429's or 418's Retry-After), with the error to answer meanwhile.
    private let gate = Mutex<(until: Int64, error: VenueError)?>(nil)
    /// The last `X-MBX-USED-WEIGHT-1M` the venue reported, and the server minute it was for.
    let usedWeight = Atomic<Int>(0)
    private let usedWeightMinute = Atomic<Int64>(-1)
    /// The venue's REQUEST_WEIGHT limit per minute (from exchangeInfo; Binance's until read).
    let weightLimit = Atomic<Int>(6_000)
    /// The part of `weightLimit` this process may spend, percent.
    let weightSharePercent: Int
    private let http: HTTPClient

    /// The largest reply body read (exchangeInfo of the real venue is ~0.5 MB per 100 symbols).
    static let maxReplyBytes = 32 << 20

    init(
        baseURL: String, credentials: BinanceCredentials, recvWindow: Duration, timeout: Duration, weightSharePercent: Int = 100,
        now: @escaping @Sendable () -> Int64
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.weightSharePercent = weightSharePercent
        self.credentials = credentials
        self.recvWindowMillis = Self.millis(recvWindow)
        self.timeout = timeout
        self.now = now
        http = HTTPClient.shared
    }

    /// The current server-minus-local offset in ms.
    var serverOffsetMillis: Int64 { offsetMillis.load(ordering: .relaxed) }

    /// The venue's time now as last measured (unix ms): what a signed request's `timestamp` says.
    var serverNowMillis: Int64 { now() / 1_000_000 + serverOffsetMillis }

    /// Measures the server time offset: the server's time against the midpoint of the call.
    func syncTime() async throws(VenueError) {
        let before = now() / 1_000_000
        let time: BinanceServerTime = try await call(.GET, "/api/v3/time", BinanceQuery(), signed: false)
        let after = now() / 1_000_000
        offsetMillis.store(time.serverTime - (before + after) / 2, ordering: .relaxed)
    }

    /// An unsigned (market data) call.
    func get<Reply: Decodable>(_ path: String, _ query: BinanceQuery = BinanceQuery()) async throws(VenueError) -> Reply {
        try await call(.GET, path, query, signed: false)
    }

    /// A SIGNED call.
    func signed<Reply: Decodable>(_ method: HTTPMethod, _ path: String, _ params: BinanceQuery) async throws(VenueError) -> Reply {
        try await call(method, path, params, signed: true)
    }

    private func call<Reply: Decodable>(_ method: HTTPMethod, _ path: String, _ params: BinanceQuery, signed: Bool) async throws(VenueError) -> Reply {
        let weight = BinanceWeights.weight(method: method.rawValue, path: path, params: params)
        for attempt in 0..<2 {
            try checkGate()
            try checkBudget(weight, path: path)
            var query = params
            if signed {
                query.append("recvWindow", String(recvWindowMillis))
                query.append("timestamp", String(serverNowMillis))
            }
            var text = query.encoded
            if signed { text += "&signature=" + BinanceSigner.signature(payload: text, secret: credentials.secret) }
            let (status, headers, body) = try await send(method, path, text, signed: signed)
            if let used = headers.first(name: "X-MBX-USED-WEIGHT-1M").flatMap(Int.init) {
                usedWeight.store(used, ordering: .relaxed)
                usedWeightMinute.store(serverNowMillis / 60_000, ordering: .relaxed)
            }
            if status == 200 {
                do {
                    return try JSONDecoder().decode(Reply.self, from: body)
                } catch {
                    throw .fatal(ServiceError(.internal, reason: "venue_reply_unreadable", "Binance \(path) answered what this adapter cannot read: \(error)"))
                }
            }
            let verdict = BinanceErrorClassifier.classify(
                status: status, body: try? JSONDecoder().decode(BinanceErrorBody.self, from: body),
                retryAfter: headers.first(name: "Retry-After").flatMap(Int.init))
            switch verdict {
            case .venue(let error):
                throw error
            case .clockSkew(let error):
                guard attempt == 0 else { throw error }
                try await syncTime()
            case .backOff(let error, let seconds, _):
                gate.withLock { $0 = (now() + Int64(seconds) * 1_000_000_000, error) }
                throw error
            }
        }
        preconditionFailure("the loop returns or throws on its second attempt")
    }

    /// Refuses a call of `weight` that would take this minute's count past this process's share.
    private func checkBudget(_ weight: Int, path: String) throws(VenueError) {
        let nowMillis = serverNowMillis
        let minute = nowMillis / 60_000
        guard usedWeightMinute.load(ordering: .relaxed) == minute else { return }  // a new minute: the count starts again
        let ceiling = weightLimit.load(ordering: .relaxed) * weightSharePercent / 100
        let used = usedWeight.load(ordering: .relaxed)
        guard used + weight > ceiling else { return }
        throw .transient(ServiceError(
            .rateLimited, reason: "venue_weight_reserved",
            "Binance \(path) (weight \(weight)) would take this minute's request weight to \(used + weight), past this process's share \(ceiling) (\(weightSharePercent) % of \(weightLimit.load(ordering: .relaxed)))",
            retryAfterMs: Int((minute + 1) * 60_000 - nowMillis)))
    }

    /// Throws the back-off's error while a 429's or 418's Retry-After runs.
    private func checkGate() throws(VenueError) {
        let blocked = gate.withLock { state -> VenueError? in
            guard let current = state else { return nil }
            if now() >= current.until {
                state = nil
                return nil
            }
            return current.error
        }
        if let blocked { throw blocked }
    }

    private func send(_ method: HTTPMethod, _ path: String, _ query: String, signed: Bool) async throws(VenueError) -> (Int, HTTPHeaders, Data) {
        var request = HTTPClientRequest(url: baseURL + path + (query.isEmpty ? "" : "?" + query))
        request.method = method
        if signed { request.headers.add(name: "X-MBX-APIKEY", value: credentials.apiKey) }
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Self.millis(timeout)))
            let body = try await response.body.collect(upTo: Self.maxReplyBytes)
            return (Int(response.status.code), response.headers, Data(body.readableBytesView))
        } catch {
            // Sent or not, answered or not: the venue may have acted.
            throw .transient(ServiceError(.timeout, reason: "venue_timeout", "Binance \(path): \(error)"))
        }
    }

    static func millis(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
