import BusKit
import BusProtocol
import Foundation
import Testing
import TradingModel
import VenueKit
@testable import VenueSim

/// A place that arrives after its deadline is never executed (issue 12 item 4): its sender
/// gave up on that attempt and may have closed the order `not_at_venue` meanwhile.
@Suite("venue.place and its deadline")
struct DeadlineTests {
    static func message(_ place: VenuePlace, deadline: Int64?) -> Message {
        Message(
            header: Header(id: "m-\(place.clientOrderId)", type: "venue.place", ts: Fixtures.t0, deadline: deadline),
            body: WireCodec.encode(place))
    }

    @Test("a new order past its deadline is TIMEOUT / deadline_passed and is not placed; on time, or without a deadline, it is")
    func lateNewOrderIsRefused() async throws {
        let book = VenueBook(Fixtures.exchange(), faults: VenueFaults(), seed: 1, stateFile: nil)
        let resting = Fixtures.place("late-1", type: .limit, qty: "0.01", price: "1000")
        let now = Fixtures.t0 + 5_000_000_000
        do {
            _ = try await book.handle(Self.message(resting, deadline: now - 1), now: now)
            Issue.record("a late place was executed")
        } catch {
            #expect(error.code == .timeout && error.reason == "deadline_passed")
        }
        let refused = try? await book.handle(Message(
            header: Header(id: "q-1", type: "venue.order", ts: now), body: WireCodec.encode(VenueOrderRef(account: Fixtures.rich, clientOrderId: "late-1"))), now: now)
        #expect(refused == nil, "the venue has no such order")

        let placed = try WireCodec.decode(VenueOrder.self, from: try await book.handle(Self.message(resting, deadline: now), now: now))
        #expect(placed.clientOrderId == "late-1" && placed.status == .new)
        // A resend of a placed order past its deadline answers the order (it is a question now).
        let again = try WireCodec.decode(VenueOrder.self, from: try await book.handle(Self.message(resting, deadline: now - 1), now: now + 1))
        #expect(again.venueOrderId == placed.venueOrderId)
        let undated = Fixtures.place("undated-1", type: .limit, qty: "0.01", price: "1000")
        #expect(try WireCodec.decode(VenueOrder.self, from: try await book.handle(Self.message(undated, deadline: nil), now: now)).status == .new)
    }
}
