import Crypto
import Foundation

/// Signs and checks Binance Spot's SIGNED requests: HMAC-SHA256 of the payload (the query
/// string followed, without a separator, by the form body), keyed by the API secret, as
/// lowercase hex. Binance compares signatures case-insensitively, so `verify` does too.
public enum BinanceSigner {
    /// The hex HMAC-SHA256 of `payload` under `secret`.
    public static func signature(payload: String, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` signs `payload` under `secret` (constant time in the MAC's bytes).
    public static func verify(signature: String, payload: String, secret: String) -> Bool {
        guard let given = Self.bytes(hex: signature) else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(payload.utf8), using: key)
    }

    private static func bytes(hex: String) -> Data? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var out = Data(capacity: 32)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
