import BusKit
import BusProtocol
import Foundation
import Glibc
import Logging
import Synchronization
import Testing
import TestSupport
import TradingModel
import ZeroMQ

/// Issue 16, step 1, against the real executables: an authenticated bus (CURVE on every
/// socket, a ZAP handler admitting the listed keys). The whole suite trades over it with the
/// keys `tradectl keys init` made; a connection with no key or an unknown key gets nothing,
/// and the unknown key's refusals are counted; a key added (or removed) takes effect on SIGHUP.
@Suite("an authenticated bus (CURVE)", .serialized)
struct BusAuthenticationTests {
    /// A suite (each service with its key of the suite's key set, as `tradectl up` starts
    /// them; the test as the operator); the bus serves /metrics.
    static func authenticatedSuite() throws -> (suite: Suite, keys: String, busHTTP: Int) {
        let suite = try Suite()
        let busHTTP = FreePorts.block(of: 1)
        suite.serviceEnvironment["bus"] = ["BW_HTTP_PORT": "\(busHTTP)"]
        suite.clientCredentials = try suite.credentials("operator")
        return (suite, suite.keysDirectory, busHTTP)
    }

    /// Whether a new connection with `credentials` gets an answer to `bus.status` within 2 s.
    static func answered(_ suite: Suite, credentials: BusCredentials?) async throws -> Bool {
        var endpoints = BusEndpoints(host: "127.0.0.1", basePort: suite.busPort)
        endpoints.credentials = credentials
        let context = ZMQContext()
        var logger = Logger(label: "auth-test")
        logger.logLevel = .critical
        let connection = try BusConnection(configuration: .init(endpoints: endpoints, identity: "auth-\(UUID())"), context: context, logger: logger)
        connection.start()
        defer {
            connection.stop()
            context.terminate()
        }
        do {
            let reply = try await connection.request(
                service: BusCommand.service, type: BusCommand.status, body: Data("{}".utf8), timeout: .seconds(2), attempts: 1)
            return reply.header.type != "error"
        } catch {
            return false
        }
    }

    static func refusals(_ port: Int) async -> Int {
        guard let metrics = await HTTPProbe.get(port: port, path: "/metrics") else { return -1 }
        return HTTPProbe.sample(metrics.body, metric: "bw_bus_handshakes_refused_total") ?? 0
    }

    @Test("the suite trades over CURVE with its keys; no key and an unknown key get no reply; the unknown key is counted")
    func onlyListedKeysGetAnAnswer() async throws {
        let (suite, keys, busHTTP) = try Self.authenticatedSuite()
        defer { suite.tearDown() }
        // `tradectl keys init` makes the same set; the secrets are the owner's only; the peer list holds no secret.
        let made = suite.dataDirectory + "/made-by-tradectl"
        let initialized = try TradectlProcess.run(["keys", "init", "--dir", made])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        for directory in [keys, made] {
            for name in ["bus", "operator"] + BusKeySet.services {
                let mode = try FileManager.default.attributesOfItem(atPath: directory + "/\(name).key")[.posixPermissions] as? NSNumber
                #expect(mode?.intValue == 0o600, "\(directory)/\(name).key")
            }
            #expect(try !String(contentsOfFile: directory + "/peers.json", encoding: .utf8).contains("secret"))
        }
        try suite.start()

        let client = try suite.client()
        defer { client.close() }
        #expect(try await client.waitUntilReady())
        let order = try await client.submit(OrderSubmit(
            clientOrderId: "curve-1", account: "acct-1", symbol: "BTC/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!))
        #expect(order.state == .filled)

        #expect(try await !Self.answered(suite, credentials: nil))
        let stranger = try CurveKeyPair.generate()
        let serverKey = try BusKeyFile.load(path: keys + "/bus.key").credentials().keyPair.publicKey
        #expect(try await !Self.answered(suite, credentials: BusCredentials(name: "stranger", keyPair: stranger, serverKey: serverKey)))
        #expect(try await eventually { await Self.refusals(busHTTP) >= 1 })
        let log = try String(contentsOfFile: suite.dataDirectory + "/logs/bus.log", encoding: .utf8)
        #expect(log.contains("bus.handshake.refused") && log.contains(stranger.publicKey.fingerprint))
        #expect(!log.contains(stranger.secretKey.z85) && !log.contains(stranger.publicKey.z85))
    }

    @Test("a client key added with tradectl keys add-client works after SIGHUP, and stops working when removed and reloaded")
    func keysReloadOnHangUp() async throws {
        let (suite, keys, _) = try Self.authenticatedSuite()
        defer { suite.tearDown() }
        try suite.start(["bus"])
        #expect(try await eventually(timeout: .seconds(30)) { try await Self.answered(suite, credentials: suite.clientCredentials) })

        let added = try TradectlProcess.run(["keys", "add-client", "--dir", keys, "--name", "strategy-1", "--accounts", "acct-1"])
        #expect(added.status == 0, "\(added.stderr)")
        let strategy = try BusKeyFile.load(path: keys + "/strategy-1.key").credentials()
        #expect(try await !Self.answered(suite, credentials: strategy))  // not admitted before the reload
        suite.signal("bus", SIGHUP)
        #expect(try await eventually(timeout: .seconds(20)) { try await Self.answered(suite, credentials: strategy) })

        let list = try BusPeerList(path: keys + "/peers.json")
        #expect(list.all.contains { $0.name == "strategy-1" && $0.role == "client" && $0.accounts == ["acct-1"] })
        try BusPeerList.write(list.all.filter { $0.name != "strategy-1" }, to: keys + "/peers.json")
        suite.signal("bus", SIGHUP)
        #expect(try await eventually(timeout: .seconds(20)) { try await !Self.answered(suite, credentials: strategy) })
        #expect(try await Self.answered(suite, credentials: suite.clientCredentials))  // the others still work

        // Bad input: a second init, a client without accounts, and a key file others can read.
        #expect(try TradectlProcess.run(["keys", "init", "--dir", keys]).status != 0)
        #expect(try TradectlProcess.run(["keys", "add-client", "--dir", keys, "--name", "s2", "--accounts", ","]).status != 0)
        chmod(keys + "/operator.key", 0o644)
        let open = try TradectlProcess.run(["bus", "status", "--bus-port", "\(suite.busPort)", "--key-file", keys + "/operator.key"])
        #expect(open.status != 0 && open.stderr.contains("chmod 600"))
    }

    @Test("a bus given a key file but no peer list, or a peer list but no key, refuses to start and says why")
    func halfConfiguredSecurityStopsTheBus() throws {
        let (suite, keys, _) = try Self.authenticatedSuite()
        defer { suite.tearDown() }
        let noPeers = try suite.runToExit("bus", environment: ["BW_BUS_PEERS_FILE": ""])
        #expect(noPeers.status != 0 && noPeers.stderr.contains("BW_BUS_PEERS_FILE"))
        let noKey = try suite.runToExit("bus", environment: ["BW_BUS_KEY_FILE": "", "BW_INSECURE_BUS": "true"])
        #expect(noKey.status != 0 && noKey.stderr.contains("BW_BUS_PEERS_FILE is set: the bus needs its own key file too"))
        let garbage = suite.dataDirectory + "/garbage.json"
        try Data("{\"peers\": [{\"name\": \"x\"".utf8).write(to: URL(fileURLWithPath: garbage))
        let badPeers = try suite.runToExit("bus", environment: ["BW_BUS_KEY_FILE": keys + "/bus.key", "BW_BUS_PEERS_FILE": garbage])
        #expect(badPeers.status != 0 && badPeers.stderr.contains("peer list"))
    }

    /// The refusal of one raw request (code and reason), or nil when it was answered with success.
    static func refusal(
        _ client: SuiteClientConnection, service: String, type: String, key: String?, body: String
    ) async throws -> String? {
        let reply = try await client.bus.request(service: service, type: type, key: key, body: Data(body.utf8), timeout: .seconds(10), attempts: 1)
        guard reply.header.isError else { return nil }
        let error = reply.errorBody()
        return "\(error.code.rawValue)/\(error.reason)"
    }

    @Test("roles from the key: a client trades its own accounts only; the operator has the controls but not the services' calls; a service registers as itself and sends its own calls only")
    func rolesAreEnforcedByTheBus() async throws {
        let (suite, keys, _) = try Self.authenticatedSuite()
        defer { suite.tearDown() }
        let added = try TradectlProcess.run(["keys", "add-client", "--dir", keys, "--name", "strategy-1", "--accounts", "acct-1"])
        #expect(added.status == 0, "\(added.stderr)")
        try suite.start()
        let operatorClient = try suite.client()
        defer { operatorClient.close() }
        #expect(try await operatorClient.waitUntilReady())

        suite.clientCredentials = try BusKeyFile.load(path: keys + "/strategy-1.key").credentials()
        let strategy = try suite.client()
        defer { strategy.close() }
        let mine = #"{"client_order_id":"role-1","account":"acct-1","symbol":"BTC/USDT","side":"buy","type":"market","qty":"0.01"}"#
        let theirs = #"{"client_order_id":"role-2","account":"acct-2","symbol":"BTC/USDT","side":"buy","type":"market","qty":"0.01"}"#
        #expect(try await Self.refusal(strategy, service: "order-gateway", type: "order.submit", key: "acct-1", body: mine) == nil)
        #expect(try await Self.refusal(strategy, service: "order-gateway", type: "order.submit", key: "acct-2", body: theirs) == "FORBIDDEN/account_not_bound")
        #expect(try await Self.refusal(strategy, service: "order-gateway", type: "order.cancel", key: "acct-2",
            body: #"{"account":"acct-2","client_order_id":"role-1"}"#) == "FORBIDDEN/account_not_bound")
        // Keyed by its own account but about another: the gateway refuses it.
        #expect(try await Self.refusal(strategy, service: "order-gateway", type: "order.submit", key: "acct-1", body: theirs) == "INVALID_REQUEST/key_mismatch")
        #expect(try await Self.refusal(strategy, service: "persistence-writer", type: "journal.append", key: nil, body: #"{"facts":[]}"#) == "FORBIDDEN/not_for_clients")
        #expect(try await Self.refusal(strategy, service: "risk-service", type: "risk.reset", key: "acct-1", body: #"{"account":"acct-1"}"#) == "FORBIDDEN/not_for_clients")
        #expect(try await Self.refusal(strategy, service: "bus", type: "bus.ready", key: nil,
            body: #"{"service":"order-gateway","worker":"fake"}"#) == "FORBIDDEN/not_that_service")
        #expect(try await Self.refusal(strategy, service: "risk-service", type: "risk.show", key: "acct-1", body: #"{"account":"acct-1"}"#) == nil)

        #expect(try await Self.refusal(operatorClient, service: "risk-service", type: "risk.trip", key: "acct-2",
            body: #"{"account":"acct-2","reason":"roles"}"#) == nil)
        #expect(try await Self.refusal(operatorClient, service: "risk-service", type: "risk.reset", key: "acct-2", body: #"{"account":"acct-2"}"#) == nil)
        #expect(try await Self.refusal(operatorClient, service: "persistence-writer", type: "journal.append", key: nil, body: #"{"facts":[]}"#) == "FORBIDDEN/service_only")

        suite.clientCredentials = try BusKeyFile.load(path: keys + "/order-gateway.key").credentials()
        let gatewayKey = try suite.client()
        defer { gatewayKey.close() }
        #expect(try await Self.refusal(gatewayKey, service: "bus", type: "bus.ready", key: nil,
            body: #"{"service":"risk-service","worker":"impostor"}"#) == "FORBIDDEN/not_that_service")
        // A stolen service key: no operator's control, and no other service's internal call.
        #expect(try await Self.refusal(gatewayKey, service: "risk-service", type: "risk.reset", key: "acct-2", body: #"{"account":"acct-2"}"#) == "FORBIDDEN/operator_only")
        #expect(try await Self.refusal(gatewayKey, service: "order-gateway", type: "order.resume", key: "acct-2", body: #"{"account":"acct-2"}"#) == "FORBIDDEN/operator_only")
        let reconcilerKey = try suite.client(as: "reconciler")
        defer { reconcilerKey.close() }
        #expect(try await Self.refusal(reconcilerKey, service: "risk-service", type: "risk.authorize", key: "acct-1", body: #"{}"#) == "FORBIDDEN/not_this_services_call")
        #expect(try await Self.refusal(reconcilerKey, service: "risk-service", type: "risk.show", key: "acct-1", body: #"{"account":"acct-1"}"#) == nil)

        // A key removed while connected: its next request is refused, without a restart.
        let list = try BusPeerList(path: keys + "/peers.json")
        try BusPeerList.write(list.all.filter { $0.name != "strategy-1" }, to: keys + "/peers.json")
        suite.signal("bus", SIGHUP)
        #expect(try await eventually(timeout: .seconds(20)) {
            try await Self.refusal(strategy, service: "risk-service", type: "risk.show", key: "acct-1", body: #"{"account":"acct-1"}"#) == "FORBIDDEN/peer_not_listed"
        })
    }

    /// What the writer answered an append: the ack's status, or `CODE/reason`.
    static func appended(_ client: SuiteClientConnection, _ append: JournalAppend) async throws -> String {
        let reply = try await client.bus.request(
            service: JournalAPI.service, type: JournalAPI.append, body: WireCodec.encode(append), timeout: .seconds(10), attempts: 1)
        guard !reply.header.isError else {
            let error = reply.errorBody()
            return "\(error.code.rawValue)/\(error.reason)"
        }
        return try reply.decode(AppendAck.self).status
    }

    /// Counts what arrives on `events`.
    static func counting(_ events: AsyncStream<Message>) -> (count: @Sendable () -> Int, task: Task<Void, Never>) {
        let seen = Mutex(0)
        let task = Task { for await _ in events { seen.withLock { $0 += 1 } } }
        return ({ seen.withLock { $0 } }, task)
    }

    @Test("the writer journals each fact only from the service that owns it, and only risk-service writes under a fence; the event plane is for services and the operator")
    func theWriterChecksWhoJournalsWhatAndClientsSeeNoEvents() async throws {
        let (suite, keys, busHTTP) = try Self.authenticatedSuite()
        defer { suite.tearDown() }
        let added = try TradectlProcess.run(["keys", "add-client", "--dir", keys, "--name", "strategy-1", "--accounts", "acct-1"])
        #expect(added.status == 0, "\(added.stderr)")
        try suite.start(["bus", "persistence-writer"])
        let gateway = try suite.client(as: "order-gateway"), risk = try suite.client(as: "risk-service")
        let reconciler = try suite.client(as: "reconciler")
        // The operator watches the facts; a strategy's key is refused at the event plane's handshake.
        let watcher = try suite.client(as: "operator", subscriptions: [JournalAPI.factTopic])
        let strategy = try suite.client(as: "strategy-1", subscriptions: [JournalAPI.factTopic])
        defer { [gateway, risk, reconciler, watcher, strategy].forEach { $0.close() } }
        let watched = Self.counting(watcher.bus.events), leaked = Self.counting(strategy.bus.events)
        defer { [watched.task, leaked.task].forEach { $0.cancel() } }

        let intent = JournalProducer.fact(producer: "rights", index: 0)
        let accepted = Fact(id: "accepted:rights-0", account: intent.account, payload: .orderAccepted(OrderAccepted(clientOrderId: intent.id, venueOrderId: "v-1")))
        let halt = Fact(id: "halt:rights", account: intent.account, payload: .tradingHalt(TradingHalt(halted: true, reason: "test", operationId: "op-1")))
        // A stolen gateway key cannot journal an intent (spending a reservation risk never approved), nor a halt under a fence.
        #expect(try await eventually(timeout: .seconds(30)) {
            try await Self.appended(gateway, JournalAppend(facts: [intent])) == "FORBIDDEN/fact_not_allowed"
        })
        #expect(try await Self.appended(gateway, JournalAppend(facts: [halt], partition: 3, epoch: 1)) == "FORBIDDEN/fence_not_allowed")
        #expect(try await Self.appended(reconciler, JournalAppend(facts: [halt])) == "FORBIDDEN/fact_not_allowed")
        #expect(try await Self.appended(risk, JournalAppend(facts: [accepted])) == "FORBIDDEN/fact_not_allowed")
        #expect(try JournalFile.count(suite.databasePath, "journal") == 0, "a refused append journals nothing")
        // Each its own: risk the intent, the gateway the venue's answer and the halt.
        #expect(try await Self.appended(risk, JournalAppend(facts: [intent])) == "committed")
        #expect(try await Self.appended(gateway, JournalAppend(facts: [accepted, halt])) == "committed")

        // The operator sees facts; the strategy's subscription was refused (counted) and saw none.
        var index = 1
        #expect(try await eventually(timeout: .seconds(30)) {
            _ = try await Self.appended(reconciler, JournalAppend(facts: [JournalProducer.fact(producer: "rights", index: index)]))
            index += 1
            return watched.count() > 0
        })
        #expect(try await eventually { await Self.refusals(busHTTP) >= 1 })
        #expect(leaked.count() == 0)
        let log = try String(contentsOfFile: suite.dataDirectory + "/logs/bus.log", encoding: .utf8)
        let strategyKey = try suite.credentials("strategy-1").keyPair.publicKey
        #expect(log.contains("bus.handshake.refused") && log.contains(strategyKey.fingerprint))
    }
}
