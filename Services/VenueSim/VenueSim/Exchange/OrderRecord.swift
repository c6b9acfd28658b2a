import TradingModel
import VenueKit

/// The exchange's private record of one order: the order as clients see it, plus
/// what only the venue needs (time priority, funds locked while it rests).
struct OrderRecord: Sendable, Codable {
    /// The order as `venue.order` returns it.
    var order: VenueOrder
    /// The venue order counter value: lower is older (time priority, listing order).
    let seq: Int64
    /// Funds locked for the unfilled part while the order rests; empty otherwise.
    var locks: [String: Money] = [:]

    /// The quantity still to fill.
    var remainingQty: Quantity { order.qty - order.filledQty }

    /// Records `fill` on the order: filled quantity, average price, status.
    mutating func record(_ fill: VenueFill) {
        order.fills.append(fill)
        order.filledQty += fill.qty
        order.avgPrice = Self.averagePrice(order.fills, filledQty: order.filledQty)
        order.status = order.filledQty == order.qty ? .filled : .partiallyFilled
    }

    /// Ends a working order without (further) fills.
    mutating func close(_ status: VenueOrderStatus, reason: String) {
        precondition(status.isTerminal && status != .filled, "close needs a non-fill terminal status, got \(status)")
        order.status = status
        order.reason = reason
    }

    /// The quantity-weighted average price of `fills`, rounded half-even to 12 digits.
    private static func averagePrice(_ fills: [VenueFill], filledQty: Quantity) -> Price? {
        guard filledQty.isPositive else { return nil }
        let notional = fills.reduce(Money.zero) { sum, fill in
            sum + fill.qty.multiplied(by: fill.price, rounding: .halfEven)
        }
        return notional.divided(by: filledQty, rounding: .halfEven)
    }
}

/// The idempotency key of an order: a client order id is unique within an account.
struct OrderKey: Hashable, Sendable, Codable {
    /// The account that placed the order.
    let account: String
    /// The client's id for the order.
    let clientOrderId: String
}

/// An order that ended, and when (venue time): the history window forgets it after the window.
struct EndedOrder: Sendable, Codable {
    let venueOrderId: String
    let ts: Int64
}
