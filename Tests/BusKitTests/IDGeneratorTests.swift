import BusKit
import Testing

@Suite("Message ids")
struct IDGeneratorTests {
    @Test func messageIdsAreUniqueTimeOrderedUUIDv7Text() {
        let generator = SystemIDGenerator()
        let before = UInt64(WallClock.nowNanos() / 1_000_000)
        let ids = (0..<2_000).map { _ in generator.messageId() }
        let after = UInt64(WallClock.nowNanos() / 1_000_000)
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(50) {
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            #expect(groups.map(\.count) == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.allSatisfy { "0123456789abcdef-".contains($0) }, "\(id)")
            #expect(groups[2].first == "7", "version 7: \(id)")
            #expect("89ab".contains(groups[3].first ?? "x"), "RFC variant: \(id)")
            let ms = UInt64(groups[0] + groups[1], radix: 16) ?? 0
            #expect(ms >= before && ms <= after, "time prefix \(ms) outside \(before)…\(after)")
        }
    }

    @Test func hexHasTwoLowercaseDigitsPerByte() {
        let hex = SystemIDGenerator().hex(bytes: 8)
        #expect(hex.count == 16 && hex.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test("hex of any length draws fresh bytes (not one word repeated) and ids never repeat across generators")
    func hexSpansWords() {
        let a = SystemIDGenerator(), b = SystemIDGenerator()
        let long = a.hex(bytes: 16)
        #expect(long.count == 32)
        #expect(long.prefix(16) != long.suffix(16))
        let ids = (0..<1_000).flatMap { _ in [a.messageId(), b.messageId()] }
        #expect(Set(ids).count == ids.count)
    }
}
