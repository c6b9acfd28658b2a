import Foundation

/// A Binance request's parameters in their order on the wire (`name=value&…`), encoded the
/// way Binance signs them: every byte outside the unreserved set percent-encoded.
public struct BinanceQuery: Sendable, Equatable {
    /// The parameters, in order.
    public var items: [(name: String, value: String)]

    /// Creates a query from parameters in order.
    public init(_ items: [(name: String, value: String)] = []) {
        self.items = items
    }

    /// Appends one parameter.
    public mutating func append(_ name: String, _ value: String) {
        items.append((name, value))
    }

    /// The encoded query string, e.g. `symbol=BTCUSDT&side=BUY`.
    public var encoded: String {
        items.map { Self.escape($0.name) + "=" + Self.escape($0.value) }.joined(separator: "&")
    }

    /// Parses an encoded query string or form body (`+` is a space, `%XX` a byte); a
    /// malformed escape leaves that parameter's text as it came.
    public static func parse(_ text: Substring) -> BinanceQuery {
        var query = BinanceQuery()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            let value = parts.count > 1 ? unescape(parts[1]) : ""
            query.append(name, value)
        }
        return query
    }

    /// The first value of `name`, if sent.
    public subscript(_ name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// `text` without its `signature=…` parameter, as sent (the part of a payload that is signed).
    public static func removingSignature(_ text: Substring) -> String {
        text.split(separator: "&", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("signature=") }
            .joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static func unescape(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    public static func == (lhs: BinanceQuery, rhs: BinanceQuery) -> Bool {
        lhs.items.elementsEqual(rhs.items) { $0.name == $1.name && $0.value == $1.value }
    }
}
