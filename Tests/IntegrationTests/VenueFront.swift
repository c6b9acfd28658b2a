import Foundation
import Testing
import TestSupport

/// The two ways the suite reaches the paper venue: venue-sim's own ZeroMQ API (paper
/// mode), or venue-sim's Binance Spot front through the Binance adapter (live mode on
/// loopback, key file and all). Tests that take it as an argument run against both.
enum VenueFront: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case paper
    case binance

    var testDescription: String { rawValue }

    /// The venue name its fills are journaled under.
    var venueName: String { rawValue }

    /// The accounts the suite trades: a Binance key trades one account.
    var accounts: [String] {
        switch self {
        case .paper: ["acct-1", "acct-2"]
        case .binance: ["acct-1"]
        }
    }

    /// Sets `suite`'s environment for this front (before it starts); `key` and `secret` are the Binance key's.
    func configure(_ suite: Suite, key: String = "it-key-1", secret: String = "it-secret-1") throws {
        guard self == .binance else { return }
        let port = FreePorts.block(of: 1)
        let keyFile = suite.dataDirectory + "/binance.key"
        guard FileManager.default.createFile(atPath: keyFile, contents: Data("\(key)\n\(secret)\n".utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        suite.environment.merge([
            "BW_ACCOUNTS": "acct-1:USDT=100000,BTC=2,ETH=20",
            "BW_VENUE_BINANCE_PORT": "\(port)",
            "BW_VENUE_BINANCE_CREDENTIALS": "acct-1:\(key):\(secret)",
            "BW_VENUE_MODE": "live",
            "BW_BINANCE_BASE_URL": "http://127.0.0.1:\(port)",
            "BW_BINANCE_KEY_FILE": keyFile,
            "BW_BINANCE_ACCOUNT": "acct-1",
        ]) { _, new in new }
    }
}
