@testable import BinanceVenue
import BinanceWire
import Testing

/// Client order ids in Binance's alphabet, deterministically, and back.
@Suite("client order ids map to Binance's alphabet and back")
struct ClientOrderIdTests {
    @Test("an id that fits is sent as it is", arguments: ["it-buy-1", "a", "A.b:c/d_e-f", String(repeating: "x", count: 36)])
    func fitting(id: String) {
        #expect(BinanceClientOrderId.venueId(for: id) == id)
    }

    @Test("any other id is hashed to 36 valid characters, the same every time", arguments: [
        String(repeating: "x", count: 37), "recon:acct-1:reopen:00000000000000000000000000000000001",
        "has space", "ümlaut", "h.looks-hashed", "",
    ])
    func hashed(id: String) {
        let venueId = BinanceClientOrderId.venueId(for: id)
        #expect(venueId.count == 36 && venueId.hasPrefix("h.") && BinanceClientOrderId.isValid(venueId))
        #expect(venueId == BinanceClientOrderId.venueId(for: id))
        #expect(venueId != BinanceClientOrderId.venueId(for: id + "x"))
    }

    @Test("Binance's alphabet and length", arguments: [("ok-1", true), ("", false), ("a b", false), ("a#b", false), (String(repeating: "y", count: 37), false)])
    func validity(id: String, valid: Bool) {
        #expect(BinanceClientOrderId.isValid(id) == valid)
    }

    @Test("the book reads hashed ids back, forgets the oldest past its limit, and leaves unknown ones as sent")
    func book() {
        let book = ClientIdBook(limit: 2)
        let long = ["recon:acct-1:" + String(repeating: "1", count: 40), "recon:acct-1:" + String(repeating: "2", count: 40), "recon:acct-1:" + String(repeating: "3", count: 40)]
        let venueIds = long.map(book.venueId(for:))
        #expect(book.clientOrderId(for: venueIds[1]) == long[1] && book.clientOrderId(for: venueIds[2]) == long[2])
        #expect(book.clientOrderId(for: venueIds[0]) == venueIds[0])
        #expect(book.clientOrderId(for: "plain-id") == "plain-id")
        #expect(book.venueId(for: "plain-id") == "plain-id")
    }
}
