import ArgumentParser
import BusKit
import BusProtocol
import Foundation
import TradingModel

/// `tradectl order …`
struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order", abstract: "Submit, query, list and cancel orders; pull and lift the kill switch.",
        subcommands: [Submit.self, Get.self, List.self, Cancel.self, CancelAll.self, Resume.self])

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
        @Flag(help: "Trace this order in every service (sampled), for `tradectl trace`.") var trace = false

        func run() async throws {
            // The client marks the request sampled: its traceparent's flags say 01.
            if trace { TraceSampling.percent = 100 }
            guard let quantity = ExactDecimal(qty) else { throw ValidationError("--qty must be a decimal like 0.01") }
            var limit: ExactDecimal?
            if let price {
                guard let parsed = ExactDecimal(price) else { throw ValidationError("--price must be a decimal like 50000.5") }
                limit = parsed
            }
            let submit = OrderSubmit(clientOrderId: clientOrderId, account: account, symbol: symbol, side: side, type: type, qty: quantity, price: limit)
            try await printOrder(bus, type: GatewayAPI.submit, key: account, body: submit)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an order by client_order_id.")
        @OptionGroup var bus: BusOptions
        @Option var account: String
        @Option var clientOrderId: String

        func run() async throws {
            try await printOrder(bus, type: GatewayAPI.get, key: account, body: OrderRef(account: account, clientOrderId: clientOrderId))
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel one order; prints it once the venue confirmed.")
        @OptionGroup var bus: BusOptions
        @Option var account: String
        @Option var clientOrderId: String

        func run() async throws {
            try await printOrder(bus, type: GatewayAPI.cancel, key: account, body: OrderRef(account: account, clientOrderId: clientOrderId))
        }
    }

    struct CancelAll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel-all", abstract: "Kill switch: halt the account for new orders and cancel every open order at the venue.",
            discussion: """
                Prints the reply as JSON (canceled, failed, still_open counts). The account stays halted \
                (new orders get TRADING_HALTED) until `tradectl order resume`. Exits 1, naming the orders \
                on stderr, when the venue still lists open orders at the end (run it again).
                """)
        @OptionGroup var bus: BusOptions
        @Option var account: String

        func run() async throws {
            let reply = try await printReply(bus, type: GatewayAPI.cancelAll, key: account, body: AccountRef(account: account), reply: CancelAllReply.self)
            if let unconfirmed = UnconfirmedCancels(reply) { throw unconfirmed }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift the kill switch's halt: the account takes new orders again.",
            discussion: "Journaled: every gateway replica, and every restart, sees it. Resuming an account that is not halted changes nothing.")
        @OptionGroup var bus: BusOptions
        @Option var account: String

        func run() async throws {
            try await printReply(bus, type: GatewayAPI.resume, key: account, body: AccountRef(account: account), reply: ResumeReply.self)
        }
    }
}

/// The kill switch's verdict: orders the venue still lists open make `cancel-all` exit
/// non-zero, so a script that pulls it notices.
struct UnconfirmedCancels: Error, CustomStringConvertible {
    let reply: CancelAllReply

    /// Nil when the venue lists no open order of the account any more.
    init?(_ reply: CancelAllReply) {
        guard !reply.isComplete || reply.failed > 0 else { return nil }
        self.reply = reply
    }

    var description: String {
        let names = reply.failures.map { "\($0.clientOrderId) (\($0.code))" }.joined(separator: ", ")
        return "\(reply.failed) of \(reply.failed + reply.canceled) cancels not confirmed for '\(reply.account)', "
            + "\(reply.stillOpen) still open at the venue\(names.isEmpty ? "" : ": \(names)"); run cancel-all again"
    }
}

private func printOrder(_ options: BusOptions, type: String, key: String, body: some Encodable) async throws {
    try await printReply(options, type: type, key: key, body: body, reply: OrderReply.self)
}

@discardableResult
private func printReply<Reply: Codable>(_ options: BusOptions, type: String, key: String, body: some Encodable, reply: Reply.Type) async throws -> Reply {
    let client = try SuiteClient(options)
    defer { client.close() }
    do {
        let answer = try await client.call(service: GatewayAPI.service, type: type, key: key, body: body, reply: Reply.self)
        print(prettyJSON(answer))
        return answer
    } catch {
        throw PrintedError(error: error)
    }
}

extension Side: ExpressibleByArgument {}
extension OrderType: ExpressibleByArgument {}
extension OrderState: ExpressibleByArgument {}
