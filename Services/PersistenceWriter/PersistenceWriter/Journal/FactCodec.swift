import BusProtocol
import Foundation
import TradingModel

/// Converts a fact's payload to and from the JSON stored in `journal.payload`.
///
/// The stored JSON is exactly the `payload` object of the fact's wire form, with
/// sorted keys, so the same fact always produces the same bytes.
enum FactCodec {
    /// The payload's JSON body.
    static func payloadJSON(_ payload: FactPayload) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data =
            switch payload {
            case .orderIntent(let body): try encoder.encode(body)
            case .orderAccepted(let body): try encoder.encode(body)
            case .fillRecorded(let body): try encoder.encode(body)
            case .orderClosed(let body): try encoder.encode(body)
            case .breakerTransition(let body): try encoder.encode(body)
            case .governorTransition(let body): try encoder.encode(body)
            }
        return String(decoding: data, as: UTF8.self)
    }

    /// Rebuilds a fact from its journal columns.
    ///
    /// Throws `INTERNAL` / `unknown_fact_type` for a type this binary does not know
    /// (a journal written by a newer writer), and decoding errors for a corrupt row.
    static func fact(id: String, type: String, account: String, payloadJSON: String) throws -> Fact {
        let decoder = JSONDecoder()
        let data = Data(payloadJSON.utf8)
        let payload: FactPayload
        switch type {
        case "order.intent": payload = .orderIntent(try decoder.decode(OrderIntent.self, from: data))
        case "order.accepted": payload = .orderAccepted(try decoder.decode(OrderAccepted.self, from: data))
        case "fill.recorded": payload = .fillRecorded(try decoder.decode(FillRecorded.self, from: data))
        case "order.canceled", "order.rejected", "order.expired", "order.unknown":
            payload = .orderClosed(try decoder.decode(OrderClosed.self, from: data))
        case "breaker.transition": payload = .breakerTransition(try decoder.decode(BreakerTransition.self, from: data))
        case "governor.transition": payload = .governorTransition(try decoder.decode(GovernorTransition.self, from: data))
        default:
            throw ServiceError(.internal, reason: "unknown_fact_type", "journal holds unknown fact type '\(type)'")
        }
        precondition(payload.type == type, "journal row type \(type) holds a \(payload.type) payload")
        return Fact(id: id, account: account, payload: payload)
    }
}
