import BusKit
import Testing
@testable import Reconciler

/// What a pass counts in `bw_reconciliations_total` and how loud its mismatch alerts are (S2, S4).
@Suite("pass outcome and mismatch severity")
struct PassOutcomeTests {
    @Test("a desync makes the pass a mismatch; facts written without one, repaired; nothing, a match")
    func outcome() {
        var report = PassReport()
        #expect(report.outcome == "match")
        report.waiting = 2
        #expect(report.outcome == "match")
        report.repairs = 1
        #expect(report.outcome == "repaired")
        report.desyncs = 1
        #expect(report.outcome == "mismatch")
    }

    @Test("positions and balances that disagree are critical; orders and fills journaled from the venue are warnings")
    func severity() {
        #expect(AccountPass.severity(ofDesync: "position") == .critical)
        #expect(AccountPass.severity(ofDesync: "balance") == .critical)
        for kind in ["missing_fill", "order_state", "external_order"] {
            #expect(AccountPass.severity(ofDesync: kind) == .warning)
        }
    }
}
