/// The header frame of every message (PROTOCOL.md): routing and tracing metadata.
///
/// Unknown fields are ignored on decode (forward compatibility). The bus adds
/// `partition` and `epoch` to keyed requests it forwards; the writer adds `seq`
/// to the facts it publishes.
public struct Header: Codable, Sendable, Equatable {
    /// The protocol version this code speaks.
    public static let currentVersion = 1

    public var v: Int
    public var id: String
    public var type: String
    public var service: String?
    public var key: String?
    public var ts: Int64
    public var traceparent: String?
    public var replyTo: String?
    public var deadline: Int64?
    public var partition: Int?
    public var epoch: Int64?
    public var seq: Int64?
    /// Who sent this request, as the bus authenticated it: set by the receiving connection
    /// from the bus's own sender frame, never read from or written to the header on the wire
    /// (it is not a coding key), so no sender can claim another's identity. Nil on a
    /// plain-text bus, where nobody is authenticated.
    public var sender: Sender? = nil

    public init(
        id: String, type: String, service: String? = nil, key: String? = nil, ts: Int64,
        traceparent: String? = nil, replyTo: String? = nil, deadline: Int64? = nil
    ) {
        self.v = Header.currentVersion
        self.id = id
        self.type = type
        self.service = service
        self.key = key
        self.ts = ts
        self.traceparent = traceparent
        self.replyTo = replyTo
        self.deadline = deadline
    }

    enum CodingKeys: String, CodingKey {
        case v, id, type, service, key, ts, traceparent, deadline, partition, epoch, seq
        case replyTo = "reply_to"
    }

    /// Whether this header is a reply (it names the request it answers).
    public var isReply: Bool { replyTo != nil }
    /// Whether this reply carries an error body.
    public var isError: Bool { type == MessageType.error }
}

/// The authenticated sender of a request: its peer name and its role in the peer list
/// (`service:NAME`, `client`, `operator`; docs/security.md).
public struct Sender: Sendable, Equatable {
    public var name: String
    public var role: String

    public init(name: String, role: String) {
        self.name = name
        self.role = role
    }

    /// The service a `service:NAME` role names; nil for a client or an operator.
    public var service: String? {
        role.hasPrefix(Self.servicePrefix) && role.count > Self.servicePrefix.count ? String(role.dropFirst(Self.servicePrefix.count)) : nil
    }

    /// What a service's role starts with.
    public static let servicePrefix = "service:"
}

/// Well-known message types.
public enum MessageType {
    public static let error = "error"
    /// The reply type to a request of type `type`.
    public static func ok(_ type: String) -> String { type + ".ok" }
}
