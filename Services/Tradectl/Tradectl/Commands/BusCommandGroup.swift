import ArgumentParser
import BusKit
import Foundation

/// `tradectl bus status`: live workers and partition leases.
struct BusCommandGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bus", abstract: "Inspect the bus.", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print live workers and partition leases as JSON.")
        @OptionGroup var bus: BusOptions

        func run() async throws {
            let client = try SuiteClient(bus)
            defer { client.close() }
            do {
                let reply = try await client.bus.request(
                    service: BusKit.BusCommand.service, type: BusKit.BusCommand.status, body: Data("{}".utf8),
                    timeout: client.timeout, attempts: 1)
                if reply.header.isError { throw PrintedError(error: reply.errorBody()) }
                print(String(decoding: reply.body, as: UTF8.self))
            } catch let error as PrintedError {
                throw error
            }
        }
    }
}
