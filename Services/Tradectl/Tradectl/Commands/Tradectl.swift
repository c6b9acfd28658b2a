import ArgumentParser

/// `tradectl`: the command-line client of Breakwater.
public struct Tradectl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tradectl",
        abstract: "Breakwater's command-line client: submit and query orders, run the suite locally.",
        subcommands: [Up.self, OrderCommand.self, BusCommandGroup.self, RiskCommand.self, DatabaseCommandGroup.self, TapCommand.self, TraceCommand.self, ReconCommandGroup.self, VenueCommandGroup.self])

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
