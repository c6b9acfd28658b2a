import ArgumentParser
import BusKit
import Foundation
import ServiceRuntime

/// `tradectl up`: the whole suite on this machine, bus first, logs prefixed by service.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start every service locally (paper venue, SQLite in --data, keys in --data/keys, made on the first start); Ctrl-C stops them all.")

    @Option(help: "Where the SQLite journal lives.")
    var data = "./data"

    @Option(help: "Where the service executables are (default: next to tradectl).")
    var binDirectory: String?

    func run() async throws {
        let bin = binDirectory ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let dataDirectory = URL(fileURLWithPath: data).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let processes = SuiteLayout.localProcesses(binDirectory: bin, dataDirectory: dataDirectory, keysDirectory: try keys(in: dataDirectory), environment: [:])
        let status = try await Supervisor(processes: processes).run()
        if status != 0 { throw ExitCode(status) }
    }

    /// The suite's key set, `<data>/keys`, made on the first start and kept after; nil
    /// when BW_INSECURE_BUS=true asks for a plain-text bus (each service then warns of it).
    private func keys(in dataDirectory: String) throws -> String? {
        guard try !Settings().insecureBus() else { return nil }
        let directory = dataDirectory + "/keys"
        if !BusKeySet.exists(in: directory) {
            let peers = try BusKeySet.make(in: directory)
            print("tradectl up: made the bus's keys in \(directory) (\(peers.map(\.name).joined(separator: ", ")); tradectl uses operator.key)")
        } else if try BusKeySet.addVenueKeys(in: directory) {
            print("tradectl up: added venue-sim's keys to \(directory)")
        }
        return directory
    }
}
