import BusKit
import BusProtocol
import Foundation
import Testing
import TradingModel
import VenueKit

@testable import VenueSim

/// The venue's lists are pages under the message limit with a cursor, and the client
/// reads them all (the kill switch used to see only the first 100 open orders).
@Suite("venue lists are paged")
struct ListPagingTests {
    static func longId(_ index: Int) -> String {
        let head = "resting-\(index)-"
        return head + String(repeating: "r", count: OrderValidator.maxClientOrderIdLength - head.utf8.count)
    }

    @Test func openOrdersComePageByPageUnderTheLimitAndAllOfThemOnce() async throws {
        let book = VenueBook(Fixtures.exchange(), faults: VenueFaults(), seed: 1, stateFile: nil)
        var placed: [String] = []
        for index in 0..<250 {
            let place = Fixtures.place(Self.longId(index), type: .limit, qty: "0.01", price: "1000")
            let body = try await book.handle(Message(header: Header(id: "p\(index)", type: "venue.place", ts: 0), body: WireCodec.encode(place)), now: Fixtures.t0)
            placed.append(try WireCodec.decode(VenueOrder.self, from: body).clientOrderId)
        }
        var listed: [String] = []
        var query = VenueOpenOrdersQuery(account: Fixtures.rich)
        var pages = 0
        while true {
            let body = try await book.handle(Message(header: Header(id: "l\(pages)", type: "venue.open_orders", ts: 0), body: WireCodec.encode(query)), now: Fixtures.t0)
            #expect(body.count <= WireCodec.maxReplyBodyBytes)
            let page = try WireCodec.decode(VenueOrders.self, from: body)
            pages += 1
            listed += page.orders.map(\.clientOrderId)
            guard let next = page.nextAfter else { break }
            query.afterVenueOrderId = next
        }
        #expect(listed == placed)
        #expect(pages >= 3)
    }

    @Test func venueOrderIdsOfMoreDigitsAreLater() {
        #expect(VenueBook.madeAfter("V1764000000000000", "V500000000000"))
        #expect(VenueBook.madeAfter("V000000000002", "V000000000001"))
        #expect(!VenueBook.madeAfter("V000000000001", "V000000000001"))
    }
}

