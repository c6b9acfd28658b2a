import Foundation
import TradingModel

/// ExactDecimal from any text, and from any JSON string: parsing never traps, and what it
/// accepts prints back to the same value.
func fuzzDecimal(_ bytes: Data) {
    let text = String(decoding: bytes, as: UTF8.self)
    if let value = ExactDecimal(text), ExactDecimal(value.description) != value {
        fatalError("'\(text)' → \(value) does not print back")
    }
    _ = try? JSONDecoder().decode([ExactDecimal].self, from: bytes)
    }
