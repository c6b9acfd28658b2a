import Synchronization
import Testing

@testable import OrderGateway

/// Venue sends of one key go out in ticket (intent) order, each waiting only for the
/// earlier ones to be sent, never for their answers.
@Suite("venue sends in intent order per key")
struct SendSequenceTests {
    @Test("tickets go in order whatever order their tasks reach the turn; other keys do not wait")
    func inOrder() async {
        let sends = SendSequence()
        let tickets = (0..<20).map { _ in sends.take("a|BTC") }
        let other = sends.take("b|BTC")
        await sends.turn("b|BTC", other)  // another key: no wait
        sends.done("b|BTC", other)
        let order = Recorded()
        await withTaskGroup(of: Void.self) { group in
            for ticket in tickets.reversed() {
                group.addTask {
                    await sends.turn("a|BTC", ticket)
                    order.append(ticket)
                    sends.done("a|BTC", ticket)
                    sends.done("a|BTC", ticket)  // idempotent
                }
            }
        }
        #expect(order.values == tickets)
        #expect(sends.busyKeys == 0, "a key with nothing outstanding is forgotten")
    }

    @Test("a ticket given up before its turn does not hold the next one")
    func abandoned() async {
        let sends = SendSequence()
        let first = sends.take("k"), second = sends.take("k")
        sends.done("k", first)  // gave up before sending
        await sends.turn("k", second)
        sends.done("k", second)
        #expect(sends.busyKeys == 0)
    }
}

/// Tickets in the order their turns came.
private final class Recorded: Sendable {
    private let state = Mutex<[UInt64]>([])
    func append(_ ticket: UInt64) { state.withLock { $0.append(ticket) } }
    var values: [UInt64] { state.withLock { $0 } }
}
