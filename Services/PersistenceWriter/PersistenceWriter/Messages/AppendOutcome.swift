import BusProtocol
import TradingModel

/// What `append` did with one request; the writer acknowledges each request with it.
///
/// JSON shape: `{"status":"committed","seqs":[7,8]}`, `{"status":"duplicate","seqs":[3]}`
/// or `{"status":"rejected","error":{"code":…,"reason":…,"message":…,"retryable":…}}`.
public enum AppendOutcome: Sendable, Equatable {
    /// At least one fact was new; `seqs` has one sequence number per fact, in request
    /// order (facts that already existed keep their original seq).
    case committed(seqs: [Int64])
    /// Every fact already existed (a resend): nothing was written; the original seqs.
    case duplicate(seqs: [Int64])
    /// Nothing of the request was written; the other requests of the batch are unaffected.
    case rejected(ServiceError)

    /// The sequence numbers of the request's facts, empty when rejected.
    public var seqs: [Int64] {
        switch self {
        case .committed(let seqs), .duplicate(let seqs): seqs
        case .rejected: []
        }
    }
}

/// An append's outcome with the order it touched, read inside the committing transaction
/// (see `AppendAck.order`): what the writer acknowledges a request with.
public struct AppendResult: Sendable, Equatable {
    public var outcome: AppendOutcome
    /// The order every fact of the request is about, as projected after the request; nil
    /// when the facts are not about one order or the request was rejected.
    public var order: OrderView?

    public init(_ outcome: AppendOutcome, order: OrderView? = nil) {
        self.outcome = outcome
        self.order = order
    }
}

extension AppendOutcome: Codable {
    enum CodingKeys: String, CodingKey { case status, seqs, error }

    /// Decodes the tagged JSON shape; an unknown `status` is a `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let status = try c.decode(String.self, forKey: .status)
        switch status {
        case "committed": self = .committed(seqs: try c.decode([Int64].self, forKey: .seqs))
        case "duplicate": self = .duplicate(seqs: try c.decode([Int64].self, forKey: .seqs))
        case "rejected": self = .rejected(try c.decode(ServiceError.self, forKey: .error))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .status, in: c, debugDescription: "unknown append status '\(status.prefix(32))'")
        }
    }

    /// Encodes `status` plus `seqs` (committed, duplicate) or `error` (rejected).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .committed(let seqs):
            try c.encode("committed", forKey: .status)
            try c.encode(seqs, forKey: .seqs)
        case .duplicate(let seqs):
            try c.encode("duplicate", forKey: .status)
            try c.encode(seqs, forKey: .seqs)
        case .rejected(let error):
            try c.encode("rejected", forKey: .status)
            try c.encode(error, forKey: .error)
        }
    }
}
