import BusKit
import Testing

/// The 80 % / 95 % saturation alarm (B2): levels, and at most one alert per level per 30 s.
@Suite("queue saturation alarm")
struct QueueSaturationAlarmTests {
    @Test("below 80 % nothing; 80 % warns; 95 % is critical; each level at most once per 30 s (injected clock)")
    func levelsAndCooldown() {
        let alarm = QueueSaturationAlarm(queue: "test", limit: 100)
        #expect(alarm.check(depth: 79, nowMs: 0) == nil)
        #expect(alarm.check(depth: 80, nowMs: 1) == 80)
        #expect(alarm.check(depth: 90, nowMs: 2) == nil)
        #expect(alarm.check(depth: 96, nowMs: 3) == 95)
        #expect(alarm.check(depth: 100, nowMs: 29_999) == nil)
        #expect(alarm.check(depth: 85, nowMs: 30_000) == nil)
        #expect(alarm.check(depth: 85, nowMs: 30_001) == 80)
        #expect(alarm.check(depth: 99, nowMs: 30_003) == 95)
    }
}
