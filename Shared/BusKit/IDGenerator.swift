import Foundation
import Synchronization

/// Where message ids and trace ids come from; injected so tests control them.
public protocol IDGenerator: Sendable {
    /// A new unique, time-ordered message id (UUIDv7 text).
    func messageId() -> String
    /// `bytes` random bytes as lowercase hex.
    func hex(bytes: Int) -> String
}

/// UUIDv7 message ids from the system clock and a generator seeded once from the
/// system's random source.
///
/// Hex is written from a table: every message of the suite gets an id, and
/// `String(format:)` per byte was a fifth of the writer's CPU under load. The random
/// bits come from `SeededRandom`, not a `getrandom` call per id (eight per span id).
public struct SystemIDGenerator: IDGenerator {
    private static let digits = Array("0123456789abcdef".utf8)
    private let random = SeededRandom()

    public init() {}

    public func messageId() -> String {
        let random = (random.next(), random.next())
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: random.0 >> (8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: random.1 >> (8 * UInt64(i)))
        }
        let ms = UInt64(WallClock.nowNanos() / 1_000_000)
        for i in 0..<6 { bytes[i] = UInt8((ms >> (8 * (5 - UInt64(i)))) & 0xFF) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(Self.digits[Int(byte >> 4)])
            text.append(Self.digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public func hex(bytes: Int) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes * 2)
        var word: UInt64 = 0
        for index in 0..<bytes {
            if index % 8 == 0 { word = random.next() }
            let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
            text.append(Self.digits[Int(byte >> 4)])
            text.append(Self.digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// xoshiro256** seeded once from `SystemRandomNumberGenerator`: ids and trace ids need
/// uniqueness, not secrecy (never use it for a secret). Shared by copies of its owner.
final class SeededRandom: Sendable {
    private let state: Mutex<(UInt64, UInt64, UInt64, UInt64)>

    init() {
        var system = SystemRandomNumberGenerator()
        var seed = (system.next() as UInt64, system.next() as UInt64, system.next() as UInt64, system.next() as UInt64)
        if seed == (0, 0, 0, 0) { seed.0 = 0x9E37_79B9_7F4A_7C15 }  // the one state xoshiro cannot leave
        state = Mutex(seed)
    }

    func next() -> UInt64 {
        state.withLock { s in
            let result = rotate(s.1 &* 5, 7) &* 9
            let t = s.1 << 17
            s.2 ^= s.0
            s.3 ^= s.1
            s.1 ^= s.2
            s.0 ^= s.3
            s.2 ^= t
            s.3 = rotate(s.3, 45)
            return result
        }
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Wall-clock time in unix nanoseconds (message timestamps and deadlines).
public enum WallClock {
    public static func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
