import ArgumentParser
import BusKit
import Foundation
import ZeroMQ

/// `tradectl keys`: the CURVE keys of an authenticated bus (docs/security.md).
struct KeysCommandGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Make the keys of an authenticated bus.", subcommands: [Initialize.self, AddClient.self])

    struct Initialize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create the key set of a local suite: the bus's and venue-sim's keys, one per service, an operator key and the peer list (on a set made before venue-sim had keys: add them).")
        @Option(help: "The directory of the keys (created; each secret file mode 0600).") var dir = "data/keys"

        func run() async throws {
            if try BusKeySet.addVenueKeys(in: dir) {
                print("keys in \(dir): added venue-sim.key, and venue-sim's public key to each service's and the operator's file")
                return
            }
            let peers = try BusKeySet.make(in: dir)
            print("keys in \(dir): bus.key, venue-sim.key, \(peers.map { "\($0.name).key" }.joined(separator: ", ")), peers.json")
            for peer in peers { print("  \(peer.name)\t\(peer.role)\t\(peer.publicKey.prefix(8))…") }
        }
    }

    struct AddClient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-client",
            abstract: "Add a strategy's key, bound to its accounts; `kill -HUP` the bus to admit it without a restart.")
        @Option(help: "The directory of the keys.") var dir = "data/keys"
        @Option(help: "The client's name (its key file is NAME.key).") var name: String
        @Option(help: "The accounts the key may trade, comma-separated.") var accounts: String

        func run() async throws {
            let directory = URL(fileURLWithPath: dir)
            guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
                throw ValidationError("--name must be 1–64 letters, digits, '.', '_' or '-'")
            }
            let bound = accounts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !bound.isEmpty else { throw ValidationError("--accounts names at least one account") }
            let bus = try BusKeyFile.load(path: directory.appendingPathComponent("bus.key").path).credentials()
            let peersPath = directory.appendingPathComponent("peers.json").path
            let list = try BusPeerList(path: peersPath)
            guard !FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(name).key").path) else {
                throw ValidationError("\(dir)/\(name).key exists")
            }
            let pair = try CurveKeyPair.generate()
            try BusKeyFile(name: name, role: "client", keyPair: pair, serverKey: bus.keyPair.publicKey)
                .write(to: directory.appendingPathComponent("\(name).key").path)
            try BusPeerList.write(list.all + [BusPeer(name: name, role: "client", accounts: bound, publicKey: pair.publicKey)], to: peersPath)
            print("\(dir)/\(name).key: client for \(bound.joined(separator: ", ")) (\(pair.publicKey.fingerprint)…)")
        }
    }
}
