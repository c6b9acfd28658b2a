import ArgumentParser
import BusProtocol
import Foundation
import TradingModel

/// `tradectl order …`
struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order", abstract: "Submit and query orders.", subcommands: [Submit.self, Get.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit an order; prints the order as the suite knows it.")
        @OptionGroup var bus: BusOptions
        @Option var account: String
        @Option var symbol: String
        @Option var side: Side
        @Option var type: OrderType = .market
        @Option(help: "Quantity, a decimal string.") var qty: String
        @Option(help: "Limit price, a decimal string.") var price: String?
        @Option(help: "Your id for this order (idempotency key); minted if absent.") var clientOrderId: String?

        func run() async throws {
            guard let quantity = ExactDecimal(qty) else { throw ValidationError("--qty must be a decimal like 0.01") }
            var limit: ExactDecimal?
            if let price {
                guard let parsed = ExactDecimal(price) else { throw ValidationError("--price must be a decimal like 50000.5") }
                limit = parsed
            }
            let submit = OrderSubmit(clientOrderId: clientOrderId, account: account, symbol: symbol, side: side, type: type, qty: quantity, price: limit)
            try await printOrder(bus, type: "order.submit", key: account, body: submit)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an order by client_order_id.")
        @OptionGroup var bus: BusOptions
        @Option var account: String
        @Option var clientOrderId: String

        func run() async throws {
            try await printOrder(bus, type: "order.get", key: account, body: OrderRef(account: account, clientOrderId: clientOrderId))
        }
    }
}

private func printOrder(_ options: BusOptions, type: String, key: String, body: some Encodable) async throws {
    let client = try SuiteClient(options)
    defer { client.close() }
    do {
        let reply = try await client.call(service: "order-gateway", type: type, key: key, body: body, reply: OrderReply.self)
        print(prettyJSON(reply))
    } catch {
        throw PrintedError(error: error)
    }
}

extension Side: ExpressibleByArgument {}
extension OrderType: ExpressibleByArgument {}
