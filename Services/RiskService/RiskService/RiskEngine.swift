import BusProtocol
import TradingModel

/// The risk-service's state and decisions: the fold of the journal (ledger, positions,
/// breakers, governors) plus the live marks and equity curves. An actor, so a check
/// and its reservation happen as one step (no check-then-act race).
///
/// Every breaker or governor change is returned as a fact for the caller to journal;
/// the change is already in effect here, and folding the same fact again is a no-op.
/// Time comes from the injected `clock` (unix nanoseconds), so tests control it; breaker
/// and governor states go to the injected `gauges` sink whenever they may have changed.
public actor RiskEngine {
    /// The validated settings.
    let configuration: RiskConfiguration
    /// Now, unix nanoseconds (injected: tests move it by hand).
    let clock: @Sendable () -> Int64
    /// The journal's fold.
    var fold: RiskFold
    /// The latest marks from the venue's ticks.
    var marks = Marks()
    /// Equity over the day per account.
    var curves: [String: EquityCurve] = [:]
    /// The equity baselines last journaled (or replayed) per account.
    var journaledMarks: [String: EquityMark] = [:]
    /// The venue's instruments by symbol (lot sizes, kinds).
    var instruments: [String: Instrument] = [:]
    /// When each account's kill switch was last asked for again (HARD_STOP with open orders).
    var killSwitchAskedAt: [String: Int64] = [:]
    /// False while replaying at start-up: replayed facts rebuild state, they trigger nothing.
    public private(set) var isLive = false
    /// Accounts whose latest `recon.account_ready` since the last `recon.run_started` is ok
    /// (the startup-reconciliation gate, when required).
    var reconciledAccounts: Set<String> = []
    /// Where breaker and governor states are reported (the metrics gauges in the service).
    let gauges: @Sendable (RiskGauge) -> Void
    /// The `margin_use` alert's threshold and per-account throttle.
    var marginAlarm: MarginUseAlarm
    /// Whether accounts are leased by partition (the service behind the bus): only the
    /// owner of an account's partition decides and journals its transitions. False for an
    /// engine alone (tests): it decides for every account.
    let partitioned: Bool
    /// The lease this replica serves each account under (learned from its requests).
    var leases: [String: Fence] = [:]
    /// The global breaker's market-condition triggers.
    var market: MarketTrigger
    /// The global breaker's system-health triggers.
    var health: SystemHealthTrigger

    /// The journal seq of the last folded fact.
    public var lastSeq: Int64 { fold.lastSeq }

    /// An engine at the configured starting balances, before any fact; `gauges` receives
    /// breaker and governor states (default: the swift-metrics gauges).
    public init(
        configuration: RiskConfiguration, clock: @escaping @Sendable () -> Int64,
        gauges: @escaping @Sendable (RiskGauge) -> Void = RiskGauge.record, partitioned: Bool = false
    ) {
        self.configuration = configuration
        self.clock = clock
        self.gauges = gauges
        self.partitioned = partitioned
        market = MarketTrigger(settings: configuration.market)
        health = SystemHealthTrigger(settings: configuration.health)
        marginAlarm = MarginUseAlarm(threshold: configuration.margin.alertUse)
        fold = RiskFold(
            ledger: Ledger(startingBalances: configuration.balances, feeRate: configuration.feeRate),
            breaker: configuration.breaker, governor: configuration.governor)
        for account in configuration.balances.keys {
            curves[account] = EquityCurve(initialCapital: configuration.initialCapital[account])
        }
    }

    /// From now on facts and events may trip breakers and move governors. Reports every
    /// breaker and governor as rebuilt by the replay (so each gauge exists, closed/normal
    /// included); returns the trips of accounts the replay left divergent, to journal.
    @discardableResult
    public func goLive() -> [Fact] {
        isLive = true
        var facts: [Fact] = []
        for (account, state) in fold.ledger.accounts.sorted(by: { $0.key < $1.key }) where decides(account) {
            if let divergence = state.divergence { facts += tripDivergent(account, divergence) }
        }
        for scope in fold.breakers.keys.sorted() { reportBreaker(scope) }
        for account in fold.governors.keys.sorted() { reportGovernor(account) }
        return facts
    }

    /// Trips the breaker of an account whose books a fact left uncovered (none if it is
    /// already open); the account's new orders are refused meanwhile by the ledger itself.
    func tripDivergent(_ account: String, _ divergence: Ledger.Divergence) -> [Fact] {
        let inFlight = inFlight(account)
        let transition = fold.withBreaker(account) { $0.trip(reason: "ledger_divergence", inFlight: inFlight, now: clock()) }
        return report([transition].compactMap { $0.map { Self.fact(scope: account, $0) } })
    }

    /// The accounts whose books no longer cover their facts, with why.
    public func divergentAccounts() -> [String: Ledger.Divergence] {
        fold.ledger.accounts.compactMapValues(\.divergence)
    }

    /// Learns the venue's instruments (kinds and lot sizes).
    public func learn(_ list: [Instrument]) {
        for instrument in list {
            instruments[instrument.symbol] = instrument
            fold.learn(symbol: instrument.symbol, base: instrument.base, quote: instrument.quote, kind: instrument.kind)
        }
    }

    /// A venue quote: the mark, and the market-condition window.
    public func updateMark(symbol: String, bid: ExactDecimal, ask: ExactDecimal) {
        let now = clock()
        marks.update(symbol: symbol, bid: bid, ask: ask, now: now)
        market.record(symbol: symbol, bid: bid, ask: ask, now: now)
    }

    /// A reading of the process (RSS, CPU time) for the system-health triggers.
    public func recordHealth(_ sample: SystemHealthTrigger.Sample) {
        health.record(sample)
    }

    /// Folds one committed record; returns the transitions it caused (live only).
    public func apply(_ record: JournalRecord) -> [Fact] {
        switch record.fact.payload {
        case .reconciliation(.accountReady(let ready)):
            if ready.ok { reconciledAccounts.insert(record.fact.account) } else { reconciledAccounts.remove(record.fact.account) }
        case .reconciliation(.runStarted):
            // Readiness belongs to one reconciler run: a new run reconciles every account again first.
            reconciledAccounts.removeAll()
        default:
            break
        }
        if case .equityMark(let mark) = record.fact.payload { restore(mark, account: record.fact.account) }
        let effect = fold.apply(record)
        report([record.fact])  // a replayed transition, or the journal's echo of a live one
        guard isLive else { return [] }
        var facts: [Fact] = []
        if let diverged = effect.diverged, decides(diverged.account) { facts += tripDivergent(diverged.account, diverged.divergence) }
        guard let trade = effect.trade, decides(trade.account) else { return facts }
        let inFlight = inFlight(trade.account)
        let transition = fold.withBreaker(trade.account) { $0.recordTrade(realized: trade.realized, inFlight: inFlight, now: clock()) }
        return facts + report([transition].compactMap { $0.map { Self.fact(scope: trade.account, $0) } })
    }

    /// A venue call's outcome for one order (the gateway reports it): both the account's and the
    /// global breaker count it. A venue's IP ban trips the global breaker at once (reason
    /// `venue_ip_banned`): every account's calls are refused until it ends, so no order of any
    /// account should be authorized meanwhile.
    public func venueOutcome(_ outcome: VenueOutcome) throws(ServiceError) -> (facts: [Fact], state: Breaker.State) {
        try requireAccount(outcome.account)
        let now = clock()
        fold.venueAnswered(account: outcome.account, clientOrderId: outcome.clientOrderId)
        let failed = outcome.result != .ok
        let banned = failed && outcome.reason == VenueOutcome.ipBannedReason
        var facts: [Fact] = []
        for scope in [outcome.account, BreakerTransition.globalScope] where decides(scope) {
            let global = scope == BreakerTransition.globalScope
            let inFlight = global ? totalInFlight : inFlight(scope)
            let transition = fold.withBreaker(scope) { breaker in
                global && banned
                    ? breaker.trip(reason: VenueOutcome.ipBannedReason, inFlight: inFlight, now: now)
                    : breaker.recordVenueOutcome(failed: failed, inFlight: inFlight, now: now)
            }
            if let transition { facts.append(Self.fact(scope: scope, transition)) }
        }
        return (report(facts), fold.breakers[outcome.account]?.state ?? .closed)
    }

    /// Trips a breaker by hand (nil account: the global one).
    public func trip(account: String?, reason: String) throws(ServiceError) -> (facts: [Fact], view: BreakerView) {
        let scope = try decidedScope(account)
        let inFlight = account.map(inFlight) ?? totalInFlight
        let transition = fold.withBreaker(scope) { $0.trip(reason: "manual_trip:" + reason, inFlight: inFlight, now: clock()) }
        return (report([transition].compactMap { $0.map { Self.fact(scope: scope, $0) } }), fold.breakers[scope]!.view)
    }

    /// Closes a breaker by hand (nil account: the global one).
    public func reset(account: String?) throws(ServiceError) -> (facts: [Fact], view: BreakerView) {
        let scope = try decidedScope(account)
        let transition = fold.withBreaker(scope) { $0.reset(now: clock()) }
        return (report([transition].compactMap { $0.map { Self.fact(scope: scope, $0) } }), fold.breakers[scope]!.view)
    }

    /// The periodic step: orphans, equity and drawdown, breaker timers and thresholds, governors.
    public func evaluate() -> [Fact] {
        let now = clock()
        _ = fold.releaseOrphans(madeAtOrBefore: now - configuration.orphanTimeoutNanos)
        guard isLive else { return [] }
        var facts: [Fact] = []
        let stale = marks.isStale(now: now, maxAgeNanos: configuration.breaker.staleMarketDataNanos)
        let global = BreakerTransition.globalScope
        let globalInFlight = totalInFlight
        let alarm = stale ? "stale_market_data" : market.alarm(now: now) ?? health.alarm
        if let t = fold.withBreaker(global, { $0.observe(alarm: alarm, inFlight: globalInFlight, now: now) }) {
            facts.append(Self.fact(scope: global, t))
        }
        for account in fold.ledger.accounts.keys.sorted() {
            let equity = equity(account)
            if let equity { curves[account]?.observe(equity: equity, now: now) }
            guard decides(account) else { continue }  // the owner of its partition journals its marks and transitions
            let curve = curves[account] ?? EquityCurve(initialCapital: nil)
            if let mark = markToJournal(curve, account: account, now: now) {
                facts.append(Fact(id: EquityMark.factId(account: account, at: now), account: account, payload: .equityMark(mark)))
            }
            let drawdown = curve.drawdown(profitFactor: configuration.governor.profitModeFactor)
            let inFlight = inFlight(account)
            let exposureAlarm = configuration.exposure.alarm(gross: grossExposure(account), equity: equity)
            if let t = fold.withBreaker(account, {
                $0.observe(dailyLoss: curve.dailyLoss, drawdown: drawdown, marketDataStale: false, inFlight: inFlight, now: now)
                    ?? $0.observe(alarm: exposureAlarm, inFlight: inFlight, now: now)
            }) {
                facts.append(Self.fact(scope: account, t))
            }
            if let drawdown, let t = fold.withGovernor(account, { $0.observe(drawdown: drawdown, now: now) }) {
                if t.to == .hardStop { killSwitchAskedAt[account] = now }  // the transition itself asks first
                facts.append(Fact(id: GovernorTransition.factId(account: account, number: t.number), account: account, payload: .governorTransition(t)))
            }
        }
        return report(facts)
    }

    /// The least time between two equity marks of an account that only raise the day's high
    /// (a new day or a new initial capital is journaled at once).
    public static let equityMarkIntervalNanos: Int64 = 1_000_000_000

    /// The account's baselines if they moved since the last journaled mark (and the throttle allows).
    private func markToJournal(_ curve: EquityCurve, account: String, now: Int64) -> EquityMark? {
        guard let mark = curve.mark(at: now) else { return nil }
        if let last = journaledMarks[account] {
            guard mark.day != last.day || mark.initialCapital != last.initialCapital
                || (mark.high != last.high && now - last.at >= Self.equityMarkIntervalNanos)
            else { return nil }
        }
        journaledMarks[account] = mark
        return mark
    }

    /// A journaled mark (replayed, or the echo of a live one) restores the account's baselines.
    private func restore(_ mark: EquityMark, account: String) {
        curves[account, default: EquityCurve(initialCapital: configuration.initialCapital[account])].restore(mark)
        if let last = journaledMarks[account], (last.day, last.at) > (mark.day, mark.at) { return }
        journaledMarks[account] = mark
    }

    /// How often a HARD_STOP account that still has open orders gets its kill switch again.
    public static let killSwitchRetryNanos: Int64 = 30_000_000_000

    /// Accounts in HARD_STOP that still hold reservations of open orders and were not
    /// asked for within `killSwitchRetryNanos` (after a restart, or a kill switch that
    /// could not cancel everything): their open orders are to be cancelled again.
    public func accountsToCancelAgain() -> [String] {
        let now = clock()
        let due = fold.governors.filter { account, governor in
            decides(account) && governor.level == .hardStop
                && !(fold.ledger.accounts[account]?.reservations.isEmpty ?? true)
                && now - (killSwitchAskedAt[account] ?? Int64.min / 2) >= Self.killSwitchRetryNanos
        }.keys.sorted()
        for account in due { killSwitchAskedAt[account] = now }
        return due
    }

    /// Undoes a live approval whose intent did not commit.
    public func release(account: String, clientOrderId: String) {
        fold.release(account: account, clientOrderId: clientOrderId)
    }

    /// The writer already had this intent (a repeat of an old order): the fresh hold is
    /// released unless the intent's fact has been folded into it meanwhile. If the order
    /// is still live and its fact not yet folded, folding it re-creates the reservation.
    public func releaseIfUncommitted(account: String, clientOrderId: String) {
        guard fold.ledger.accounts[account]?.reservations[clientOrderId]?.committed == false else { return }
        fold.release(account: account, clientOrderId: clientOrderId)
    }

    /// The fold (tests compare folds).
    public func currentFold() -> RiskFold { fold }

    // MARK: Helpers

    /// Orders of the account approved and not yet answered by the venue.
    func inFlight(_ account: String) -> Int { fold.awaitingVenue[account]?.count ?? 0 }

    /// Orders in flight over every account (the global breaker's).
    var totalInFlight: Int { fold.awaitingVenue.values.reduce(0) { $0 + $1.count } }

    /// Throws UNKNOWN_ACCOUNT for an account not configured.
    func requireAccount(_ account: String) throws(ServiceError) {
        guard fold.ledger.accounts[account] != nil else {
            throw ServiceError(.unknownAccount, reason: "unknown_account", "account '\(account)' is not configured")
        }
    }


    /// Reports the current state of the breaker or governor each transition fact is about; returns the facts.
    @discardableResult
    func report(_ facts: [Fact]) -> [Fact] {
        for fact in facts {
            switch fact.payload {
            case .breakerTransition: reportBreaker(fact.account)
            case .governorTransition: reportGovernor(fact.account)
            default: break
            }
        }
        return facts
    }

    private func reportBreaker(_ scope: String) {
        if let breaker = fold.breakers[scope] { gauges(.breaker(scope: scope, state: breaker.state)) }
    }

    private func reportGovernor(_ account: String) {
        if let governor = fold.governors[account] { gauges(.governor(account: account, level: governor.level)) }
    }

    /// The fact that journals a breaker transition.
    static func fact(scope: String, _ transition: BreakerTransition) -> Fact {
        Fact(id: BreakerTransition.factId(scope: scope, number: transition.number), account: scope, payload: .breakerTransition(transition))
    }
}
