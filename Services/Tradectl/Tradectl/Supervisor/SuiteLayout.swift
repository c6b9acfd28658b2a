import BusKit
import Foundation

/// The suite as `tradectl up` runs it on one machine: which executables, in which order, with which settings.
public enum SuiteLayout {
    /// The services in start order: the bus first (everyone connects to it), the writer before anyone who appends
    /// to the journal, the venue before those who talk to it. The supervisor stops them in the reverse order.
    public static let serviceNames = [
        "bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler",
    ]

    /// Name of the database file the persistence writer opens inside the data directory.
    public static let databaseFileName = "breakwater.sqlite"

    /// One `SupervisedProcess` per service, running `<binDirectory>/<name>` with `environment`; the persistence
    /// writer also gets `BW_DB_PATH=<dataDirectory>/breakwater.sqlite`. Relative directories are resolved against
    /// the current directory, since the supervisor executes absolute paths. With `keysDirectory` (a key set,
    /// `BusKeySet`) the bus gets its key and the peer list, each service on the bus its own key.
    public static func localProcesses(
        binDirectory: String,
        dataDirectory: String,
        keysDirectory: String? = nil,
        environment: [String: String]
    ) -> [SupervisedProcess] {
        let binDirectory = URL(fileURLWithPath: binDirectory).standardizedFileURL
        let databasePath = URL(fileURLWithPath: dataDirectory).standardizedFileURL
            .appendingPathComponent(databaseFileName).path
        return serviceNames.map { name in
            var processEnvironment = environment
            if let keysDirectory {
                processEnvironment.merge(BusKeySet.environment(for: name, in: URL(fileURLWithPath: keysDirectory).standardizedFileURL.path)) { _, key in key }
            }
            if name == "persistence-writer" {
                processEnvironment["BW_DB_PATH"] = databasePath
            }
            if name == "venue-sim", processEnvironment["BW_VENUE_STATE_PATH"] == nil {
                // The paper venue keeps its book across restarts next to the journal.
                processEnvironment["BW_VENUE_STATE_PATH"] = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("venue-book.json").path
            }
            return SupervisedProcess(
                name: name,
                executable: binDirectory.appendingPathComponent(name).path,
                environment: processEnvironment
            )
        }
    }
}
