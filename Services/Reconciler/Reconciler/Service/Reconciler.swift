import BusKit
import BusProtocol
import Logging
import ServiceRuntime
import TradingModel
import VenueKit

/// The reconciliation engine: startup reconciliation per account (C1), periodic and
/// triggered passes (C2–C5) and the stale-position monitor (C6).
actor Reconciler {
    /// The bus (writer, risk, gateway).
    let bus: BusConnection
    /// The venue (the truth).
    let venue: any Venue
    /// The fold of the journal.
    let journal: JournalState
    /// Brings the fold up to the writer before a pass.
    let follower: FactFollower
    /// The reconciler settings.
    let configuration: ReconcilerConfiguration
    /// Counters for `recon.status`.
    let stats: ReconcilerStats
    /// The clock, unix nanoseconds.
    let now: @Sendable () -> Int64
    /// This run (replica identity), part of ready fact ids.
    let run: String
    /// Alerts and failures.
    let logger: Logger
    private let memory = MismatchMemory()
    /// Per account: the venue trade seqs (per series) up to which every fill is known journaled.
    private var watermarks: [String: TradeCursor] = [:]
    /// Per account: when this run last journaled its watermark (`recon.fills_checked`).
    private var watermarksJournaledAt: [String: Int64] = [:]
    /// How often a watermark that moved is journaled: a restarted reconciler reads the
    /// venue's fills from the last one, so at most this much of them again.
    static let watermarkJournalInterval: Duration = .seconds(30)

    /// Creates the engine.
    init(
        bus: BusConnection, venue: any Venue, journal: JournalState, follower: FactFollower, configuration: ReconcilerConfiguration,
        stats: ReconcilerStats, now: @escaping @Sendable () -> Int64, run: String, logger: Logger
    ) {
        self.bus = bus
        self.venue = venue
        self.journal = journal
        self.follower = follower
        self.configuration = configuration
        self.stats = stats
        self.now = now
        self.run = run
        self.logger = logger
    }

    /// One pass over one account, counted in `bw_reconciliations_total` by its outcome
    /// (`failed` when it throws: venue or writer unreachable).
    func reconcile(_ account: String) async throws(ServiceError) -> PassReport {
        do {
            let report = try await pass(account)
            OpsMetrics.reconciliation(outcome: report.outcome)
            return report
        } catch {
            OpsMetrics.reconciliation(outcome: "failed")
            throw error
        }
    }

    private func pass(_ account: String) async throws(ServiceError) -> PassReport {
        let journal = journal
        let apply: @Sendable (JournalRecord) async -> Void = { record in await journal.apply(record) }
        try await follower.catchUp(apply)
        let view = await journal.snapshot(now: now())
        let pass = AccountPass(
            account: account, venue: venue, writer: FactWriter(bus: bus), configuration: configuration, now: now, logger: logger)
        // A restarted reconciler starts from the journaled watermark, not from the venue's first fill.
        let after = watermarks[account] ?? view.fillsChecked[account] ?? TradeCursor()
        var (report, checked) = try await pass.repairOrders(view: view, after: after)
        if report.fillsComplete {
            watermarks[account] = checked
            try await journalWatermark(account, checked, journaled: view.fillsChecked[account] ?? TradeCursor())
        }
        // Holdings are compared only on a journal the pass did not just change (next pass otherwise).
        if report.repairs == 0 && report.external == 0 {
            try await pass.checkHoldings(view: view, bus: bus, memory: memory, report: &report)
        }
        if configuration.maxHoldSeconds > 0 {
            try await pass.forceCloseStale(view: view, bus: bus, report: &report)
        }
        await stats.record(report)
        return report
    }

    /// Journals `recon.fills_checked` for each series whose watermark is past the journaled one,
    /// at most once per `watermarkJournalInterval` per account. A refusal is logged; the pass
    /// goes on (the watermark spares a restarted reconciler the venue's whole history).
    private func journalWatermark(_ account: String, _ checked: TradeCursor, journaled: TradeCursor) async throws(ServiceError) {
        let facts = checked.seqs.sorted { $0.key < $1.key }.compactMap { series, seq in
            seq > (journaled.last(in: series) ?? Int64.min) ? FillsChecked.fact(account: account, tradeSeq: seq, series: series) : nil
        }
        guard !facts.isEmpty,
            now() - (watermarksJournaledAt[account] ?? Int64.min / 2) >= Self.watermarkJournalInterval.wholeNanoseconds
        else { return }
        if case .refused(let error) = try await FactWriter(bus: bus).append(facts) {
            logger.error("recon.fills_checked.refused", metadata: ["account": "\(account)", "error": "\(error)"])
        }
        watermarksJournaledAt[account] = now()
    }

    /// Journals that this run began (retried until the writer has it): from then on every
    /// account waits for this run's startup pass; an old run's readiness does not count.
    func announceRunStart() async {
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do throws(ServiceError) {
                if case .refused(let error) = try await FactWriter(bus: bus).append([ReconcilerRunStarted.fact(run: run)]) {
                    logger.error("recon.run_start.refused", metadata: ["error": "\(error)"])
                }
                logger.notice("recon.run_started", metadata: ["run": "\(run)"])
                return
            } catch {
                logger.warning("recon.run_start.retry", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }

    /// Startup reconciliation of `account` (C1): passes until no pending intent is
    /// left inside its grace period, then `recon.account_ready`. On failure, fail
    /// closed (an explicit not-ready fact, retried) or open (ready, with the reason).
    func startup(_ account: String) async {
        var announcedFailure = false
        while !Task.isCancelled {
            do throws(ServiceError) {
                let report = try await reconcile(account)
                if report.waiting == 0 {
                    try await adoptVenueBalances(account)
                    try await announce(account, ok: true, report: report, reason: nil)
                    await stats.ready(account)
                    logger.notice("recon.account_ready", metadata: ["account": "\(account)", "adopted": "\(report.adopted)", "failed": "\(report.failed)", "external": "\(report.external)"])
                    return
                }
            } catch {
                await stats.failedPass()
                logger.error("recon.startup.failed", metadata: ["account": "\(account)", "error": "\(error)"])
                if !configuration.failClosed {
                    try? await announce(account, ok: true, report: PassReport(), reason: "reconciliation_failed_open:\(error.code.rawValue)")
                    return
                }
                if !announcedFailure {
                    announcedFailure = (try? await announce(account, ok: false, report: PassReport(), reason: "reconciliation_failed:\(error.code.rawValue)")) != nil
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The venue is the truth for balances: its totals become the ledger's before the
    /// account trades (`BW_ACCOUNTS` only seeds the paper venue and names the accounts).
    private func adoptVenueBalances(_ account: String) async throws(ServiceError) {
        let journal = journal
        try await follower.catchUp { record in await journal.apply(record) }
        let pass = AccountPass(
            account: account, venue: venue, writer: FactWriter(bus: bus), configuration: configuration, now: now, logger: logger)
        _ = try await pass.adoptBalancesAtStartup(view: await journal.snapshot(now: now()), bus: bus)
    }

    private func announce(_ account: String, ok: Bool, report: PassReport, reason: String?) async throws(ServiceError) {
        let body = AccountReconciled(ok: ok, run: run, adopted: report.adopted, failed: report.failed, external: report.external, reason: reason)
        let fact = Fact(id: "\(ok ? "ready" : "not_ready"):\(account):\(run)", account: account, payload: .reconciliation(.accountReady(body)))
        if case .refused(let error) = try await FactWriter(bus: bus).append([fact]) { throw error }
    }
}
