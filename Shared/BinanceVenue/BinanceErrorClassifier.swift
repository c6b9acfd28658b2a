import BinanceWire
import BusProtocol
import TradingModel
import VenueKit

/// Binance's error replies classified for G10 (what the caller may do; see docs/errors.md):
///
/// - the outcome is UNKNOWN (transient): HTTP 5xx, -1007 (timeout waiting for the matching
///   engine), -1000/-1001/-1006: the venue may have acted; ask by client order id, never resend blindly;
/// - retry later (transient): 429 and -1003/-1015 with `Retry-After`; 418 (an IP ban) for
///   its `Retry-After`; -1021 (a clock outside recvWindow: refused before the engine, resent
///   once after the time offset is measured again);
/// - refused (permanent): -2010, -2011, -2013, filter failures (-1013), bad parameters (-11xx);
/// - fatal: a bad key or signature (-1002, -1022, -2014, -2015): nothing will work until
///   the operator fixes the credentials.
public enum BinanceErrorClassifier {
    /// What one Binance error reply means.
    public enum Verdict: Equatable, Sendable {
        /// Classified; the caller throws it.
        case venue(VenueError)
        /// -1021: the clock is off; measure the offset again and resend (never executed).
        case clockSkew(VenueError)
        /// 429 or 418: no call until `seconds` have passed (418: a ban; nothing at all is sent).
        case backOff(VenueError, seconds: Int, banned: Bool)
    }

    /// Classifies a reply with HTTP `status` and Binance `code`/`msg` (nil when the body was
    /// not Binance's error shape); `retryAfter` is the `Retry-After` header in seconds.
    public static func classify(status: Int, body: BinanceErrorBody?, retryAfter: Int?) -> Verdict {
        let code = body?.code
        let msg = body?.msg ?? "HTTP \(status)"
        let detail = code.map { "Binance \($0): \(msg)" } ?? "Binance HTTP \(status): \(msg)"
        if status == 418 {
            let seconds = retryAfter ?? 120
            return .backOff(.transient(ServiceError(
                .unavailable, reason: VenueOutcome.ipBannedReason, "\(detail); no call for \(seconds) s", retryAfterMs: seconds * 1_000)),
                seconds: seconds, banned: true)
        }
        if status == 429 || code == BinanceErrorCode.tooManyRequests.rawValue || code == BinanceErrorCode.tooManyOrders.rawValue {
            let seconds = retryAfter ?? 1
            return .backOff(.transient(ServiceError(
                .rateLimited, reason: "venue_rate_limited", detail, retryAfterMs: seconds * 1_000)), seconds: seconds, banned: false)
        }
        if status >= 500 {
            return .venue(.transient(ServiceError(.unavailable, reason: "venue_outcome_unknown", detail)))
        }
        guard let code, let known = BinanceErrorCode(rawValue: code) else {
            return .venue(.permanent(ServiceError(.venueRejected, reason: "venue_rejected", detail)))
        }
        switch known {
        case .unknown, .disconnected, .timeout:
            return .venue(.transient(ServiceError(.timeout, reason: "venue_outcome_unknown", detail)))
        case .invalidTimestamp:
            return .clockSkew(.transient(ServiceError(.timeout, reason: "venue_clock_skew", detail)))
        case .unauthorized, .invalidSignature, .badAPIKeyFormat, .rejectedAPIKey:
            return .venue(.fatal(ServiceError(.internal, reason: "venue_credentials_rejected", detail)))
        case .tooManyRequests, .tooManyOrders:
            preconditionFailure("rate limits are handled above")
        case .newOrderRejected:
            if msg == BinanceErrorBody.Message.insufficientBalance {
                return .venue(.permanent(ServiceError(.insufficientBalance, reason: "insufficient_balance", detail)))
            }
            if msg == BinanceErrorBody.Message.duplicateOrder {
                return .venue(.permanent(ServiceError(.duplicate, reason: "client_order_id_open_at_venue", detail)))
            }
            return .venue(.permanent(ServiceError(.venueRejected, reason: "venue_rejected", detail)))
        case .cancelRejected, .noSuchOrder:
            return .venue(.permanent(ServiceError(.notFound, reason: "order_not_found", detail)))
        case .invalidMessage:
            return .venue(.permanent(filterFailure(msg, detail)))
        case .badSymbol:
            return .venue(.permanent(ServiceError(.unknownSymbol, reason: "unknown_symbol", detail)))
        case .illegalChars, .mandatoryParamEmptyOrMalformed, .paramNotRequired, .badPrecision, .tifNotRequired,
            .invalidTimeInForce, .invalidOrderType, .invalidSide, .badRecvWindow, .unsupportedOperation:
            return .venue(.permanent(ServiceError(.invalidRequest, reason: "venue_bad_parameter", detail)))
        }
    }

    /// A `-1013` filter failure as the suite's own rule codes.
    private static func filterFailure(_ msg: String, _ detail: String) -> ServiceError {
        if msg.hasSuffix("LOT_SIZE") || msg.hasSuffix("MARKET_LOT_SIZE") { return ServiceError(.lotSize, reason: "qty_not_lot_multiple", detail) }
        if msg.hasSuffix("PRICE_FILTER") { return ServiceError(.tickSize, reason: "price_filter", detail) }
        if msg.hasSuffix("NOTIONAL") { return ServiceError(.minNotional, reason: "below_min_notional", detail) }
        return ServiceError(.venueRejected, reason: "venue_filter_failure", detail)
    }
}
