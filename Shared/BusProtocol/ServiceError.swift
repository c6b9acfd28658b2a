/// An operating error: the body of a reply of type `error`.
///
/// `code` is stable and machine-readable; `reason` is a short stable detail in
/// snake_case (e.g. `qty_not_positive`); `message` is for people.
public struct ServiceError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var reason: String
    public var message: String
    public var retryable: Bool
    public var retryAfterMs: Int?

    public init(_ code: ErrorCode, reason: String, _ message: String, retryAfterMs: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.retryable = code.isRetryable
        self.retryAfterMs = retryAfterMs
    }

    enum CodingKeys: String, CodingKey {
        case code, reason, message, retryable
        case retryAfterMs = "retry_after_ms"
    }

    public var description: String { "\(code.rawValue) (\(reason)): \(message)" }
}
