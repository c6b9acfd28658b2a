import ArgumentParser
import Foundation

/// `tradectl up`: the whole suite on this machine, bus first, logs prefixed by service.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start every service locally (paper venue, SQLite in --data); Ctrl-C stops them all.")

    @Option(help: "Where the SQLite journal lives.")
    var data = "./data"

    @Option(help: "Where the service executables are (default: next to tradectl).")
    var binDirectory: String?

    func run() async throws {
        let bin = binDirectory ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let dataDirectory = URL(fileURLWithPath: data).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let processes = SuiteLayout.localProcesses(binDirectory: bin, dataDirectory: dataDirectory, environment: [:])
        let status = try await Supervisor(processes: processes).run()
        if status != 0 { throw ExitCode(status) }
    }
}
