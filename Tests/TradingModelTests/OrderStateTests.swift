import Testing
import TradingModel

/// The order state machine (G9) against a table written out by hand.
@Suite struct OrderStateTests {
    /// The table's columns, in order.
    static let events: [OrderEvent] = [
        .venueAccepted, .partialFill, .finalFill, .venueCanceled, .venueRejected, .venueExpired, .sendTimedOut, .venueReopened,
    ]

    /// The expected next state for every (state, event); `nil` means the event is refused.
    static let table: [OrderState: [OrderState?]] = [
        //                 venueAccepted     partialFill       finalFill  venueCanceled  venueRejected  venueExpired  sendTimedOut  venueReopened
        .pendingNew:      [.accepted,        .partiallyFilled, .filled,   .canceled,     .rejected,     .expired,     .unknown,     nil],
        .accepted:        [.accepted,        .partiallyFilled, .filled,   .canceled,     nil,           .expired,     nil,          nil],
        .partiallyFilled: [nil,              .partiallyFilled, .filled,   .canceled,     nil,           .expired,     nil,          nil],
        .unknown:         [.accepted,        .partiallyFilled, .filled,   .canceled,     .rejected,     .expired,     .unknown,     nil],
        .filled:          [nil,              nil,              nil,       nil,           nil,           nil,          nil,          nil],
        .canceled:        [nil,              nil,              nil,       nil,           nil,           nil,          nil,          nil],
        .rejected:        [nil,              nil,              nil,       nil,           nil,           nil,          nil,          .unknown],
        .expired:         [nil,              nil,              nil,       nil,           nil,           nil,          nil,          nil],
    ]

    @Test func tableCoversEveryStateAndEvent() {
        #expect(Set(Self.table.keys) == Set(OrderState.allCases))
        #expect(Self.events.count == OrderEvent.allCases.count && OrderEvent.allCases.allSatisfy(Self.events.contains))
        #expect(Self.table.values.allSatisfy { $0.count == Self.events.count })
    }

    @Test(arguments: OrderState.allCases, OrderEvent.allCases)
    func transition(from state: OrderState, on event: OrderEvent) throws {
        let row = try #require(Self.table[state])
        let column = try #require(Self.events.firstIndex(of: event))
        if let expected = row[column] {
            #expect(try state.applying(event) == expected)
        } else {
            #expect(throws: IllegalTransition(from: state, event: event)) { try state.applying(event) }
        }
    }

    @Test func terminalStates() {
        let terminal: Set<OrderState> = [.filled, .canceled, .rejected, .expired]
        for state in OrderState.allCases {
            #expect(state.isTerminal == terminal.contains(state), "\(state)")
        }
    }

    /// Random walks: a terminal state is final (but for a rejected order the venue turns out
    /// to have: reopened to `unknown`), `pending_new` is never re-entered, and every step
    /// agrees with the table.
    @Test(arguments: propertySeeds)
    func randomWalksRespectTheTable(seed: UInt64) {
        forAll(seed: seed, iterations: 500) { rng throws(PropertyFailure) in
            var state = OrderState.pendingNew
            var path = [state.rawValue]
            for _ in 0..<8 {
                let event = Self.events.randomElement(using: &rng)!
                let expected = Self.table[state]![Self.events.firstIndex(of: event)!]
                let next = try? state.applying(event)
                path.append("\(event)")
                try require(next == expected, "path \(path): got \(String(describing: next))")
                let reopened = state == .rejected && event == .venueReopened && next == .unknown
                try require(!(state.isTerminal && next != nil) || reopened, "left terminal \(state) on path \(path)")
                try require(next != .pendingNew, "re-entered pending_new on path \(path)")
                state = next ?? state
            }
        }
    }
}
