import Crypto
import Foundation

/// Binance's client order ids: 1 to 36 characters of `[.A-Z:/a-z0-9_-]`. Breakwater accepts
/// ids up to 64 characters (and the reconciler mints long ones), so each id is mapped to a
/// venue id that fits, deterministically: the same Breakwater id gives the same venue id in
/// every process and after every restart, with no table to keep.
///
/// - An id that already fits and does not start with `h.` is sent as it is.
/// - Any other id is sent as `h.` + the first 34 hex digits of its SHA-256 (136 bits).
///   Such an id never equals an id sent as it is (those never start with `h.`), so two
///   Breakwater ids share a venue id only on a SHA-256 collision in 136 bits.
///
/// Back from the venue: an id not starting with `h.` is the Breakwater id itself; an `h.`
/// id is looked up among the ids the caller knows (`BinanceIdBook`), since a hash cannot
/// be reversed.
public enum BinanceClientOrderId {
    /// The longest client order id Binance takes.
    public static let maxLength = 36
    /// The prefix of a hashed id.
    public static let hashPrefix = "h."

    /// Whether `id` is a client order id Binance accepts.
    public static func isValid(_ id: String) -> Bool {
        let bytes = id.utf8
        guard (1...maxLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy(isAllowed)
    }

    /// The venue id for Breakwater's `id`.
    public static func venueId(for id: String) -> String {
        if isValid(id), !id.hasPrefix(hashPrefix) { return id }
        let digest = SHA256.hash(data: Data(id.utf8))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        return hashPrefix + hex.prefix(maxLength - hashPrefix.count)
    }

    /// Whether `venueId` was hashed (and so needs the caller's own ids to read back).
    public static func isHashed(_ venueId: String) -> Bool {
        venueId.hasPrefix(hashPrefix)
    }

    private static func isAllowed(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
