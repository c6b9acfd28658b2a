import Foundation

/// Where message ids and trace ids come from; injected so tests control them.
public protocol IDGenerator: Sendable {
    /// A new unique, time-ordered message id (UUIDv7 text).
    func messageId() -> String
    /// `bytes` random bytes as lowercase hex.
    func hex(bytes: Int) -> String
}

/// UUIDv7 message ids from the system clock and the system random generator.
///
/// Hex is written from a table: every message of the suite gets an id, and
/// `String(format:)` per byte was a fifth of the writer's CPU under load.
public struct SystemIDGenerator: IDGenerator {
    private static let digits = Array("0123456789abcdef".utf8)

    public init() {}

    public func messageId() -> String {
        var rng = SystemRandomNumberGenerator()
        let random = (rng.next() as UInt64, rng.next() as UInt64)
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
        var rng = SystemRandomNumberGenerator()
        var text = [UInt8]()
        text.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: 0...255, using: &rng)
            text.append(Self.digits[Int(byte >> 4)])
            text.append(Self.digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Wall-clock time in unix nanoseconds (message timestamps and deadlines).
public enum WallClock {
    public static func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
