import BusKit
import Foundation
import Logging
import ServiceRuntime
import Testing
import TestSupport
import VenueKit
import ZeroMQ

/// Issue 16, venue-sim's own endpoints, against the real executable: CURVE on its RPC and
/// stream, a ZAP handler admitting the suite's services and the operator only. A service key
/// is answered; a strategy's client key, an unknown key and no key get nothing, and are
/// counted; no key file stops venue-sim unless BW_INSECURE_BUS=true; a key set made before
/// venue-sim had keys gets them from `tradectl keys init`.
@Suite("venue-sim's endpoints are authenticated (CURVE)", .serialized)
struct VenueAuthenticationTests {
    /// Whether a new venue client with `credentials` gets the instruments within 2 s.
    static func answered(_ suite: Suite, credentials: BusCredentials?) async -> Bool {
        let context = ZMQContext()
        var logger = Logger(label: "venue-auth-test")
        logger.logLevel = .critical
        guard let venue = try? PaperVenueClient(
            venue: VenueEndpoints(host: "127.0.0.1", port: suite.venuePort, credentials: credentials),
            subscribe: [], context: context, logger: logger, timeout: .seconds(2))
        else { return false }
        defer {
            venue.stop()
            context.terminate()
        }
        return (try? await venue.instruments())?.isEmpty == false
    }

    @Test("a service key and the operator are answered; a client key, an unknown key and no key are not, and are counted")
    func onlyTheSuiteReachesTheVenue() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let added = try TradectlProcess.run(["keys", "add-client", "--dir", suite.keysDirectory, "--name", "strategy-1", "--accounts", "acct-1"])
        #expect(added.status == 0, "\(added.stderr)")
        let venueHTTP = FreePorts.block(of: 1)
        suite.serviceEnvironment["venue-sim"] = ["BW_HTTP_PORT": "\(venueHTTP)"]
        try suite.start(["venue-sim"])

        let service = try #require(try suite.venueEndpoints.credentials)
        #expect(try await eventually(timeout: .seconds(30)) { await Self.answered(suite, credentials: service) })
        let operatorKey = try #require(try BusKeyFile.load(path: suite.keyFile("operator")).venueCredentials())
        #expect(await Self.answered(suite, credentials: operatorKey))

        var client = try BusKeyFile.load(path: suite.keyFile("strategy-1")).credentials()
        client.serverKey = service.serverKey  // the venue's right key, but a key it does not admit
        #expect(await !Self.answered(suite, credentials: client))
        let stranger = BusCredentials(name: "stranger", keyPair: try CurveKeyPair.generate(), serverKey: service.serverKey)
        #expect(await !Self.answered(suite, credentials: stranger))
        #expect(await !Self.answered(suite, credentials: nil))
        #expect(try await eventually {
            guard let metrics = await HTTPProbe.get(port: venueHTTP, path: "/metrics") else { return false }
            return (HTTPProbe.sample(metrics.body, metric: "bw_venue_handshakes_refused_total") ?? 0) >= 2
        })
        let log = suite.log("venue-sim")
        #expect(log.contains("venue.handshake.refused") && log.contains(stranger.keyPair.publicKey.fingerprint))
        #expect(!log.contains(stranger.keyPair.secretKey.z85))
    }

    @Test("venue-sim without a key file refuses to start unless BW_INSECURE_BUS=true, naming both; both set is refused too")
    func noKeyNoVenue() throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let refused = try suite.runToExit("venue-sim", environment: ["BW_VENUE_KEY_FILE": "", "BW_VENUE_PEERS_FILE": ""])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("BW_VENUE_KEY_FILE") && refused.stderr.contains("BW_INSECURE_BUS=true"), "\(refused.stderr)")
        let noPeers = try suite.runToExit("venue-sim", environment: ["BW_VENUE_PEERS_FILE": ""])
        #expect(noPeers.status == 2 && noPeers.stderr.contains("BW_VENUE_PEERS_FILE"), "\(noPeers.stderr)")
        let both = try suite.runToExit("venue-sim", environment: ["BW_INSECURE_BUS": "true"])
        #expect(both.status == 2 && both.stderr.contains("configuration BW_INSECURE_BUS") && both.stderr.contains("not both"), "\(both.stderr)")
    }

    @Test("a key set made before venue-sim had keys: a service refuses to start and says how; tradectl keys init adds them")
    func olderKeySetIsCompleted() throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        let keys = suite.keysDirectory
        // As such a set was: no venue-sim.key, no venue_server_key in the peers' files.
        try FileManager.default.removeItem(atPath: keys + "/venue-sim.key")
        for name in BusKeySet.services + ["operator", "test-service"] {
            var file = try BusKeyFile.load(path: keys + "/\(name).key")
            file.venueServerKey = nil
            try file.write(to: keys + "/\(name).key")
        }
        let refused = try suite.runToExit("order-gateway", environment: [:])
        #expect(refused.status == 2 && refused.stderr.contains("BW_BUS_KEY_FILE") && refused.stderr.contains("venue_server_key"), "\(refused.stderr)")

        let upgraded = try TradectlProcess.run(["keys", "init", "--dir", keys])
        #expect(upgraded.status == 0 && upgraded.stdout.contains("added venue-sim.key"), "\(upgraded.stderr)")
        let venue = try BusKeyFile.load(path: keys + "/venue-sim.key").credentials().keyPair.publicKey
        for name in BusKeySet.services + ["operator", "test-service"] {
            #expect(try BusKeyFile.load(path: keys + "/\(name).key").venueCredentials()?.serverKey == venue, "\(name)")
        }
        #expect(try TradectlProcess.run(["keys", "init", "--dir", keys]).status != 0)  // complete now: init refuses again
    }
}
