import BusKit
import BusProtocol
import Foundation
import Logging
import TestSupport
import TradingModel
import VenueKit
import ZeroMQ

/// Order calls a test makes through the real bus, and a look at the real venue.
extension SuiteClientConnection {
    func submit(_ body: OrderSubmit, timeout: Duration = .seconds(10)) async throws(ServiceError) -> OrderView {
        try await bus.call(
            service: GatewayAPI.service, type: GatewayAPI.submit, key: body.account, body: body,
            replyType: OrderReply.self, timeout: timeout, attempts: 1
        ).order
    }

    func get(account: String, id: String) async throws(ServiceError) -> OrderView {
        try await bus.call(
            service: GatewayAPI.service, type: GatewayAPI.get, key: account, body: OrderRef(account: account, clientOrderId: id),
            replyType: OrderReply.self, timeout: .seconds(5), attempts: 1
        ).order
    }

    /// Waits until the accounts are reconciled (C1: orders are accepted) and the gateway
    /// is registered and has market data (a get answers NOT_FOUND).
    func waitUntilReady(accounts: [String] = ["acct-1", "acct-2"]) async throws -> Bool {
        guard try await waitUntilReconciled(accounts) else { return false }
        return try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            do {
                _ = try await get(account: "acct-1", id: "readiness-probe")
                return false
            } catch {
                return (error as? ServiceError)?.code == .notFound
            }
        }
    }

    /// The error code a call fails with, or nil if it succeeded.
    func errorCode(_ type: String, key: String, body: Data) async throws -> ErrorCode? {
        let reply = try await bus.request(service: GatewayAPI.service, type: type, key: key, body: body, timeout: .seconds(10), attempts: 1)
        return reply.header.isError ? reply.errorBody().code : nil
    }
}

extension Suite {
    /// A limit buy of 0.001 BTC at `price` authorized (reserved, intent journaled) as the gateway
    /// does before its venue call: what a gateway killed right after it leaves behind.
    func authorizeAsGateway(_ id: String, price: Price) async throws -> RiskDecision {
        let request = RiskAuthorize(
            account: "acct-1", clientOrderId: id, symbol: "BTC/USDT", base: "BTC", quote: "USDT", side: .buy, type: .limit,
            qty: ExactDecimal("0.001")!, price: price, timeInForce: .gtc)
        // As the gateway: risk.authorize is its call alone.
        let gateway = try client(as: "order-gateway")
        defer { gateway.close() }
        return try await gateway.bus.call(
            service: RiskAPI.service, type: RiskAPI.authorize, key: "acct-1", body: request, replyType: RiskDecision.self,
            timeout: .seconds(5), attempts: 1)
    }
}

/// A direct client of the suite's venue-sim: the truth the journal is checked against.
final class VenueProbe: Sendable {
    let context = ZMQContext()
    let venue: PaperVenueClient

    init(_ suite: Suite) throws {
        var logger = Logger(label: "venue-probe")
        logger.logLevel = .error
        venue = try PaperVenueClient(venue: try suite.venueEndpoints, subscribe: [], context: context, logger: logger)
    }

    func close() {
        venue.stop()
        context.terminate()
    }
}

/// A limit buy far below the market: it rests at the venue until canceled.
func restingBuy(_ id: String?, account: String = "acct-1", qty: String = "0.01", price: String = "1000") -> OrderSubmit {
    OrderSubmit(
        clientOrderId: id, account: account, symbol: "BTC/USDT", side: .buy, type: .limit,
        qty: ExactDecimal(qty)!, price: ExactDecimal(price)!)
}
