import TradingModel

/// Reply to `venue.positions`: the account's net base quantity per symbol (buys
/// minus sells of its fills); flat symbols are absent.
public struct VenuePositions: Codable, Sendable, Equatable {
    /// The venue account.
    public var account: String
    /// Net quantity per symbol: positive long, negative short.
    public var positions: [String: Quantity]

    /// Creates a positions reply.
    public init(account: String, positions: [String: Quantity]) {
        self.account = account
        self.positions = positions
    }

    /// The net positions of `fills` (what a venue without a positions endpoint implies).
    public static func net(of fills: [VenueFill]) -> [String: Quantity] {
        var net: [String: Quantity] = [:]
        for fill in fills {
            net[fill.symbol, default: .zero] += fill.side == .buy ? fill.qty : -fill.qty
        }
        return net.filter { !$0.value.isZero }
    }
}

extension Venue {
    /// The account's net positions; by default derived from all its fills.
    public func positions(account: String) async throws(VenueError) -> [String: Quantity] {
        VenuePositions.net(of: try await allFills(account: account, afterTradeSeq: nil))
    }

    /// Every fill after `afterTradeSeq`, following the venue's pages to the end.
    public func allFills(account: String, afterTradeSeq: Int64?) async throws(VenueError) -> [VenueFill] {
        var all: [VenueFill] = []
        var after = afterTradeSeq
        while true {
            let page = try await fills(account: account, afterTradeSeq: after)
            guard let last = page.last else { return all }
            all += page
            after = last.tradeSeq
        }
    }
}
