import Testing
@testable import OrderGateway

@Suite("cancels that catch orders still on their way to the venue")
struct CancelRequestsTests {
    @Test("a kill switch after a submit noted the epoch makes that submit cancel its order once placed")
    func killSwitchCatchesInFlight() {
        let cancels = CancelRequests()
        let before = cancels.epoch(account: "acct-1")
        #expect(!cancels.mustCancel(account: "acct-1", clientOrderId: "a", since: before))
        let inFlight = cancels.epoch(account: "acct-1")
        cancels.cancelAll(account: "acct-1")
        #expect(cancels.mustCancel(account: "acct-1", clientOrderId: "b", since: inFlight))
        // Another account's orders are not touched; a submit that starts after the kill switch is not either.
        #expect(!cancels.mustCancel(account: "acct-2", clientOrderId: "c", since: cancels.epoch(account: "acct-2")))
        #expect(!cancels.mustCancel(account: "acct-1", clientOrderId: "d", since: cancels.epoch(account: "acct-1")))
    }

    @Test("an early cancel of one order is applied once, to that order only")
    func earlyCancelOfOneOrder() {
        let cancels = CancelRequests()
        let epoch = cancels.epoch(account: "acct-1")
        cancels.cancelEarly(account: "acct-1", clientOrderId: "x")
        #expect(!cancels.mustCancel(account: "acct-1", clientOrderId: "y", since: epoch))
        #expect(cancels.mustCancel(account: "acct-1", clientOrderId: "x", since: epoch))
        #expect(!cancels.mustCancel(account: "acct-1", clientOrderId: "x", since: epoch))
    }
}
