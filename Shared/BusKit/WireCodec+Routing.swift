import BusProtocol
import Foundation

extension WireCodec {
    /// What the bus routes a request by, read from its header frame without decoding the
    /// rest of it: the bus forwards the header and body frames as they came, and the worker
    /// validates the whole header.
    public struct Routing: Sendable, Equatable {
        /// The request's id (for the bus's own error replies).
        public var id: String
        /// The message type.
        public var type: String
        /// The target service.
        public var service: String?
        /// The routing key.
        public var key: String?
    }

    /// The routing fields of a request, checked as `decodeMessage` checks them: the size,
    /// the version, a short non-empty id and type. The rest of the header is the worker's.
    public static func routing(header: Data, bodyBytes: Int) throws(ServiceError) -> Routing {
        guard header.count + bodyBytes <= maxMessageBytes else {
            throw ServiceError(.invalidRequest, reason: tooLargeReason, "a message may be at most \(maxMessageBytes) bytes")
        }
        // The fast path reads the whole header; outside its subset the routing fields alone
        // are decoded, as before (the rest of the header is the worker's to refuse).
        if let scanned = header.withUnsafeBytes({ Header.scanned(from: $0) }) {
            try checkEnvelope(v: scanned.v, id: scanned.id, type: scanned.type)
            return Routing(id: scanned.id, type: scanned.type, service: scanned.service, key: scanned.key)
        }
        struct Fields: Decodable {
            let v: Int
            let id: String
            let type: String
            let service: String?
            let key: String?
        }
        let fields: Fields
        do {
            fields = try JSONDecoder.wire.decode(Fields.self, from: header)
        } catch {
            throw ServiceError(.invalidRequest, reason: "malformed_header", "the header is not a JSON object with v, id, type (and service, key as strings)")
        }
        try checkEnvelope(v: fields.v, id: fields.id, type: fields.type)
        return Routing(id: fields.id, type: fields.type, service: fields.service, key: fields.key)
    }

    /// The frame the bus appends to a keyed request it forwards: the partition and its
    /// lease's epoch, `<partition>:<epoch>` in ASCII. Only the bus writes it, and a worker
    /// takes its fencing from it alone, never from the header a client sent.
    public static func leaseFrame(partition: Int, epoch: Int64) -> Data {
        Data("\(partition):\(epoch)".utf8)
    }

    /// The partition and epoch of a lease frame; nil when the frame is not one.
    public static func lease(fromFrame frame: Data) -> (partition: Int, epoch: Int64)? {
        guard frame.count <= 48 else { return nil }
        let parts = String(decoding: frame, as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let partition = Int(parts[0]), partition >= 0, let epoch = Int64(parts[1]), epoch >= 0 else { return nil }
        return (partition, epoch)
    }

    /// The frame the bus appends, on an authenticated bus, to every request it forwards: the
    /// sender's role and peer name as the peer list has them, `<role>\n<name>`, after the
    /// lease frame (empty for a request without a key). Only the bus writes it; the receiving
    /// connection sets `Header.sender` from it alone, never from the header a sender wrote.
    public static func senderFrame(_ sender: Sender) -> Data {
        Data("\(sender.role)\n\(sender.name)".utf8)
    }

    /// The sender a sender frame names; nil when the frame is not one.
    public static func sender(fromFrame frame: Data) -> Sender? {
        guard frame.count <= 512 else { return nil }
        let parts = String(decoding: frame, as: UTF8.self).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return Sender(name: String(parts[1]), role: String(parts[0]))
    }
}
