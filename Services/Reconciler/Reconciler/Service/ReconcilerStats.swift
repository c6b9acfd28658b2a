/// Counters of the reconciler (C4), reported by `recon.status`.
actor ReconcilerStats {
    private(set) var status = ReconcilerStatus()

    /// Records one finished run of every account.
    func finishedRun(at ts: Int64, millis: Int64, triggered: Bool) {
        status.runs += 1
        if triggered { status.triggeredRuns += 1 }
        status.lastRunTs = ts
        status.lastRunMillis = millis
    }

    /// Records what a pass found and did.
    func record(_ pass: PassReport) {
        status.desyncs += pass.desyncs
        status.repairs += pass.repairs
        status.adopted += pass.adopted
        status.failedIntents += pass.failed
        status.externalOrders += pass.external
        status.forceClosed += pass.forceClosed
    }

    /// Records a pass that could not finish (venue or writer unreachable).
    func failedPass() { status.failedRuns += 1 }

    /// Records that an account passed its startup reconciliation.
    func ready(_ account: String) {
        if !status.readyAccounts.contains(account) { status.readyAccounts.append(account) }
        status.readyAccounts.sort()
    }

    /// Records a stream gap or reconnect.
    func streamEvent(gap: Bool) {
        if gap { status.streamGaps += 1 } else { status.streamReconnects += 1 }
    }
}
