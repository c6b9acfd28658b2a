import BusProtocol

/// On the wire an exact decimal is a JSON string in canonical form, e.g. `"0.1"`.
///
/// A JSON number is refused rather than converted: by the time a number reached us
/// it may already have been through a binary float and lost precision (M1).
extension ExactDecimal: Codable {
    /// Decodes a decimal string; throws `ServiceError` with code `INVALID_NUMBER` for a
    /// non-string (`number_not_string`) or a malformed string (`malformed_decimal`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        do {
            text = try container.decode(String.self)
        } catch DecodingError.typeMismatch, DecodingError.valueNotFound {
            throw ServiceError(
                .invalidNumber, reason: "number_not_string",
                "money and quantities are decimal strings, e.g. \"0.1\"")
        }
        guard let value = ExactDecimal(text) else {
            throw ServiceError(
                .invalidNumber, reason: "malformed_decimal",
                "'\(text.prefix(48))' is not a decimal string (digits, optional '-', at most 12 fraction digits)")
        }
        self = value
    }

    /// Encodes the canonical `description` as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
