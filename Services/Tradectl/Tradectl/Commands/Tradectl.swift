import ArgumentParser
import BusKit
import Foundation
import ServiceRuntime

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

    @Option(help: "This operator's key file (default: BW_BUS_KEY_FILE, else data/keys/operator.key if present). Without one, only BW_INSECURE_BUS=true talks to a plain-text bus.")
    var keyFile = ProcessInfo.processInfo.environment["BW_BUS_KEY_FILE"] ?? ""

    /// The key `tradectl keys init` makes for tradectl, used when present and no other is named.
    static let defaultKeyFile = "data/keys/operator.key"

    /// The bus's endpoints with this command's keys, by the services' rule (Settings.busKeyFile):
    /// a key file, or plain text only when BW_INSECURE_BUS=true.
    func endpoints() throws -> BusEndpoints {
        var endpoints = BusEndpoints(host: busHost, basePort: busPort)
        endpoints.credentials = try Self.withKeyRule(keyFile) { try $0.busKeyFile()?.credentials() }
        return endpoints
    }

    /// `body` on the settings of a command given `keyFile` (or none): that file, else the
    /// default operator key when present (unless BW_INSECURE_BUS=true); a configuration error
    /// names the option.
    static func withKeyRule<T>(_ keyFile: String, _ body: (Settings) throws -> T) throws -> T {
        var values = ProcessInfo.processInfo.environment
        if keyFile.isEmpty, try !Settings(values).insecureBus(), FileManager.default.fileExists(atPath: defaultKeyFile) {
            values["BW_BUS_KEY_FILE"] = defaultKeyFile
        } else {
            values["BW_BUS_KEY_FILE"] = keyFile
        }
        do {
            return try body(Settings(values))
        } catch let error as ConfigurationError {
            throw ValidationError("\(error) (tradectl: --key-file; default \(defaultKeyFile) when present)")
        }
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
