import ArgumentParser
import BusKit
import Foundation

/// `tradectl`: the command-line client of Breakwater.
public struct Tradectl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tradectl",
        abstract: "Breakwater's command-line client: submit and query orders, run the suite locally.",
        subcommands: [Up.self, OrderCommand.self, BusCommandGroup.self, RiskCommand.self, DatabaseCommandGroup.self, TapCommand.self, TraceCommand.self, ReconCommandGroup.self, VenueCommandGroup.self, KeysCommandGroup.self])

    public init() {}
}

/// Where to reach the bus (every command that talks to the suite takes these).
struct BusOptions: ParsableArguments {
    @Option(help: "The bus host.")
    var busHost = "127.0.0.1"

    @Option(help: "The bus RPC port (events +1, +2; tap +3).")
    var busPort = 5555

    @Option(help: "Seconds to wait for a reply.")
    var timeout = 10

    @Option(help: "The key file for an authenticated bus (default: BW_BUS_KEY_FILE; e.g. data/keys/operator.key).")
    var keyFile = ProcessInfo.processInfo.environment["BW_BUS_KEY_FILE"] ?? ""

    /// The bus's endpoints, with this command's keys when a key file is given.
    func endpoints() throws -> BusEndpoints {
        var endpoints = BusEndpoints(host: busHost, basePort: busPort)
        if !keyFile.isEmpty { endpoints.credentials = try BusKeyFile.load(path: keyFile).credentials(path: keyFile) }
        return endpoints
    }
}

extension Tradectl {
    /// Parses the command line and runs the chosen command asynchronously (a thin
    /// executable cannot use `@main` on a type from another module).
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
