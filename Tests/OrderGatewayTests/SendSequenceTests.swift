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

extension SendSequenceTests {
    @Test("a late second done of an earlier order, after the key's line emptied and was made again, lets no later order skip its turn")
    func lateDoneAfterTheLineWasMadeAgain() {
        let sends = SendSequence()
        let early = [sends.take("k"), sends.take("k")]
        for ticket in early { sends.done("k", ticket) }  // both sent: the line is empty and forgotten
        #expect(sends.busyKeys == 0)
        let first = sends.take("k"), second = sends.take("k"), third = sends.take("k")
        // The early orders' second dones, as their outcomes are journaled; and one of no order.
        for ticket in early + [.max] { sends.done("k", ticket) }
        #expect(sends.isTurn("k", first) && !sends.isTurn("k", second) && !sends.isTurn("k", third))
        sends.done("k", first)
        #expect(sends.isTurn("k", second))
        #expect(!sends.isTurn("k", third), "the third order went before the second was sent (and the second would wait forever)")
        sends.done("k", second)
        #expect(sends.isTurn("k", third))
        sends.done("k", third)
        #expect(sends.busyKeys == 0)
    }
}

/// Tickets in the order their turns came.
private final class Recorded: Sendable {
    private let state = Mutex<[UInt64]>([])
    func append(_ ticket: UInt64) { state.withLock { $0.append(ticket) } }
    var values: [UInt64] { state.withLock { $0 } }
}
