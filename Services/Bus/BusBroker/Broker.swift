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
    /// Each authenticated client's and operator's request rate (services are exempt).
    private var peerRates: PeerRateLimits

    /// - Parameter startMs: wall-clock start; epochs start above every epoch a
    ///   previous bus run handed out, so fencing survives a bus restart.
    init(
        partitioner: Partitioner, heartbeatIntervalMs: Int, liveness: Int, startMs: Int64, ids: any IDGenerator,
        limits: BusLimits = BusLimits()
    ) {
        self.partitioner = partitioner
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.liveness = liveness
        self.epochBase = startMs << 20
        self.ids = ids
        self.peerRates = PeerRateLimits(limits)
    }

    // MARK: Inbound

    /// Handles one message from the ROUTER. `caller` is its authenticated sender (`.anyone`
    /// on a plain-text bus): what it may send is `BusPolicy`'s to decide, never its header's.
    func handle(_ frames: [Data], nowMs: Int, caller: BusPolicy.Caller = .anyone) -> [Outgoing] {
        guard frames.count >= 4, let delimiter = frames.indices.dropFirst().first(where: { frames[$0].isEmpty }),
            frames.count == delimiter + 3
        else {
            // Not our framing: answer the peer (it may be a confused client), never crash or stall.
            guard let peer = frames.first, !peer.isEmpty else { return [] }
            return [errorReply(to: peer, replyTo: nil, ServiceError(
                .invalidRequest, reason: "malformed_frames", "expected frames: empty delimiter, header, body"))]
        }
        let sender = frames[0]
        if let limited = peerRates.refusal(caller, nowNanos: Int64(nowMs) * 1_000_000) {
            return [errorReply(to: sender, replyTo: WireCodec.requestId(inRejectedHeader: frames[delimiter + 1]), limited)]
        }
        let route = Array(frames[1..<delimiter])
        if workersByID[sender] != nil { workersByID[sender]?.expiresAtMs = nowMs + heartbeatIntervalMs * liveness }
        if !route.isEmpty {
            if let refusal = BusPolicy.replyRefusal(caller) {
                return [errorReply(to: sender, replyTo: nil, refusal)]
            }
            // A worker's reply: pass it back along the route unchanged.
            return [Outgoing(frames: route + Array(frames[delimiter...]), tap: tap(frames[delimiter + 1], from: sender, to: route[0], kind: "reply"))]
        }
        let header = frames[delimiter + 1], body = frames[delimiter + 2]
        let routing: WireCodec.Routing
        do {
            routing = try WireCodec.routing(header: header, bodyBytes: body.count)
        } catch {
            return [errorReply(to: sender, replyTo: WireCodec.requestId(inRejectedHeader: header), error)]
        }
        guard let service = routing.service, !service.isEmpty else {
            return [errorReply(to: sender, replyTo: routing.id, ServiceError(.invalidRequest, reason: "missing_service", "a request must name its target service"))]
        }
        if service == BusCommand.service {
            // The bus's own commands are the only requests it reads whole.
            do {
                return command(try WireCodec.decodeMessage(header: header, body: body), from: sender, nowMs: nowMs, caller: caller)
            } catch {
                return [errorReply(to: sender, replyTo: routing.id, error)]
            }
        }
        if let refusal = BusPolicy.refusal(caller, type: routing.type, service: service, key: routing.key) {
            return [errorReply(to: sender, replyTo: routing.id, refusal)]
        }
        return [forward(routing, service: service, header: header, body: body, from: sender, caller: caller)]
    }

    /// Forwards the header and body frames as they came (no JSON work); a keyed request
    /// gets the lease frame `<partition>:<epoch>` after them. Fencing comes from the bus
    /// alone: the worker ignores `partition`/`epoch` in a request's header. On an
    /// authenticated bus every request also gets the sender frame (after an empty lease
    /// frame when it has no key): who sent it, for the worker's own rules (the writer's
    /// per-fact rights).
    private func forward(
        _ routing: WireCodec.Routing, service: String, header: Data, body: Data, from sender: Data, caller: BusPolicy.Caller
    ) -> Outgoing {
        let target: Data?
        var lease: Data?
        if let key = routing.key {
            let partition = partitioner.partition(of: key)
            let owner = leaseOwner(service: service, partition: partition)
            target = owner?.worker
            lease = owner.map { WireCodec.leaseFrame(partition: partition, epoch: $0.epoch) }
        } else {
            target = nextWorker(service: service)
        }
        guard let target else {
            return errorReply(to: sender, replyTo: routing.id, ServiceError(
                .unavailable, reason: "no_worker", "no live worker of \(service); retry", retryAfterMs: 100))
        }
        var frames = [target, sender, Data(), header, body]
        if case .peer(let name, let role) = caller {
            frames += [lease ?? Data(), WireCodec.senderFrame(Sender(name: name, role: role.listed))]
        } else if let lease {
            frames.append(lease)
        }
        return Outgoing(frames: frames, tap: tap(header, from: sender, to: target, kind: "request"))
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
