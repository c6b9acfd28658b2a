import BusKit
import Foundation
import Testing
import TestSupport

/// `WireCodec.encodePage`: the longest prefix that fits, whatever the items hold.
@Suite("Paging a reply by bytes")
struct PagingTests {
    struct Page: Codable, Equatable {
        var items: [String]
        var next: Int?
    }

    /// Items of random sizes (seeded), some larger than a tenth of the budget.
    static func items(seed: UInt64, count: Int) -> [String] {
        var generator = SeededRandom(seed: seed)
        return (0..<count).map { index in
            "\(index):" + String(repeating: "é\"\\", count: Int.random(in: 0...2_000, using: &generator))
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func pagesNeverExceedTheBudgetAndCoverEveryItemOnce(seed: UInt64) throws {
        let all = Self.items(seed: seed, count: 300)
        var rest = all[...]
        var seen: [String] = []
        while !rest.isEmpty {
            let (body, count) = WireCodec.encodePage(rest, maxBytes: 20_000) { prefix, more in
                Page(items: prefix, next: more ? prefix.count : nil)
            }
            #expect(body.count <= 20_000, "seed \(seed): a page of \(body.count) bytes")
            #expect(count >= 1)
            let page = try JSONDecoder().decode(Page.self, from: body)
            #expect(page.items == Array(rest.prefix(count)))
            #expect((page.next != nil) == (count < rest.count))
            seen += page.items
            rest = rest.dropFirst(count)
        }
        #expect(seen == all)
    }

    @Test func anItemLargerThanTheBudgetGoesOutAloneAndEmptyIsOnePage() {
        let (body, count) = WireCodec.encodePage(["small", String(repeating: "x", count: 500)].reversed(), maxBytes: 100) { prefix, more in
            Page(items: prefix, next: more ? 1 : nil)
        }
        #expect(count == 1 && body.count > 100)  // the reply guard turns it into reply_too_large
        let (empty, none) = WireCodec.encodePage([String](), maxBytes: 100) { prefix, more in Page(items: prefix, next: more ? 1 : nil) }
        #expect(none == 0 && String(decoding: empty, as: UTF8.self) == #"{"items":[]}"#)
    }
}
