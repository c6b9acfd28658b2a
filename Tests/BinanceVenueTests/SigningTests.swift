import BinanceWire
import Testing

/// HMAC-SHA256 signing checked against the worked examples of Binance's API documentation
/// ("SIGNED Endpoint Examples for POST /api/v3/order", HMAC keys), their example key pair.
@Suite("Binance signing matches Binance's documented examples")
struct SigningTests {
    static let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

    @Test("the ASCII example: the query string as the payload")
    func asciiExample() {
        var query = BinanceQuery()
        for (name, value) in [
            ("symbol", "LTCBTC"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"),
            ("price", "0.1"), ("recvWindow", "5000"), ("timestamp", "1499827319559"),
        ] { query.append(name, value) }
        #expect(query.encoded == "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559")
        #expect(BinanceSigner.signature(payload: query.encoded, secret: Self.secret) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    }

    @Test("the non-ASCII example: the symbol percent-encoded before signing")
    func nonASCIIExample() {
        let query = BinanceQuery([
            ("symbol", "１２３４５６"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"),
            ("price", "0.1"), ("recvWindow", "5000"), ("timestamp", "1499827319559"),
        ])
        #expect(query.encoded.hasPrefix("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY"))
        #expect(BinanceSigner.signature(payload: query.encoded, secret: Self.secret) == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")
    }

    @Test("verification is case-insensitive in the hex, and refuses another payload, secret or a malformed signature")
    func verification() {
        let payload = "symbol=LTCBTC&timestamp=1"
        let signature = BinanceSigner.signature(payload: payload, secret: Self.secret)
        #expect(BinanceSigner.verify(signature: signature, payload: payload, secret: Self.secret))
        #expect(BinanceSigner.verify(signature: signature.uppercased(), payload: payload, secret: Self.secret))
        #expect(!BinanceSigner.verify(signature: signature, payload: payload + "&x=1", secret: Self.secret))
        #expect(!BinanceSigner.verify(signature: signature, payload: payload, secret: "other"))
        #expect(!BinanceSigner.verify(signature: String(signature.dropLast()), payload: payload, secret: Self.secret))
        #expect(!BinanceSigner.verify(signature: String(signature.dropLast()) + "g", payload: payload, secret: Self.secret))
    }

    @Test("a query parses back; removing the signature leaves the signed payload as sent")
    func parsing() {
        let text = "symbol=BTCUSDT&newClientOrderId=a%3Ab%2Fc&price=1.5&signature=abc"
        let query = BinanceQuery.parse(Substring(text))
        #expect(query["newClientOrderId"] == "a:b/c" && query["price"] == "1.5" && query["missing"] == nil)
        #expect(BinanceQuery.removingSignature(Substring(text)) == "symbol=BTCUSDT&newClientOrderId=a%3Ab%2Fc&price=1.5")
    }
}
