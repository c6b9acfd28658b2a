import BusKit
import Foundation
import Glibc
import Logging
import ZeroMQ

/// The real executables of the suite, started for one test on its own ports and
/// data directory, and stopped (SIGTERM, then SIGKILL) at the end.
public final class Suite: @unchecked Sendable {
    public static let serviceOrder = ["bus", "persistence-writer", "venue-sim", "risk-service", "order-gateway", "reconciler"]

    public let busPort: Int
    public let venuePort: Int
    public let dataDirectory: String
    public var databasePath: String { dataDirectory + "/breakwater.sqlite" }
    public var endpoints: BusEndpoints {
        var endpoints = BusEndpoints(host: "127.0.0.1", basePort: busPort)
        endpoints.credentials = clientCredentials
        return endpoints
    }
    /// The keys of the test's own connections to the bus: `test-service`'s of the suite's key
    /// set, since tests also play a service (journal appends); a test that plays another
    /// (`client(as: "order-gateway")` for risk.authorize) or uses the controls (`"operator"`)
    /// connects with that key, a test of the roles sets another (nil: plain text, for a test
    /// that sets BW_INSECURE_BUS=true).
    public var clientCredentials: BusCredentials?
    /// The suite's key set (`BusKeySet`, as `tradectl up` makes it), plus `test-service`, a
    /// key of role `service:reconciler` for a test that plays a service: it journals what the
    /// reconciler may (venue facts, adopted intents, reconciliation facts; the writer's
    /// `AppendRights`) and sends what any service may (the gateway's order calls, the reads).
    public let keysDirectory: String
    /// Extra environment for every service started after it is set (e.g. tighter limits).
    public var environment: [String: String] = [:]
    /// The paper venue's saved book (BW_VENUE_STATE_PATH), so a restarted venue-sim keeps it.
    public var venueStatePath: String { dataDirectory + "/venue-book.json" }
    private var processes: [String: Process] = [:]
    private var exits: [String: DispatchSemaphore] = [:]
    private let logDirectory: String
    /// Extra environment for one service (e.g. its BW_HTTP_PORT).
    public var serviceEnvironment: [String: [String: String]] = [:]

    public init() throws {
        busPort = FreePorts.block(of: 4)
        venuePort = FreePorts.block(of: 2)
        dataDirectory = NSTemporaryDirectory() + "breakwater-\(UUID().uuidString)"
        logDirectory = dataDirectory + "/logs"
        keysDirectory = dataDirectory + "/keys"
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        try BusKeySet.make(in: keysDirectory, extra: [("test-service", "service:reconciler")])
        clientCredentials = try credentials("test-service")
    }

    /// The keys of the peer `name` of the suite's key set (e.g. "operator", "test-service").
    public func credentials(_ name: String) throws -> BusCredentials {
        try BusKeyFile.load(path: keyFile(name)).credentials()
    }

    /// The key file of the peer `name` of the suite's key set.
    public func keyFile(_ name: String) -> String {
        keysDirectory + "/\(name).key"
    }

    /// Whether every process runs the bus in plain text (`useInsecureBus`).
    public private(set) var isInsecure = false

    /// Runs this suite's bus in plain text, BW_INSECURE_BUS=true for every process and no
    /// keys: for a test of that mode only.
    public func useInsecureBus() {
        isInsecure = true
        clientCredentials = nil
    }

    /// What starts the executable `name` on this suite's bus: its key (the bus: and the peer
    /// list), or BW_INSECURE_BUS=true.
    func busSettings(_ name: String) -> [String: String] {
        var environment = isInsecure ? ["BW_INSECURE_BUS": "true"] : BusKeySet.environment(for: name, in: keysDirectory)
        environment["BW_BUS_PORT"] = "\(busPort)"
        return environment
    }

    /// The directory holding the built executables (next to the test bundle).
    public static var binDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("bus").path) {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }

    /// Starts every service, in order.
    public func start(_ names: [String] = Suite.serviceOrder) throws {
        for name in names { try start(name) }
    }

    /// Starts one service (its output goes to a log file in the data directory).
    public func start(_ name: String) throws {
        try start(name, as: name)
    }

    /// Starts the executable `name` under `label` (so one executable can run twice,
    /// e.g. an active and a standby writer), with `environment` added to the suite's.
    public func start(_ name: String, as label: String, environment extra: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/" + name)
        var environment = ProcessInfo.processInfo.environment
        environment.merge(busSettings(name)) { _, new in new }
        environment["BW_VENUE_PORT"] = "\(venuePort)"
        environment["BW_DB_PATH"] = databasePath
        environment["BW_LOG_LEVEL"] = "notice"
        environment["BW_VENUE_STATE_PATH"] = venueStatePath
        environment.merge(self.environment) { _, extra in extra }
        environment.merge(extra) { _, new in new }
        environment.merge(serviceEnvironment[name] ?? [:]) { _, new in new }
        process.environment = environment
        let log = logDirectory + "/\(label).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try ChildLaunch.run(process)
        processes[label] = process
        exits[label] = exited
    }

    /// The process id of the running service `label`, if it runs.
    public func pid(_ label: String) -> Int32? {
        processes[label]?.processIdentifier
    }

    /// Whether the service `label` was started and has not exited.
    public func isRunning(_ label: String) -> Bool {
        processes[label]?.isRunning ?? false
    }

    /// Waits for a service to exit by itself; its exit status, or nil if it still runs after `timeout`.
    public func exitStatus(_ name: String, timeout: Duration) -> Int32? {
        guard let process = processes[name], let exited = exits[name] else { return nil }
        guard exited.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .success else { return nil }
        processes[name] = nil
        return process.terminationStatus
    }

    /// Sends a signal to a running service (e.g. SIGSTOP / SIGCONT to freeze and thaw it).
    public func signal(_ name: String, _ signal: Int32) {
        guard let process = processes[name] else { return }
        Glibc.kill(process.processIdentifier, signal)
    }

    /// kill -9: the process gets no chance to clean up.
    public func kill(_ name: String) {
        guard let process = processes.removeValue(forKey: name) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        ChildLaunch.awaitKilled(process, exited: exits[name])
    }

    /// SIGTERM to every service in reverse order (extra labels first); SIGKILL what is
    /// left after 5 s.
    public func stop() {
        let extra = processes.keys.filter { !Suite.serviceOrder.contains($0) }.sorted()
        for name in extra + Suite.serviceOrder.reversed() {
            guard let process = processes.removeValue(forKey: name) else { continue }
            process.terminate()
            if exits[name]?.wait(timeout: .now() + 5) == .timedOut {
                Glibc.kill(process.processIdentifier, SIGKILL)
                ChildLaunch.awaitKilled(process, exited: exits[name])
            }
        }
    }

    /// Sends SIGTERM to one service and waits up to `timeout` for it to exit; returns
    /// its exit status, or nil if it had to be killed.
    public func terminate(_ name: String, timeout: Duration = .seconds(10)) -> Int32? {
        guard let process = processes.removeValue(forKey: name) else { return nil }
        process.terminate()
        let seconds = Double(timeout.components.seconds)
        if exits[name]?.wait(timeout: .now() + seconds) == .timedOut {
            Glibc.kill(process.processIdentifier, SIGKILL)
            ChildLaunch.awaitKilled(process, exited: exits[name])
            return nil
        }
        return process.terminationStatus
    }

    /// Everything a service wrote to stdout/stderr so far.
    public func log(_ name: String) -> String {
        (try? String(contentsOfFile: logDirectory + "/\(name).log", encoding: .utf8)) ?? ""
    }

    /// Every log file's content, by service.
    public func allLogs() -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logDirectory)) ?? []
        return Dictionary(uniqueKeysWithValues: names.map { ($0, (try? String(contentsOfFile: logDirectory + "/" + $0, encoding: .utf8)) ?? "") })
    }

    /// Stops the services and removes the data directory.
    public func tearDown() {
        stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// venue-sim's endpoints, reached as `test-service` (a service key: venue-sim admits it);
    /// plain text with `useInsecureBus`.
    public var venueEndpoints: VenueEndpoints {
        get throws {
            let credentials = isInsecure ? nil : try BusKeyFile.load(path: keyFile("test-service")).venueCredentials()
            return VenueEndpoints(host: "127.0.0.1", port: venuePort, credentials: credentials)
        }
    }

    /// A client connection to this suite's bus (with `clientCredentials`).
    public func client() throws -> SuiteClientConnection {
        try SuiteClientConnection(endpoints: endpoints)
    }

    /// A client connection with the keys of the peer `name` (e.g. "test-service"), receiving
    /// the events whose topics start with `subscriptions`.
    public func client(as name: String, subscriptions: [String] = []) throws -> SuiteClientConnection {
        var endpoints = endpoints
        endpoints.credentials = try credentials(name)
        return try SuiteClientConnection(endpoints: endpoints, subscriptions: subscriptions)
    }

    /// A client connection that also receives the events whose topics start with `subscriptions`.
    public func client(subscriptions: [String]) throws -> SuiteClientConnection {
        try SuiteClientConnection(endpoints: endpoints, subscriptions: subscriptions)
    }

    /// Runs the executable `name` with the suite's environment plus `environment` until
    /// it exits by itself (e.g. refusing a bad setting): its exit status and stderr.
    /// A process still running after `timeout` is killed and reported as status -1.
    public func runToExit(
        _ name: String, environment extra: [String: String], timeout: Duration = .seconds(20)
    ) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/" + name)
        var environment = ProcessInfo.processInfo.environment
        environment.merge(busSettings(name)) { _, new in new }
        environment["BW_DB_PATH"] = databasePath
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let log = logDirectory + "/\(name)-\(UUID().uuidString).stderr"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try ChildLaunch.run(process)
        if exited.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1_000))) == .timedOut {
            Glibc.kill(process.processIdentifier, SIGKILL)
            ChildLaunch.awaitKilled(process, exited: exited)
            return (-1, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}

/// A test's client connection to the bus (its own ZeroMQ context).
public final class SuiteClientConnection: Sendable {
    public let context = ZMQContext()
    public let bus: BusConnection

    init(endpoints: BusEndpoints, subscriptions: [String] = []) throws {
        var logger = Logger(label: "test-client")
        logger.logLevel = .error
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: "test-\(UUID().uuidString)")
        configuration.subscriptions = subscriptions
        bus = try BusConnection(configuration: configuration, context: context, logger: logger)
        bus.start()
    }

    public func close() {
        bus.stop()
        context.terminate()
    }
}
