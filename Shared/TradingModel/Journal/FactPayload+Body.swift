import BusProtocol
import Foundation

extension FactPayload {
    /// The payload's body alone as JSON (the `payload` object of the fact's wire form),
    /// for every fact type, including ones added later: the journal stores it as is.
    public func bodyJSON(using encoder: JSONEncoder) throws -> Data {
        try encoder.encode(EncodedBody(payload: self))
    }

    /// Rebuilds the payload of fact type `type` from its body JSON. Throws
    /// `UNKNOWN_TYPE` / `unknown_fact_type` for a type this build does not know, and
    /// a `DecodingError` for a body that does not fit the type.
    public static func decode(type: String, bodyJSON: Data) throws -> FactPayload {
        let decoder = JSONDecoder()
        decoder.userInfo[DecodedBody.typeKey] = type
        return try decoder.decode(DecodedBody.self, from: bodyJSON).payload
    }
}

/// Encodes a payload's body at the top level.
private struct EncodedBody: Encodable {
    let payload: FactPayload

    func encode(to encoder: any Encoder) throws {
        try payload.encodeBody(to: encoder)
    }
}

/// Decodes a payload's body at the top level; the type comes in `userInfo`.
private struct DecodedBody: Decodable {
    static let typeKey = CodingUserInfoKey(rawValue: "breakwater.fact-type")!
    let payload: FactPayload

    init(from decoder: any Decoder) throws {
        guard let type = decoder.userInfo[Self.typeKey] as? String else {
            preconditionFailure("FactPayload.decode sets the fact type")
        }
        payload = try FactPayload.decode(type: type, from: decoder)
    }
}
