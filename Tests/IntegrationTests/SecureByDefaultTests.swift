import BusKit
import Foundation
import Testing
import TestSupport

/// Issue 16, step 4, against the real executables: no plain-text bus unless BW_INSECURE_BUS=true
/// is set explicitly. Without a key file every process on the bus refuses to start and names both
/// settings; in plain text each warns in its log and on `/health`; tradectl follows the same rule
/// and finds the operator key `tradectl keys init` made.
@Suite("secure by default (no plain-text bus unless asked)", .serialized)
struct SecureByDefaultTests {
    static let processesOnTheBus = ["bus"] + BusKeySet.services

    @Test("without a key file, and without BW_INSECURE_BUS=true, a process on the bus refuses to start, naming both", arguments: processesOnTheBus)
    func noKeyNoStart(name: String) throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let refused = try suite.runToExit(name, environment: ["BW_BUS_KEY_FILE": "", "BW_BUS_PEERS_FILE": ""])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("BW_BUS_KEY_FILE") && refused.stderr.contains("BW_INSECURE_BUS=true"), "\(refused.stderr)")

        let both = try suite.runToExit(name, environment: ["BW_INSECURE_BUS": "true"])
        #expect(both.status == 2 && both.stderr.contains("configuration BW_INSECURE_BUS") && both.stderr.contains("not both"), "\(both.stderr)")
    }

    @Test("BW_INSECURE_BUS that is not a boolean stops the process")
    func badInsecureSetting() throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let bad = try suite.runToExit("order-gateway", environment: ["BW_BUS_KEY_FILE": "", "BW_INSECURE_BUS": "sure"])
        #expect(bad.status == 2 && bad.stderr.contains("BW_INSECURE_BUS") && bad.stderr.contains("not a boolean"), "\(bad.stderr)")
    }

    @Test("with BW_INSECURE_BUS=true the suite runs in plain text, and each process warns in its log and on /health")
    func insecureWarns() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        suite.useInsecureBus()
        let ports = Dictionary(uniqueKeysWithValues: Self.processesOnTheBus.map { ($0, FreePorts.block(of: 1)) })
        for (name, port) in ports { suite.serviceEnvironment[name] = ["BW_HTTP_PORT": "\(port)"] }
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady())
        for (name, port) in ports {
            let warned = try await eventually(timeout: .seconds(30)) {
                guard let health = await HTTPProbe.get(port: port, path: "/health") else { return false }
                return health.status == 200 && health.body.contains(#""warnings":{"bus.security":"plain_text"#)
            }
            let last = await HTTPProbe.get(port: port, path: "/health")?.body ?? "no answer"
            #expect(warned, "\(name): \(last)")
            #expect(suite.log(name).contains("bus.insecure"), "\(name)")
        }
    }

    @Test("an authenticated suite's /health has no warning")
    func authenticatedHasNoWarning() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let port = FreePorts.block(of: 1)
        suite.serviceEnvironment["bus"] = ["BW_HTTP_PORT": "\(port)"]
        try suite.start(["bus"])
        #expect(try await eventually(timeout: .seconds(30)) { await HTTPProbe.get(port: port, path: "/health")?.status == 200 })
        let health = await HTTPProbe.get(port: port, path: "/health")
        #expect(health?.body == #"{"problems":{},"status":"ok"}"#)
        #expect(!suite.log("bus").contains("bus.insecure"))
    }

    @Test("tradectl up makes the keys on the first start, runs the suite authenticated, and keeps them on the next")
    func upMakesKeysOnce() async throws {
        let suite = try Suite()  // for its ports and directory only; tradectl up starts the services
        defer { suite.tearDown() }
        let data = suite.dataDirectory + "/up-data"
        let keys = data + "/keys"
        var first: String?
        for start in 1...2 {
            let up = Process()
            up.executableURL = URL(fileURLWithPath: Suite.binDirectory + "/tradectl")
            up.arguments = ["up", "--data", data]
            up.environment = ProcessInfo.processInfo.environment.merging(
                ["BW_BUS_PORT": "\(suite.busPort)", "BW_VENUE_PORT": "\(suite.venuePort)", "BW_LOG_LEVEL": "warning"]) { _, new in new }
            up.standardOutput = FileHandle.nullDevice
            up.standardError = FileHandle.nullDevice
            try ChildLaunch.run(up)
            defer {
                up.terminate()
                up.waitUntilExit()
            }
            let ready = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                guard BusKeySet.exists(in: keys) else { return false }
                let status = try TradectlProcess.run(["bus", "status", "--bus-port", "\(suite.busPort)", "--key-file", keys + "/operator.key", "--timeout", "2"])
                return status.status == 0 && status.stdout.contains("order-gateway")
            }
            #expect(ready, "start \(start)")
            let busKey = try String(contentsOfFile: keys + "/bus.key", encoding: .utf8)
            if let first { #expect(busKey == first, "the keys are kept") } else { first = busKey }
        }
        #expect(try BusPeerList(path: keys + "/peers.json").count == BusKeySet.peers.count)
    }

    @Test("tradectl: no key refuses and names --key-file and BW_INSECURE_BUS; data/keys/operator.key is its default")
    func tradectlKeys() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        try suite.start(["bus"])
        let elsewhere = suite.dataDirectory + "/no-keys-here"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let status = ["bus", "status", "--bus-port", "\(suite.busPort)", "--timeout", "5"]
        let refused = try TradectlProcess.run(status, directory: elsewhere)
        #expect(refused.status != 0 && refused.stderr.contains("--key-file") && refused.stderr.contains("BW_INSECURE_BUS=true"), "\(refused.stderr)")

        // Where `make up` runs: ./data/keys/operator.key, found without being named.
        let repository = suite.dataDirectory + "/repository"
        try FileManager.default.createDirectory(atPath: repository + "/data/keys", withIntermediateDirectories: true)
        try BusKeyFile.load(path: suite.keyFile("operator")).write(to: repository + "/data/keys/operator.key")
        #expect(try await eventually(timeout: .seconds(30)) { try TradectlProcess.run(status, directory: repository).status == 0 })
        let named = try TradectlProcess.run(status, environment: ["BW_BUS_KEY_FILE": suite.keyFile("operator")], directory: elsewhere)
        #expect(named.status == 0, "\(named.stderr)")
    }
}
