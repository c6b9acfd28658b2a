import ArgumentParser
import Foundation

/// `tradectl recon status`: the reconciler's statistics (runs, desyncs, repairs, last run).
struct ReconCommandGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recon", abstract: "Inspect the reconciler.", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the reconciler's statistics as JSON.")
        @OptionGroup var bus: BusOptions

        func run() async throws {
            let client = try SuiteClient(bus)
            defer { client.close() }
            let reply = try await client.bus.request(
                service: "reconciler", type: "recon.status", body: Data("{}".utf8), timeout: client.timeout, attempts: 1)
            if reply.header.isError { throw PrintedError(error: reply.errorBody()) }
            print(String(decoding: reply.body, as: UTF8.self))
        }
    }
}
