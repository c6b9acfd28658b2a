import BusProtocol
import Foundation
import TradingModel

/// Converts a fact's payload to and from the JSON stored in `journal.payload`.
///
/// The stored JSON is exactly the `payload` object of the fact's wire form, with
/// sorted keys, so the same fact always produces the same bytes. Both directions go
/// through `TradingModel`'s own coding, so a fact type added there later is journaled
/// and replayed without a change here.
enum FactCodec {
    /// One encoder for every payload (configured once, so sharing it is safe).
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The payload's JSON body: a hot fact's from its byte-level writer (the same bytes),
    /// any other from the encoder.
    static func payloadJSON(_ payload: FactPayload) throws -> String {
        if let bytes = payload.writtenBodyBytes() { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: try payload.bodyJSON(using: encoder), as: UTF8.self)
    }

    /// Rebuilds a fact from its journal columns.
    ///
    /// Throws `UNKNOWN_TYPE` / `unknown_fact_type` for a type this binary does not know
    /// (a journal written by a newer writer), and decoding errors for a corrupt row.
    static func fact(id: String, type: String, account: String, payloadJSON: String) throws -> Fact {
        let payload = try FactPayload.decode(type: type, bodyJSON: Data(payloadJSON.utf8))
        precondition(payload.type == type, "journal row type \(type) holds a \(payload.type) payload")
        return Fact(id: id, account: account, payload: payload)
    }
}
