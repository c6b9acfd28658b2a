import Foundation
import ZeroMQ

/// The key set of one suite (docs/security.md): `bus.key`, `venue-sim.key`, one
/// `<service>.key` per service on the bus, `operator.key` and `peers.json`, in one
/// directory. `tradectl keys init`, `tradectl up` and the test harness make it, and start
/// each process with its file, here.
public enum BusKeySet {
    /// The services that connect to the bus, each with a key of role `service:<name>`.
    public static let services = ["persistence-writer", "risk-service", "order-gateway", "reconciler"]

    /// The peers of a local suite: each service, and one operator key for tradectl.
    public static let peers: [(name: String, role: String)] = services.map { ($0, "service:\($0)") } + [("operator", "operator")]

    /// The paper venue: a CURVE server of its own (`venue-sim.key`), admitting the services and the operator.
    public static let venue = "venue-sim"

    /// Whether `directory` already holds a key set (its `bus.key`).
    public static func exists(in directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/bus.key")
    }

    /// Creates the key set in `directory` (created mode 0700; each secret file 0600), plus
    /// the `extra` peers (name, role); returns the peers listed. Refuses a directory that has one.
    @discardableResult
    public static func make(in directory: String, extra: [(name: String, role: String)] = []) throws -> [BusPeer] {
        guard !exists(in: directory) else {
            throw BusKeyError.unwritable(path: directory + "/bus.key", reason: "it exists: a key set is made once (remove the directory to start over)")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let server = try CurveKeyPair.generate(), venueServer = try CurveKeyPair.generate()
        try BusKeyFile(name: "bus", role: "bus", keyPair: server, serverKey: server.publicKey).write(to: directory + "/bus.key")
        try venueKeyFile(venueServer).write(to: directory + "/\(venue).key")
        var listed: [BusPeer] = []
        for (name, role) in peers + extra {
            let pair = try CurveKeyPair.generate()
            try BusKeyFile(name: name, role: role, keyPair: pair, serverKey: server.publicKey, venueServerKey: venueServer.publicKey)
                .write(to: directory + "/\(name).key")
            listed.append(BusPeer(name: name, role: role, publicKey: pair.publicKey))
        }
        try BusPeerList.write(listed, to: directory + "/peers.json")
        return listed
    }

    /// Gives a key set made before venue-sim had keys its `venue-sim.key`, and venue-sim's
    /// public key to every listed peer's file in `directory`; false when it had them already.
    @discardableResult
    public static func addVenueKeys(in directory: String) throws -> Bool {
        let venuePath = directory + "/\(venue).key"
        guard exists(in: directory), !FileManager.default.fileExists(atPath: venuePath) else { return false }
        let venueServer = try CurveKeyPair.generate()
        for peer in try BusPeerList(path: directory + "/peers.json").all where peer.role != "client" {
            let path = directory + "/\(peer.name).key"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            var file = try BusKeyFile.load(path: path)
            file.venueServerKey = venueServer.publicKey.z85
            try file.write(to: path)
        }
        // Last: its presence marks the set as complete.
        try venueKeyFile(venueServer).write(to: venuePath)
        return true
    }

    /// venue-sim's own file: its server pair (`server_key` is its own public key, as the bus's).
    private static func venueKeyFile(_ pair: CurveKeyPair) -> BusKeyFile {
        BusKeyFile(name: venue, role: "venue", keyPair: pair, serverKey: pair.publicKey)
    }

    /// The settings that start the executable `name` with its key from `directory`: the bus
    /// and venue-sim with their keys and the peer list, a service with its own key; nothing
    /// for another process.
    public static func environment(for name: String, in directory: String) -> [String: String] {
        if name == "bus" { return ["BW_BUS_KEY_FILE": directory + "/bus.key", "BW_BUS_PEERS_FILE": directory + "/peers.json"] }
        if name == venue { return ["BW_VENUE_KEY_FILE": directory + "/\(venue).key", "BW_VENUE_PEERS_FILE": directory + "/peers.json"] }
        guard services.contains(name) else { return [:] }
        return ["BW_BUS_KEY_FILE": directory + "/\(name).key"]
    }
}
