import BusKit
import Dispatch
import Glibc
import Logging
import ServiceLifecycle
import ServiceRuntime
import ZeroMQ

/// The bus as a lifecycle `Service`: binds at construction, serves until graceful shutdown.
public struct BusService: Service {
    private let context: ZMQContext
    private let server: BusServer
    private let logger: Logger

    private let peers: BusPeerList?

    public init(configuration: BusServer.Configuration, logger: Logger) throws {
        context = ZMQContext()
        peers = configuration.security?.peers
        server = try BusServer(configuration: configuration, context: context, logger: logger)
        self.logger = logger
    }

    /// The bus's keys (BW_BUS_KEY_FILE) and the peers it admits (BW_BUS_PEERS_FILE), or nil
    /// for a plain-text bus (neither set). One without the other stops the bus at start.
    public static func security(_ settings: Settings) throws -> BusServer.Security? {
        let peersPath = settings.string("BW_BUS_PEERS_FILE", default: "")
        guard let file = try settings.busKeyFile() else {
            guard peersPath.isEmpty else { throw ConfigurationError(key: "BW_BUS_KEY_FILE", problem: "BW_BUS_PEERS_FILE is set: the bus needs its own key file too") }
            return nil
        }
        guard !peersPath.isEmpty else { throw ConfigurationError(key: "BW_BUS_PEERS_FILE", problem: "an authenticated bus needs the list of peers it admits") }
        do {
            return BusServer.Security(serverKeys: try file.credentials().keyPair, peers: try BusPeerList(path: peersPath))
        } catch {
            throw ConfigurationError(key: "BW_BUS_PEERS_FILE", problem: error.description)
        }
    }

    public func run() async throws {
        let reload = reloadPeersOnHangUp()
        defer { reload?.cancel() }
        server.start()
        try? await gracefulShutdown()
        server.stop()
        context.terminate()
    }

    /// SIGHUP reads the peer list again: a key removed stops working for new handshakes
    /// without a restart (a bad file keeps the peers in force, and says why).
    private func reloadPeersOnHangUp() -> DispatchSourceSignal? {
        guard let peers else { return nil }
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let logger = logger
        source.setEventHandler {
            do {
                try peers.reload()
                logger.notice("bus.peers.reloaded", metadata: ["peers": "\(peers.count)", "path": "\(peers.path)"])
            } catch {
                logger.error("bus.peers.reload_failed", metadata: ["error": "\(error)"])
            }
        }
        source.resume()
        return source
    }
}
