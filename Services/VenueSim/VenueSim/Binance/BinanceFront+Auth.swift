import BinanceWire
import TradingModel

extension BinanceFront {
    /// Binance's largest recvWindow, and the one used when none is sent (ms).
    static let maxRecvWindowMillis = ExactDecimal(60_000)
    static let defaultRecvWindowMillis = ExactDecimal(5_000)
    /// How far ahead of the server a timestamp may be (ms).
    static let aheadToleranceMillis: Int64 = 1_000

    /// Reads the parameters and, for a signed endpoint, checks the key, the signature and
    /// the timing as Binance does: the signed payload is the query string followed by the
    /// form body (each without its `signature`); `timestamp < serverTime + 1 s` and
    /// `serverTime − timestamp ≤ recvWindow`.
    func authenticate(_ endpoint: Endpoint, query: String, body: String, apiKey: String?, nowMillis: Int64) throws(Failure) -> SignedRequest {
        var params = BinanceQuery.parse(Substring(query))
        params.items += BinanceQuery.parse(Substring(body)).items
        guard endpoint.isSigned else { return SignedRequest(params: params, account: nil) }
        guard let apiKey, !apiKey.isEmpty else {
            throw Failure(.badAPIKeyFormat, "API-key format invalid.", status: .unauthorized)
        }
        guard let credential = configuration.keys[apiKey] else {
            throw Failure(.rejectedAPIKey, "Invalid API-key, IP, or permissions for action.", status: .unauthorized)
        }
        let request = SignedRequest(params: params, account: credential.account)
        guard let signature = request.string("signature") else { throw .mandatory("signature") }
        let payload = BinanceQuery.removingSignature(Substring(query)) + BinanceQuery.removingSignature(Substring(body))
        guard BinanceSigner.verify(signature: signature, payload: payload, secret: credential.secret) else {
            throw Failure(.invalidSignature, "Signature for this request is not valid.")
        }
        try checkTiming(request, nowMillis: nowMillis)
        return request
    }

    func checkTiming(_ request: SignedRequest, nowMillis: Int64) throws(Failure) {
        guard let timestamp = try request.int64("timestamp") else { throw .mandatory("timestamp") }
        var recvWindow = Self.defaultRecvWindowMillis
        if let text = request.string("recvWindow") {
            guard let value = ExactDecimal(text), value.isPositive, value.isMultiple(of: ExactDecimal(units: 1_000_000_000)) else {
                throw Failure(.mandatoryParamEmptyOrMalformed, "Mandatory parameter 'recvWindow' was not sent, was empty/null, or malformed.")
            }
            guard value <= Self.maxRecvWindowMillis else {
                throw Failure(.badRecvWindow, "recvWindow must be less than 60000")
            }
            recvWindow = value
        }
        // Microsecond timestamps (16 digits) are taken as Binance takes them.
        let timestampMillis = timestamp >= 10_000_000_000_000 ? timestamp / 1_000 : timestamp
        guard timestampMillis < nowMillis + Self.aheadToleranceMillis else {
            throw Failure(.invalidTimestamp, "Timestamp for this request was 1000ms ahead of the server's time.")
        }
        guard ExactDecimal(Int(nowMillis - timestampMillis)) <= recvWindow else {
            throw Failure(.invalidTimestamp, "Timestamp for this request is outside of the recvWindow.")
        }
    }
}
