import BusProtocol
import Foundation

/// A decoded message: its header and its still-encoded JSON body.
public struct Message: Sendable, Equatable {
    public var header: Header
    public var body: Data

    public init(header: Header, body: Data) {
        self.header = header
        self.body = body
    }

    /// Decodes the body into a validated type; any failure is an INVALID_REQUEST
    /// (or the type's own error, e.g. INVALID_NUMBER for a money field sent as a number).
    public func decode<T: Decodable>(_ type: T.Type) throws(ServiceError) -> T {
        try WireCodec.decode(type, from: body)
    }

    /// The reply body of a successful reply, or the error it carries.
    public func decodeReply<T: Decodable>(_ type: T.Type) throws(ServiceError) -> T {
        if header.isError { throw errorBody() }
        return try decode(type)
    }

    /// The error body of an `error` reply (a malformed one becomes INTERNAL).
    public func errorBody() -> ServiceError {
        (try? WireCodec.decode(ServiceError.self, from: body))
            ?? ServiceError(.internal, reason: "malformed_error_reply", "an error reply could not be read")
    }
}

/// JSON encoding and decoding of headers and bodies, with the protocol's limits.
public enum WireCodec {
    /// The largest message (all frames) a service accepts; larger ones are refused.
    public static let maxMessageBytes = 64 * 1024

    /// The value's JSON: from its byte-level writer when it has one (exactly the same bytes,
    /// see `JSONBytesWriter`), else from `JSONEncoder.wire`.
    public static func encode<T: Encodable>(_ value: T) -> Data {
        if let fast = value as? any WireBytesEncodable, let bytes = fast.writtenBytes() {
            return Data(bytes)
        }
        do {
            return try JSONEncoder.wire.encode(value)
        } catch {
            preconditionFailure("encoding \(T.self) failed: \(error)")
        }
    }

    /// Decodes with the type's byte-level reader when it has one and the bytes are inside
    /// its subset, else with `JSONDecoder.wire` (which gives every refusal its error).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(ServiceError) -> T {
        if let fast = type as? any WireBytesDecodable.Type, let value = scanned(fast, from: data) as? T {
            return value
        }
        do {
            return try JSONDecoder.wire.decode(type, from: data)
        } catch let error as ServiceError {
            throw error
        } catch let error as DecodingError {
            throw ServiceError(.invalidRequest, reason: "malformed_body", describe(error))
        } catch {
            throw ServiceError(.invalidRequest, reason: "malformed_body", "the body is not valid JSON")
        }
    }

    private static func scanned(_ type: any WireBytesDecodable.Type, from data: Data) -> (any WireBytesDecodable)? {
        data.withUnsafeBytes { type.scanned(from: $0) }
    }

    /// The reason of the error for a message over `maxMessageBytes`.
    public static let tooLargeReason = "message_too_large"

    /// The type and `reply_to` of a header frame, read without validating the message
    /// (for logging a refused one); nil when the frame is not a short JSON header.
    public static func peekHeader(_ header: Data) -> (type: String, replyTo: String?)? {
        struct Peek: Decodable {
            let type: String
            let replyTo: String?
            enum CodingKeys: String, CodingKey {
                case type
                case replyTo = "reply_to"
            }
        }
        guard header.count <= 4096, let peek = try? JSONDecoder().decode(Peek.self, from: header),
            peek.type.utf8.count <= 64
        else { return nil }
        return (peek.type, peek.replyTo)
    }

    /// The `id` of a header frame that failed validation, when it can still be read, so the
    /// error reply can name the request it answers (the sender can correlate it).
    public static func requestId(inRejectedHeader header: Data) -> String? {
        struct IdOnly: Decodable { let id: String? }
        guard header.count <= 4096, let id = (try? JSONDecoder.wire.decode(IdOnly.self, from: header))?.id,
            !id.isEmpty, id.utf8.count <= 128
        else { return nil }
        return id
    }

    /// Validates and decodes the header and body frames of a request.
    public static func decodeMessage(header: Data, body: Data) throws(ServiceError) -> Message {
        guard header.count + body.count <= maxMessageBytes else {
            throw ServiceError(.invalidRequest, reason: tooLargeReason, "a message may be at most \(maxMessageBytes) bytes")
        }
        let decoded: Header
        if let scanned = header.withUnsafeBytes({ Header.scanned(from: $0) }) {
            decoded = scanned
        } else {
            decoded = try decodeHeader(header)
        }
        try checkEnvelope(v: decoded.v, id: decoded.id, type: decoded.type)
        if let traceparent = decoded.traceparent, !TraceContext.isValid(traceparent) {
            throw ServiceError(.invalidRequest, reason: "malformed_traceparent", "traceparent must be 00-<32 hex>-<16 hex>-<2 hex>")
        }
        return Message(header: decoded, body: body.isEmpty ? Data("{}".utf8) : body)
    }

    /// A header frame outside the fast subset, decoded (or refused) by `JSONDecoder`.
    private static func decodeHeader(_ header: Data) throws(ServiceError) -> Header {
        do {
            return try JSONDecoder.wire.decode(Header.self, from: header)
        } catch let error as DecodingError {
            throw ServiceError(.invalidRequest, reason: "malformed_header", describe(error))
        } catch {
            throw ServiceError(.invalidRequest, reason: "malformed_header", "the header is not valid JSON")
        }
    }

    /// The version, and a short non-empty id and type: what every reader of a header checks first.
    static func checkEnvelope(v: Int, id: String, type: String) throws(ServiceError) {
        guard v == Header.currentVersion else {
            throw ServiceError(.invalidRequest, reason: "unsupported_version", "protocol version \(v) is not supported; use \(Header.currentVersion)")
        }
        guard !id.isEmpty, id.utf8.count <= 128, !type.isEmpty, type.utf8.count <= 64 else {
            throw ServiceError(.invalidRequest, reason: "malformed_header", "id and type must be non-empty and short")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "field '\(path)': \(context.debugDescription)"
        case .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not valid JSON" : "field '\(path)': \(context.debugDescription)"
        @unknown default: return "malformed JSON"
        }
    }
}

extension JSONEncoder {
    /// Compact, stable key order: what goes on the wire and into the journal.
    static let wire: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

extension JSONDecoder {
    /// One decoder for every message (it is thread-safe and keeps no state between
    /// calls): a `JSONDecoder()` per call showed up on every hop.
    public static let wire = JSONDecoder()
}
