import BusKit
import BusProtocol
import Foundation

/// The RPC plane's routing state and decisions, free of sockets so it can be
/// tested alone. Confined to the bus's I/O thread.
///
/// Frames in are what a ROUTER receives: `[sender, route…, "", header, body]`.
/// Frames out are what the ROUTER sends: `[peer, route…, "", header, body]`.
final class Broker {
    struct Worker {
        let id: Data
        let name: String
        let service: String
        var expiresAtMs: Int
    }

    struct Lease {
        var worker: Data
        var epoch: Int64
    }

    /// A forwarded or answered message, plus what the tap shows of it.
    struct Outgoing {
        var frames: [Data]
        var tap: TapRecord?
    }

    let partitioner: Partitioner
    let heartbeatIntervalMs: Int
    let liveness: Int
    private let epochBase: Int64
    private var epochCounter: Int64 = 0
    var workersByID: [Data: Worker] = [:]
    /// Per service, live workers in least-recently-used order (front = next).
    var rotationByService: [String: [Data]] = [:]
    var leasesByService: [String: [Int: Lease]] = [:]
    let ids: any IDGenerator

    /// - Parameter startMs: wall-clock start; epochs start above every epoch a
    ///   previous bus run handed out, so fencing survives a bus restart.
    init(partitioner: Partitioner, heartbeatIntervalMs: Int, liveness: Int, startMs: Int64, ids: any IDGenerator) {
        self.partitioner = partitioner
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.liveness = liveness
        self.epochBase = startMs << 20
        self.ids = ids
    }

    // MARK: Inbound

    func handle(_ frames: [Data], nowMs: Int) -> [Outgoing] {
        guard frames.count >= 4, let delimiter = frames.indices.dropFirst().first(where: { frames[$0].isEmpty }),
            frames.count == delimiter + 3
        else {
            // Not our framing: answer the peer (it may be a confused client), never crash or stall.
            guard let peer = frames.first, !peer.isEmpty else { return [] }
            return [errorReply(to: peer, replyTo: nil, ServiceError(
                .invalidRequest, reason: "malformed_frames", "expected frames: empty delimiter, header, body"))]
        }
        let sender = frames[0]
        let route = Array(frames[1..<delimiter])
        if workersByID[sender] != nil { workersByID[sender]?.expiresAtMs = nowMs + heartbeatIntervalMs * liveness }
        if !route.isEmpty {
            // A worker's reply: pass it back along the route unchanged.
            return [Outgoing(frames: route + Array(frames[delimiter...]), tap: tap(frames[delimiter + 1], from: sender, to: route[0], kind: "reply"))]
        }
        let message: Message
        do {
            message = try WireCodec.decodeMessage(header: frames[delimiter + 1], body: frames[delimiter + 2])
        } catch {
            return [errorReply(to: sender, replyTo: WireCodec.requestId(inRejectedHeader: frames[delimiter + 1]), error)]
        }
        guard let service = message.header.service, !service.isEmpty else {
            return [errorReply(to: sender, replyTo: message.header.id, ServiceError(.invalidRequest, reason: "missing_service", "a request must name its target service"))]
        }
        if service == BusCommand.service { return command(message, from: sender, nowMs: nowMs) }
        return [forward(message, rawHeader: frames[delimiter + 1], body: frames[delimiter + 2], from: sender)]
    }

    private func forward(_ message: Message, rawHeader: Data, body: Data, from sender: Data) -> Outgoing {
        let service = message.header.service ?? ""
        var headerFrame = rawHeader
        let target: Data?
        if let key = message.header.key {
            let partition = partitioner.partition(of: key)
            if let lease = leaseOwner(service: service, partition: partition) {
                target = lease.worker
                var header = message.header
                header.partition = partition
                header.epoch = lease.epoch
                header.seq = nil
                headerFrame = WireCodec.encode(header)
            } else {
                target = nil
            }
        } else {
            target = nextWorker(service: service)
            if message.header.partition != nil || message.header.epoch != nil || message.header.seq != nil {
                // Fencing fields come from the bus alone: a client cannot forge a lease.
                var header = message.header
                header.partition = nil
                header.epoch = nil
                header.seq = nil
                headerFrame = WireCodec.encode(header)
            }
        }
        guard let target else {
            return errorReply(to: sender, replyTo: message.header.id, ServiceError(
                .unavailable, reason: "no_worker", "no live worker of \(service); retry", retryAfterMs: 100))
        }
        return Outgoing(frames: [target, sender, Data(), headerFrame, body], tap: tap(headerFrame, from: sender, to: target, kind: "request"))
    }

    /// The lease of a partition, granted now to the least-loaded live worker if it has no live owner.
    private func leaseOwner(service: String, partition: Int) -> Lease? {
        if let lease = leasesByService[service]?[partition], workersByID[lease.worker] != nil { return lease }
        guard let live = rotationByService[service], !live.isEmpty else { return nil }
        var load: [Data: Int] = [:]
        for lease in leasesByService[service, default: [:]].values { load[lease.worker, default: 0] += 1 }
        let owner = live.min { load[$0, default: 0] < load[$1, default: 0] }!
        epochCounter += 1
        let lease = Lease(worker: owner, epoch: epochBase + epochCounter)
        leasesByService[service, default: [:]][partition] = lease
        return lease
    }

    private func nextWorker(service: String) -> Data? {
        guard var live = rotationByService[service], !live.isEmpty else { return nil }
        let next = live.removeFirst()
        live.append(next)
        rotationByService[service] = live
        return next
    }
}
