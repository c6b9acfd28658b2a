@testable import ServiceRuntime
import Testing

/// The time-and-count bounded memory behind the services' recent-history caches.
@Suite("recent memory")
struct RecentMemoryTests {
    @Test("a key is kept for the window after it was recorded, then forgotten")
    func forgetsAfterWindow() {
        var memory = RecentMemory<String, Int>(window: 100, limit: 10)
        let new = memory.record("a", 1, at: 0)
        #expect(new)
        memory.record("b", 2, at: 50)
        memory.expire(now: 100)
        #expect(memory["a"] == 1 && memory["b"] == 2)
        memory.expire(now: 101)
        #expect(memory["a"] == nil && memory["b"] == 2 && memory.count == 1)
        memory.expire(now: 151)
        #expect(memory["b"] == nil && memory.count == 0)
    }

    @Test("recording a key again renews its time and replaces its value")
    func recordRenews() {
        var memory = RecentMemory<String, Int>(window: 100, limit: 10)
        memory.record("a", 1, at: 0)
        let newAgain = memory.record("a", 2, at: 90)
        #expect(!newAgain)
        memory.expire(now: 150)
        #expect(memory["a"] == 2)
        memory.expire(now: 191)
        #expect(memory["a"] == nil)
    }

    @Test("over the limit the least recently recorded goes first, whatever the window")
    func limitForgetsOldest() {
        var memory = RecentMemory<Int, Int>(window: 1_000_000, limit: 3)
        for key in 0..<5 { memory.record(key, key, at: Int64(key)) }
        #expect(memory.count == 3)
        #expect(memory[0] == nil && memory[1] == nil && memory[2] == 2 && memory[4] == 4)
        memory.record(2, 20, at: 5)  // renewed: now the newest
        memory.record(5, 5, at: 6)
        #expect(memory[3] == nil && memory[2] == 20 && Set(memory.values) == [20, 4, 5])
    }

    @Test("a removed key is gone, and its old time does not forget it once recorded again")
    func removeThenRecord() {
        var memory = RecentMemory<String, Int>(window: 100, limit: 10)
        memory.record("a", 1, at: 0)
        let removed = memory.remove("a")
        #expect(removed == 1 && memory["a"] == nil)
        memory.record("a", 2, at: 80)
        memory.expire(now: 150)
        #expect(memory["a"] == 2)
    }

    @Test("many recordings of a few keys keep the memory's queue bounded")
    func queueStaysBounded() {
        var memory = RecentMemory<Int, Int>(window: 1_000_000_000, limit: 4)
        for n in 0..<200_000 { memory.record(n % 3, n, at: Int64(n)) }
        #expect(memory.count == 3)
        #expect(memory[0] == 199_998 && memory[1] == 199_999 && memory[2] == 199_997)
        #expect(memory.queuedStamps <= 2 * 4 + 1024 + 1)
    }
}
