import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import TradingModel
import VenueKit
import ZeroMQ

/// The risk-service process: answers `risk.*` for the partitions of accounts the bus
/// leases to it, follows the journal to keep its fold exact, and the venue's market
/// data for marks.
public struct RiskService: Service {
    private let context = ZMQContext()
    /// The connection to the bus (worker of `risk-service`, subscriber of facts).
    let bus: BusConnection
    /// The state and the decisions.
    let engine: RiskEngine
    /// Follows the journal (the fold's source).
    let follower: FactFollower
    private let venue: PaperVenueClient
    /// Where breaker and governor transitions go to be journaled and alerted.
    let transitions: TransitionJournal
    /// Takes over a partition (fence, then catch up) before its first authorization.
    let leases: LeaseGate
    /// Which request committed each recent intent (a resend from a reuse of an id).
    let committers = IntentCommitters()
    private let interval: Duration
    private let accounts: [String]
    private let leasePingInterval: Duration
    /// The service's logger.
    let logger: Logger

    /// Connects to the bus and the venue's stream; nothing runs before `run`.
    public init(endpoints: BusEndpoints, venue venueEndpoints: VenueEndpoints, configuration: RiskConfiguration, logger: Logger) throws {
        var busConfiguration = BusConnection.Configuration(endpoints: endpoints, identity: Settings.replicaIdentity(service: RiskAPI.service))
        busConfiguration.subscriptions = [JournalAPI.factTopic]
        bus = try BusConnection(configuration: busConfiguration, context: context, logger: logger)
        venue = try PaperVenueClient(venue: venueEndpoints, subscribe: [VenueTopic.tick], context: context, logger: logger)
        let engine = RiskEngine(configuration: configuration, clock: { WallClock.nowNanos() }, partitioned: true)
        let follower = FactFollower(bus: bus, logger: logger)
        let transitions = TransitionJournal(bus: bus, engine: engine, follower: follower, logger: logger)
        self.engine = engine
        self.follower = follower
        self.transitions = transitions
        leases = LeaseGate { [bus] partition, epoch throws(ServiceError) in
            // No facts under a fence: a lease claim.
            _ = try await JournalClient(bus: bus).append([], partition: partition, epoch: epoch)
            try await follower.catchUp { transitions.submit(await engine.apply($0)) }
            logger.info("risk.partition.taken_over", metadata: ["partition": "\(partition)", "epoch": "\(epoch)"])
        }
        interval = configuration.evaluateInterval
        accounts = configuration.balances.keys.sorted()
        leasePingInterval = configuration.leasePingInterval
        self.logger = logger
    }

    /// Replays the journal, then serves until SIGTERM/SIGINT.
    public func run() async throws {
        bus.start()
        let engine = engine, transitions = transitions
        // The fold is rebuilt from the journal before the first authorization.
        while (try? await follower.catchUp({ _ = await engine.apply($0) })) == nil {
            try await Task.sleep(for: .milliseconds(200))
        }
        transitions.submit(await engine.goLive())
        for (account, divergence) in await engine.divergentAccounts().sorted(by: { $0.key < $1.key }) {
            logger.error("risk.ledger.divergence", metadata: ["account": "\(account)", "asset": "\(divergence.asset)", "detail": "\(divergence.detail)"])
        }
        let lastSeq = await engine.lastSeq
        logger.info("risk.ready", metadata: ["last_seq": "\(lastSeq)"])
        bus.serve(service: RiskAPI.service)
        bus.register()
        await withDiscardingTaskGroup { outer in
            // Outlives the serving tasks: transitions queued before shutdown are still journaled.
            outer.addTask { await transitions.run() }
            await withDiscardingTaskGroup { group in
                group.addTask { await follower.run(events: bus.events) { transitions.submit(await engine.apply($0)) } }
                group.addTask { await loadInstruments() }
                group.addTask { await followMarket() }
                group.addTask { await evaluatePeriodically() }
                group.addTask { await keepLeases() }
                await withGracefulShutdownHandler {
                    await bus.handleRequests { message throws(ServiceError) in try await handle(message) }
                } onGracefulShutdown: {
                    bus.stopAccepting()
                }
                venue.stop()
                group.cancelAll()
            }
            transitions.finish()
        }
        bus.stop()
        context.terminate()
    }

    /// The venue's instruments (kinds, lot sizes), asked until the venue answers.
    private func loadInstruments() async {
        while !Task.isCancelled {
            if let list = try? await venue.instruments() {
                await engine.learn(list)
                return
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Every tick becomes a mark.
    private func followMarket() async {
        for await event in venue.stream {
            if case .tick(let tick) = event { await engine.updateMark(symbol: tick.symbol, bid: tick.bid, ask: tick.ask) }
        }
    }

    /// Asks for every configured account through the bus (`risk.show`, keyed), so each
    /// account's partition has a live owner that decides its transitions even while no
    /// order comes: at start and every `BW_RISK_LEASE_PING_MS`. The bus routes each to
    /// the partition's owner, or leases it to the least-loaded replica.
    private func keepLeases() async {
        while !Task.isCancelled {
            for account in accounts where !Task.isCancelled {
                _ = try? await bus.call(
                    service: RiskAPI.service, type: RiskAPI.show, key: account, body: AccountRef(account: account),
                    replyType: AccountRisk.self, timeout: .seconds(5), attempts: 1)
            }
            try? await Task.sleep(for: leasePingInterval)
        }
    }

    private func evaluatePeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if let sample = ProcessSampler.read(now: WallClock.nowNanos()) { await engine.recordHealth(sample) }
            transitions.submit(await engine.evaluate())
            transitions.cancelAgain(await engine.accountsToCancelAgain())
        }
    }
}
