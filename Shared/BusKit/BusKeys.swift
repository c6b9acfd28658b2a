import BusProtocol
import Foundation
import Glibc
import Synchronization
import ZeroMQ

/// What a peer needs to reach an authenticated bus: its own CURVE key pair and the bus's
/// public key (docs/security.md). Carried by `BusEndpoints`, so every socket a connection
/// opens to the bus handshakes with it.
public struct BusCredentials: Sendable, Equatable {
    /// The peer's name, as the bus's peer list knows it.
    public var name: String
    public var keyPair: CurveKeyPair
    /// The bus's public key.
    public var serverKey: CurveKey

    public init(name: String, keyPair: CurveKeyPair, serverKey: CurveKey) {
        self.name = name
        self.keyPair = keyPair
        self.serverKey = serverKey
    }

    /// The socket option of a client socket to the bus.
    public var clientOption: SocketOption {
        .curveClient(publicKey: keyPair.publicKey, secretKey: keyPair.secretKey, serverKey: serverKey)
    }
}

/// Why a key file or peer list cannot be used: the process refuses to start.
public enum BusKeyError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// Readable by group or others: a secret must be mode 0600 (or stricter).
    case tooOpen(path: String, mode: String)
    case malformed(path: String, reason: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .tooOpen(let path, let mode): "\(path) is mode \(mode): a key file must be readable by its owner only (chmod 600)"
        case .malformed(let path, let reason): "\(path) is not a usable key file: \(reason)"
        }
    }
}

/// One peer's key file (`<name>.key`, mode 0600): its name, role, key pair and the bus's
/// public key. The bus's own file has its server key pair (`server_key` is its own public key).
public struct BusKeyFile: Codable, Sendable, Equatable {
    public var name: String
    /// `service:<name>`, `client` or `operator` (docs/security.md).
    public var role: String
    public var publicKey: String
    public var secretKey: String
    public var serverKey: String
    /// venue-sim's public key, for a peer that reaches the paper venue's endpoints too (the
    /// services and the operator); nil in a client's file, or in a set made before venue-sim had keys.
    public var venueServerKey: String?

    public init(name: String, role: String, keyPair: CurveKeyPair, serverKey: CurveKey, venueServerKey: CurveKey? = nil) {
        self.name = name
        self.role = role
        publicKey = keyPair.publicKey.z85
        secretKey = keyPair.secretKey.z85
        self.serverKey = serverKey.z85
        self.venueServerKey = venueServerKey?.z85
    }

    enum CodingKeys: String, CodingKey {
        case name, role
        case publicKey = "public_key"
        case secretKey = "secret_key"
        case serverKey = "server_key"
        case venueServerKey = "venue_server_key"
    }

    /// Reads and checks a key file: owner-only mode, valid keys, the public key the
    /// secret's. Its errors name the file, never a key.
    public static func load(path: String) throws(BusKeyError) -> BusKeyFile {
        let attributes: [FileAttributeKey: Any]
        let data: Data
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else { throw .tooOpen(path: path, mode: String(mode, radix: 8)) }
        let file: BusKeyFile
        do {
            file = try JSONDecoder().decode(BusKeyFile.self, from: data)
        } catch {
            throw .malformed(path: path, reason: "not the JSON of a key file")
        }
        _ = try file.credentials(path: path)
        _ = try file.venueCredentials(path: path)
        return file
    }

    /// The keys to reach venue-sim's endpoints: this peer's pair with venue-sim's public key
    /// as the server key; nil when the file has no `venue_server_key`.
    public func venueCredentials(path: String = "key file") throws(BusKeyError) -> BusCredentials? {
        guard let venueServerKey else { return nil }
        guard let venue = CurveKey(z85: venueServerKey) else {
            throw .malformed(path: path, reason: "venue_server_key is not 40 Z85 characters")
        }
        var keys = try self.credentials(path: path)
        keys.serverKey = venue
        return keys
    }

    /// The file's keys, checked.
    public func credentials(path: String = "key file") throws(BusKeyError) -> BusCredentials {
        guard let secret = CurveKey(z85: secretKey), let server = CurveKey(z85: serverKey), let pub = CurveKey(z85: publicKey) else {
            throw .malformed(path: path, reason: "a key is not 40 Z85 characters")
        }
        guard let pair = try? CurveKeyPair(secretKey: secret), pair.publicKey == pub else {
            throw .malformed(path: path, reason: "public_key is not the public half of secret_key")
        }
        return BusCredentials(name: name, keyPair: pair, serverKey: server)
    }

    /// Writes the file readable by its owner only (created 0600, then renamed into place).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600]) else {
            throw BusKeyError.unwritable(path: temporary, reason: "cannot create it")
        }
        guard rename(temporary, path) == 0 else {
            throw BusKeyError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// A peer the bus admits (`peers.json`): no secret in it, so it may be world-readable.
public struct BusPeer: Codable, Sendable, Equatable {
    public var name: String
    public var role: String
    /// The accounts a `client` key may trade (nil: not a client).
    public var accounts: [String]?
    public var publicKey: String

    public init(name: String, role: String, accounts: [String]? = nil, publicKey: CurveKey) {
        self.name = name
        self.role = role
        self.accounts = accounts
        self.publicKey = publicKey.z85
    }

    enum CodingKeys: String, CodingKey {
        case name, role, accounts
        case publicKey = "public_key"
    }

    /// Whether the peer is one of the suite's own (a `service:NAME` or the operator), not a
    /// strategy's client key: only they reach venue-sim, the event plane and the tap.
    public var isServiceOrOperator: Bool {
        role == "operator" || Sender(name: name, role: role).service != nil
    }
}

/// The peers the bus admits, by public key; reloaded in place (SIGHUP), so a key removed
/// from the file stops working without a restart.
public final class BusPeerList: Sendable {
    private struct File: Codable {
        var peers: [BusPeer]
    }

    public let path: String
    private let peers = Mutex<(byKey: [CurveKey: BusPeer], byName: [String: BusPeer])>(([:], [:]))

    /// Loads `path`; throws when it is unreadable or malformed.
    public init(path: String) throws(BusKeyError) {
        self.path = path
        try reload()
    }

    /// Reads the file again; on an error the peers in force stay as they were.
    public func reload() throws(BusKeyError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .malformed(path: path, reason: "not the JSON of a peer list ({\"peers\": […]})")
        }
        var byKey: [CurveKey: BusPeer] = [:], byName: [String: BusPeer] = [:]
        for peer in file.peers {
            guard let key = CurveKey(z85: peer.publicKey) else {
                throw .malformed(path: path, reason: "the key of peer '\(peer.name)' is not 40 Z85 characters")
            }
            guard byName[peer.name] == nil, byKey[key] == nil else {
                throw .malformed(path: path, reason: "peer '\(peer.name)' or its key is listed twice")
            }
            byKey[key] = peer
            byName[peer.name] = peer
        }
        peers.withLock { $0 = (byKey, byName) }
    }

    /// The peer holding `key`, if admitted.
    public func peer(for key: CurveKey) -> BusPeer? {
        peers.withLock { $0.byKey[key] }
    }

    /// The admitted peer of this name (a connection's ZAP user id), if still listed.
    public func peer(named name: String) -> BusPeer? {
        peers.withLock { $0.byName[name] }
    }

    /// How many peers are admitted.
    public var count: Int { peers.withLock { $0.byKey.count } }

    /// Every admitted peer.
    public var all: [BusPeer] { peers.withLock { Array($0.byKey.values) } }

    /// Writes a peer list (sorted by name).
    public static func write(_ peers: [BusPeer], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(File(peers: peers.sorted { $0.name < $1.name })).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
