import BusKit
import BusProtocol
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import TradingModel
import VenueKit
import ZeroMQ

/// The order-gateway process: order entry for strategies (`order.submit`, `order.get`,
/// `order.cancel`, `order.cancel_all`, `order.resume`), the follower of the venue's fill stream, and the
/// resolver of orders the venue left `unknown`.
public struct GatewayService: Service {
    private let configuration: GatewayConfiguration
    private let logger: Logger
    /// How often `unknown` orders are asked about.
    static let unknownResolveInterval: Duration = .milliseconds(500)

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let context = ZMQContext()
        let bus = try BusConnection(
            configuration: .init(endpoints: configuration.bus, identity: Settings.replicaIdentity(service: GatewayAPI.service)),
            context: context, logger: logger)
        let link = try GatewayVenue(configuration, context: context, logger: logger)
        let venue = link.venue
        if case .binance(let live) = link {
            // The stream is back after a loss: the reconciler looks at once for what it did not carry.
            live.onResubscribed { [logger] in
                Task {
                    do throws(ServiceError) {
                        _ = try await bus.call(
                            service: ReconcilerAPI.service, type: ReconcilerAPI.trigger, body: [String: String](),
                            replyType: [String: String].self, timeout: .seconds(2), attempts: 1)
                    } catch {
                        logger.notice("gateway.recon_trigger.failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
        bus.start()
        let instruments = try await loadInstruments(link)
        let reports = OutcomeReports()
        let entry = makeEntry(
            bus: bus, venue: venue, instruments: instruments, reports: reports, link: VenueLink(silence: configuration.venueSilence))
        await withDiscardingTaskGroup { group in
            group.addTask { await link.run() }
            group.addTask { await followVenue(venue, entry: entry) }
            group.addTask { await reports.deliver(over: bus, logger: logger) }
            group.addTask { await resolveUnknownOrders(entry.unknownOrders) }
            // Ready only with market data for every instrument: no order is priced blind.
            while await !entry.quotes.covers(instruments.map(\.symbol)), !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
            }
            bus.serve(service: GatewayAPI.service)
            bus.register()
            logger.info("gateway.ready", metadata: ["instruments": "\(instruments.count)"])
            group.addTask { await entry.finishLeftKillSwitches() }
            await withGracefulShutdownHandler {
                await bus.handleRequests { message throws(ServiceError) in
                    switch message.header.type {
                    case GatewayAPI.submit: return WireCodec.encode(try await entry.submit(message))
                    case GatewayAPI.get: return WireCodec.encode(try await entry.get(message))
                    case GatewayAPI.cancel: return WireCodec.encode(try await entry.cancel(message))
                    case GatewayAPI.cancelAll: return WireCodec.encode(try await entry.cancelAll(message))
                    case GatewayAPI.resume: return WireCodec.encode(try await entry.resume(message))
                    default:
                        throw ServiceError(.unknownType, reason: "unknown_type", "order-gateway does not handle '\(message.header.type)'")
                    }
                }
            } onGracefulShutdown: {
                bus.stopAccepting()
            }
            link.stop()
            reports.finish()
            group.cancelAll()
        }
        bus.stop()
        context.terminate()
    }

    private func makeEntry(bus: BusConnection, venue: any Venue, instruments: [Instrument], reports: OutcomeReports, link: VenueLink) -> OrderEntry {
        let placement = VenuePlacement(
            venue: venue,
            retry: RetryPolicy(attempts: configuration.retryAttempts, baseDelay: configuration.retryBaseDelay, maxDelay: configuration.retryMaxDelay),
            pause: { try? await Task.sleep(for: $0) }, report: { reports.enqueue($0) },
            isVenueLive: { link.isLive(now: WallClock.nowNanos()) })
        let journalClient = JournalClient(bus: bus)
        let journal: @Sendable ([Fact]) async throws(ServiceError) -> Void = { facts throws(ServiceError) in
            _ = try await journalClient.append(facts)
        }
        return OrderEntry(
            bus: bus, venue: venue, instruments: Dictionary(uniqueKeysWithValues: instruments.map { ($0.symbol, $0) }),
            accounts: configuration.accounts, quotes: MarketQuotes(), locks: KeyedLock(), pricePolicy: PricePolicy(),
            rateLimits: RateLimits(configuration.rateLimits),
            duplicates: DuplicateGuard(windowNanos: configuration.duplicateWindow.wholeNanoseconds),
            placement: placement,
            unknownOrders: UnknownOrders(venue: venue, grace: configuration.unknownGrace, logger: logger, journal: journal),
            cancels: CancelRequests(), ownFacts: OwnFacts(), sends: SendSequence(), venueLink: link,
            now: { WallClock.nowNanos() }, logger: logger)
    }

    /// The venue's instrument rules; waits for the venue to answer. A venue that refuses
    /// the credentials stops the gateway (nothing would work until the operator fixes them).
    private func loadInstruments(_ link: GatewayVenue) async throws -> [Instrument] {
        while !Task.isCancelled {
            do throws(VenueError) {
                return try await link.start()
            } catch .fatal(let error) {
                throw error
            } catch {
                logger.notice("gateway.waiting_for_venue", metadata: ["error": "\(error.serviceError)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return []
    }

    private func resolveUnknownOrders(_ unknownOrders: UnknownOrders) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.unknownResolveInterval)
            await unknownOrders.resolve(now: WallClock.nowNanos())
        }
    }

    /// Fills and order updates waiting to be journaled before the oldest are dropped (the
    /// reconciler repairs what the gateway's journaling drops, as it repairs the stream's losses).
    static let venueUpdateQueueLimit = 10_000

    /// Quotes, fills and order updates from the venue's stream; each fill is journaled
    /// once (by trade id), each state change once (deterministic fact ids). The stream is
    /// lossy: what it drops, the reconciler repairs from the venue's queries.
    ///
    /// Ticks are applied as they arrive. Fills and order updates are journaled in arrival
    /// order by a second task. A journal round trip per fill used to hold the ticks back:
    /// under load the quotes went stale and market orders got QUOTE_EXPIRED.
    private func followVenue(_ venue: any Venue, entry: OrderEntry) async {
        let (updates, queue) = AsyncStream.makeStream(of: VenueEvent.self, bufferingPolicy: .bufferingNewest(Self.venueUpdateQueueLimit))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await event in updates { await journal(event, venue: venue, entry: entry) }
            }
            group.addTask {
                // Stream facts parked while their order was placed, that the order path did not commit.
                for await facts in entry.ownFacts.handedBack { await journal(facts, entry: entry) }
            }
            for await event in venue.stream {
                entry.venueLink.heard(now: WallClock.nowNanos())
                if case .tick(let tick) = event {
                    await entry.quotes.update(tick)
                } else if case .dropped = queue.yield(event) {
                    logger.warning("gateway.venue_update.dropped", metadata: ["limit": "\(Self.venueUpdateQueueLimit)"])
                }
            }
            queue.finish()
            entry.ownFacts.finishHandingBack()
        }
    }

    /// Journals one fill or order update from the venue's stream, less what the gateway's
    /// order path journals itself (`OwnFacts`: no echo appends).
    private func journal(_ event: VenueEvent, venue: any Venue, entry: OrderEntry) async {
        switch event {
        case .tick:
            break
        case .fill(let fill):
            let facts = entry.ownFacts.screen(
                [VenueFacts.fill(for: fill, venue: venue.name)], account: fill.account, clientOrderId: fill.clientOrderId)
            await journal(facts, entry: entry)
        case .order(let order):
            let facts = entry.ownFacts.screen(
                VenueFacts.facts(for: order, venue: venue.name), account: order.account, clientOrderId: order.clientOrderId)
            await journal(facts, entry: entry)
        }
    }

    /// Appends stream facts; a failure is logged (the reconciler repairs what is missed).
    private func journal(_ facts: [Fact], entry: OrderEntry) async {
        guard !facts.isEmpty else { return }
        do {
            try await entry.journal(facts, traceparent: nil)
        } catch {
            logger.warning("gateway.venue_update.journal_failed", metadata: ["facts": "\(facts.map(\.id))", "error": "\(error)"])
        }
    }
}
