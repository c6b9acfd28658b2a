import BinanceVenue
import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import Synchronization
import TradingModel
import VenueKit
import ZeroMQ

/// The reconciler process (C1–C6): follows the journal's facts, reconciles every
/// account with the venue at startup (then the account may trade), every interval
/// and at once after a stream gap or reconnect, and answers `recon.status`.
public struct ReconcilerService: Service {
    /// The reconciler's message types.
    public enum API {
        public static let service = ReconcilerAPI.service
        /// `{}` → `ReconcilerStatus`.
        public static let status = "recon.status"
        /// The kind of the alert raised for each `recon.desync` (S4, a shared `Alert` under `alert.reconciliation_mismatch`).
        public static let mismatchAlert = "reconciliation_mismatch"
    }

    private let endpoints: BusEndpoints
    private let venueEndpoints: VenueEndpoints
    /// The live venue (BW_VENUE_MODE=live), polled instead of the paper venue.
    private let live: BinanceSpotVenue.Configuration?
    private let configuration: ReconcilerConfiguration
    private let now: @Sendable () -> Int64
    private let logger: Logger

    /// - Parameters:
    ///   - live: the live venue; nil trades on the paper venue at `venue`.
    ///   - now: the clock, unix nanoseconds (grace periods, position age).
    public init(
        endpoints: BusEndpoints, venue: VenueEndpoints, live: BinanceSpotVenue.Configuration? = nil,
        configuration: ReconcilerConfiguration, now: @escaping @Sendable () -> Int64 = { WallClock.nowNanos() }, logger: Logger
    ) {
        self.endpoints = endpoints
        self.venueEndpoints = venue
        self.live = live
        self.configuration = configuration
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        let context = ZMQContext()
        let identity = Settings.replicaIdentity(service: API.service)
        var busConfiguration = BusConnection.Configuration(endpoints: endpoints, identity: identity)
        busConfiguration.subscriptions = [JournalAPI.factTopic]
        let bus = try BusConnection(configuration: busConfiguration, context: context, logger: logger)
        let venue: any Venue, paper: PaperVenueClient?
        if let live {
            // Polled on the interval alone (until its user data stream lands, there is no stream to watch for gaps).
            venue = BinanceSpotVenue(configuration: live, logger: logger)
            paper = nil
        } else {
            let client = try PaperVenueClient(venue: venueEndpoints, subscribe: [], context: context, logger: logger, timeout: .seconds(5))
            venue = client
            paper = client
        }
        let watch = try paper.map { _ in
            try StreamWatch(venue: venueEndpoints, silence: configuration.streamSilence, context: context, logger: logger)
        }
        let follower = FactFollower(bus: bus, logger: logger)
        let journal = JournalState(recentWindow: configuration.recentWindow)
        let stats = ReconcilerStats()
        let seen = FactCounter()
        let requested = PassRequest()
        let reconciler = Reconciler(
            bus: bus, venue: venue, journal: journal, follower: follower, configuration: configuration, stats: stats,
            now: now, run: identity, logger: logger)
        bus.serve(service: API.service)
        bus.start()
        logger.info("reconciler.ready", metadata: ["accounts": "\(configuration.accounts)", "strategy": "\(configuration.strategy.rawValue)"])
        await withDiscardingTaskGroup { group in
            group.addTask {
                await follower.run(events: bus.events) { record in
                    seen.value.add(1, ordering: .relaxed)
                    await journal.apply(record)
                }
            }
            if let watch { group.addTask { await watch.run { gap in await stats.streamEvent(gap: gap) } } }
            group.addTask { await reconcileForever(reconciler, watch: watch, requested: requested, stats: stats) }
            await withGracefulShutdownHandler {
                await bus.handleRequests { message throws(ServiceError) in
                    if message.header.type == ReconcilerAPI.trigger {
                        requested.ask()
                        return WireCodec.encode([String: String]())
                    }
                    guard message.header.type == API.status else {
                        throw ServiceError(.unknownType, reason: "unknown_type", "reconciler does not handle '\(message.header.type)'")
                    }
                    var status = await stats.status
                    status.factsSeen = seen.value.load(ordering: .relaxed)
                    status.lastSeq = await follower.lastSeq
                    return WireCodec.encode(status)
                }
            } onGracefulShutdown: {
                bus.stopAccepting()
            }
            watch?.stop()
            paper?.stop()
            bus.stop()
            group.cancelAll()
        }
        context.terminate()
    }

    /// C1 for every account, then C2 forever: every interval, sooner after a stream
    /// gap or reconnect, or when asked (`recon.trigger`), at most once per trigger spacing.
    private func reconcileForever(_ reconciler: Reconciler, watch: StreamWatch?, requested: PassRequest, stats: ReconcilerStats) async {
        await reconciler.announceRunStart()
        await withDiscardingTaskGroup { group in
            for account in configuration.accounts {
                group.addTask { await reconciler.startup(account) }
            }
        }
        let clock = ContinuousClock()
        var lastRun = clock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            let elapsed = clock.now - lastRun
            // Both taken (an array literal evaluates each): one run answers both.
            let triggered = elapsed >= configuration.triggerSpacing && [watch?.takeTrigger() == true, requested.take()].contains(true)
            guard triggered || elapsed >= configuration.interval else { continue }
            let started = clock.now
            lastRun = started
            var failed = false
            for account in configuration.accounts {
                do throws(ServiceError) {
                    _ = try await reconciler.reconcile(account)
                } catch {
                    failed = true
                    logger.warning("recon.pass.failed", metadata: ["account": "\(account)", "error": "\(error)"])
                }
            }
            if failed { await stats.failedPass() }
            let millis = (clock.now - started).components.seconds * 1_000 + (clock.now - started).components.attoseconds / 1_000_000_000_000_000
            await stats.finishedRun(at: now(), millis: millis, triggered: triggered)
        }
    }
}

/// How many facts the reconciler has folded (shared with the status handler).
final class FactCounter: Sendable {
    /// The count.
    let value = Atomic<Int>(0)
}
