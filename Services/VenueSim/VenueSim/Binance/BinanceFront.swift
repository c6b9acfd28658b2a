import BinanceWire
import BusKit
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import TradingModel

/// venue-sim's second front end: Binance Spot's REST API over the same paper exchange, book
/// on disk and fault injection as the ZeroMQ front, so Binance's official clients (and the
/// suite's Binance adapter) can trade on the paper venue. Field names, string decimals,
/// `{"code","msg"}` errors, HMAC-SHA256 signatures with timestamp and recvWindow, weight and
/// order-count headers, and client ids unique among open orders only, as Binance does.
///
/// Each API key stands for one paper account (`BW_VENUE_BINANCE_CREDENTIALS`).
public struct BinanceFront: Sendable {
    /// One API key's secret and the paper account it trades (never printed: see `description`).
    public struct Credential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
        public var account: String
        public var secret: String

        public init(account: String, secret: String) {
            self.account = account
            self.secret = secret
        }

        public var description: String { "Credential(account: \(account), secret: [REDACTED])" }
        public var debugDescription: String { description }
    }

    /// The rate limits in force (Binance's own by default).
    public struct Limits: Sendable, Equatable {
        /// REQUEST_WEIGHT per minute (Binance: 6000).
        public var weightPerMinute = 6_000
        /// ORDERS per 10 seconds (Binance: 100).
        public var ordersPer10s = 100
        /// ORDERS per day (Binance: 200,000).
        public var ordersPerDay = 200_000

        public init() {}
    }

    /// Where the front listens and who may use it. Printed without its keys and secrets
    /// (the service logs its configuration at start).
    public struct Configuration: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        public var host: String
        /// The HTTP port; 0 picks a free one.
        public var port: Int
        /// API key → its secret and account.
        public var keys: [String: Credential]
        public var limits = Limits()

        public init(host: String, port: Int, keys: [String: Credential]) {
            self.host = host
            self.port = port
            self.keys = keys
        }

        public var description: String {
            "BinanceFront.Configuration(host: \(host), port: \(port), keys: \(keys.count) [REDACTED], limits: \(limits))"
        }
        public var debugDescription: String { description }
    }

    /// An answer: HTTP status, extra headers, JSON body.
    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: [(String, String)] = []
        var body: Data
    }

    /// A refusal in Binance's shape; `retryAfter` (seconds) goes out as `Retry-After`.
    struct Failure: Error {
        var status: HTTPResponse.Status
        var body: BinanceErrorBody
        var retryAfter: Int?

        init(_ code: BinanceErrorCode, _ msg: String, status: HTTPResponse.Status = .badRequest, retryAfter: Int? = nil) {
            self.status = status
            body = BinanceErrorBody(code, msg)
            self.retryAfter = retryAfter
        }

        static func mandatory(_ name: String) -> Failure {
            Failure(.mandatoryParamEmptyOrMalformed, "Mandatory parameter '\(name)' was not sent, was empty/null, or malformed.")
        }
    }

    /// The largest request body read.
    static let maxBodyBytes = 64 * 1024

    let configuration: Configuration
    let book: VenueBook
    let limits: BinanceLimits
    /// Resolves once the book's changes of a request are on disk (`VenueServer`'s group commit).
    let saved: @Sendable () async -> Void
    let logger: Logger
    /// The WebSocket API's connections and user data stream subscriptions.
    let hub = BinanceStreamHub()

    init(configuration: Configuration, book: VenueBook, saved: @escaping @Sendable () async -> Void, logger: Logger) {
        self.configuration = configuration
        self.book = book
        self.limits = BinanceLimits(configuration.limits)
        self.saved = saved
        self.logger = logger
    }

    /// Serves until the task is cancelled or the service group shuts down.
    func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws(RouterPath(BinanceUserStream.path)) { inbound, outbound, _ in
            try await serveStream(inbound, outbound)
        }
        for endpoint in Endpoint.allCases {
            router.on(RouterPath(endpoint.path), method: endpoint.method) { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: Self.maxBodyBytes)
                let reply = await handle(
                    endpoint, query: request.uri.query ?? "", body: String(buffer: body),
                    apiKey: request.headers.first { $0.name.canonicalName == "x-mbx-apikey" }?.value, now: WallClock.nowNanos())
                return Self.response(reply)
            }
        }
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        let application = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("venue.binance.started", metadata: ["port": "\(port)"])
                await onListening(port)
            },
            logger: serverLogger)
        try await application.run()
    }

    private static func response(_ reply: Reply) -> Response {
        var headers: HTTPFields = [.contentType: "application/json;charset=UTF-8"]
        for (name, value) in reply.headers {
            if let field = HTTPFields.Element.Name(name) { headers[field] = value }
        }
        return Response(status: reply.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// Answers one request: the timed faults (a ban, a rate limit), then the rate limits, then
    /// authentication (signed endpoints), then the endpoint.
    func handle(_ endpoint: Endpoint, query: String, body: String, apiKey: String?, now: Int64) async -> Reply {
        let nowMillis = now / 1_000_000
        if let refusal = await book.binanceRefusal(now: now) {
            // As Binance: nothing is executed, and the weight is not charged.
            var reply = Self.failure(refusal.banned
                ? Failure(.tooManyRequests, "Way too much request weight used; IP banned until \(nowMillis + Int64(refusal.retryAfterSeconds) * 1_000). Please use WebSocket Streams for live updates to avoid bans.",
                    status: .init(code: 418, reasonPhrase: "I'm a teapot"), retryAfter: refusal.retryAfterSeconds)
                : Failure(.tooManyRequests, "Too much request weight used; current limit is \(limits.limits.weightPerMinute) request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
                    status: .tooManyRequests, retryAfter: refusal.retryAfterSeconds))
            reply.headers.append(("X-MBX-USED-WEIGHT-1M", "\(limits.usedWeight(nowMillis: nowMillis))"))
            return reply
        }
        let weight = endpoint.weight(BinanceQuery.parse(Substring(query)))
        var reply: Reply
        switch limits.charge(weight: weight, nowMillis: nowMillis) {
        case .failure(.weight(let seconds)):
            reply = Self.failure(Failure(
                .tooManyRequests,
                "Too much request weight used; current limit is \(limits.limits.weightPerMinute) request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
                status: .tooManyRequests, retryAfter: seconds))
        case .failure(.orders):
            preconditionFailure("a weight charge never breaches an order limit")
        case .success:
            do throws(Failure) {
                // The clock Binance reports and checks signed calls against (the clock-skew fault moves it).
                let serverMillis = nowMillis + Int64(await book.binanceClockSkewMillis())
                let request = try authenticate(endpoint, query: query, body: body, apiKey: apiKey, nowMillis: serverMillis)
                reply = try await serve(endpoint, request, now: now, serverMillis: serverMillis)
            } catch {
                if error.status.code >= 500 || error.body.code == BinanceErrorCode.invalidSignature.rawValue {
                    logger.notice("venue.binance.refused", metadata: ["code": "\(error.body.code)", "path": "\(endpoint.path)"])
                }
                reply = Self.failure(error)
            }
        }
        reply.headers.append(("X-MBX-USED-WEIGHT-1M", "\(limits.usedWeight(nowMillis: nowMillis))"))
        return reply
    }

    static func failure(_ failure: Failure) -> Reply {
        var reply = Reply(status: failure.status, body: json(failure.body))
        if let retryAfter = failure.retryAfter { reply.headers.append(("Retry-After", "\(retryAfter)")) }
        return reply
    }

    static func json(_ value: some Encodable) -> Data {
        (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
    }

    static func ok(_ value: some Encodable) -> Reply {
        Reply(status: .ok, body: json(value))
    }
}
