import ArgumentParser
import BusProtocol
import Foundation
import TradingModel

/// `tradectl risk …`: an account's risk state, and the manual breaker.
struct RiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk", abstract: "Show risk state; trip or reset a circuit breaker.", subcommands: [Show.self, Trip.self, Reset.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Balances, reservations, positions, P&L, breaker and governor of an account, as JSON.")
        @OptionGroup var bus: BusOptions
        @Argument(help: "The account.") var account: String

        func run() async throws {
            try await printRisk(bus, type: RiskAPI.show, key: account, body: AccountRef(account: account), reply: AccountRisk.self)
        }
    }

    struct Trip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trip a breaker by hand (DRAINING while orders are in flight, then OPEN). Without --account: the global breaker.")
        @OptionGroup var bus: BusOptions
        @Option(help: "The account; omit for the global breaker.") var account: String?
        @Option(help: "Why (journaled with the transition, 1–64 characters).") var reason: String

        func run() async throws {
            try await printRisk(bus, type: RiskAPI.trip, key: account, body: RiskTrip(account: account, reason: reason), reply: BreakerView.self)
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a breaker by hand. Without --account: the global breaker.")
        @OptionGroup var bus: BusOptions
        @Option(help: "The account; omit for the global breaker.") var account: String?

        func run() async throws {
            try await printRisk(bus, type: RiskAPI.reset, key: account, body: RiskReset(account: account), reply: BreakerView.self)
        }
    }
}

private func printRisk<Reply: Codable>(_ options: BusOptions, type: String, key: String?, body: some Encodable, reply: Reply.Type) async throws {
    let client = try SuiteClient(options)
    defer { client.close() }
    do {
        let answer = try await client.call(service: RiskAPI.service, type: type, key: key, body: body, reply: reply)
        print(prettyJSON(answer))
    } catch {
        throw PrintedError(error: error)
    }
}
