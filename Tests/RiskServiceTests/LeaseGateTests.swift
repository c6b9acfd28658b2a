import BusProtocol
import RiskService
import Synchronization
import Testing

/// The take-over before a new lease is served: fence first, catch up, then serve; once per epoch.
@Suite("lease take-over")
struct LeaseGateTests {
    /// Records the take-overs the gate asks for; fails the ones listed in `failing`.
    final class TakeOvers: Sendable {
        let calls = Mutex<[String]>([])
        let failing: Set<Int64>
        init(failing: Set<Int64> = []) { self.failing = failing }
        var gate: LeaseGate {
            LeaseGate { partition, epoch throws(ServiceError) in
                self.calls.withLock { $0.append("\(partition)@\(epoch)") }
                if self.failing.contains(epoch) { throw ServiceError(.staleEpoch, reason: "stale_epoch", "taken") }
            }
        }
        var list: [String] { calls.withLock { $0 } }
    }

    @Test("the first request of a lease takes it over; later ones of the same lease pass; a newer epoch takes over again")
    func takeOverOncePerEpoch() async throws {
        let takeOvers = TakeOvers()
        let gate = takeOvers.gate
        try await gate.admit(partition: 3, epoch: 10)
        try await gate.admit(partition: 3, epoch: 10)
        try await gate.admit(partition: 4, epoch: 10)
        try await gate.admit(partition: 3, epoch: 9)  // an older lease's late request: the writer fences its write
        try await gate.admit(partition: 3, epoch: 12)
        try await gate.admit(partition: nil, epoch: nil)  // sent without a lease: nothing to take over
        #expect(takeOvers.list == ["3@10", "4@10", "3@12"])
    }

    @Test("a failed take-over refuses the request and is tried again by the next one")
    func failedTakeOverIsRetried() async throws {
        let takeOvers = TakeOvers(failing: [7])
        let gate = takeOvers.gate
        await #expect(throws: ServiceError.self) { try await gate.admit(partition: 1, epoch: 7) }
        await #expect(throws: ServiceError.self) { try await gate.admit(partition: 1, epoch: 7) }
        try await gate.admit(partition: 1, epoch: 8)
        try await gate.admit(partition: 1, epoch: 8)
        #expect(takeOvers.list == ["1@7", "1@7", "1@8"])
    }
}
