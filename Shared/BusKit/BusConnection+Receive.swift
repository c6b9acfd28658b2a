import BusProtocol
import Foundation
import Logging

extension BusConnection {
    /// Runs on the I/O thread for every message on the RPC socket.
    ///
    /// A request comes as `[route…, "", header, body]`, a keyed one with the bus's lease frame
    /// after the body; on an authenticated bus every request as `[route…, "", header, body,
    /// lease, sender]` (the lease frame empty without a key); replies and bus commands as
    /// `["", header, body]`.
    func onRPC(_ frames: [Data]) {
        guard let delimiter = frames.firstIndex(where: \.isEmpty),
            frames.count == delimiter + 3 || (delimiter > 0 && (frames.count == delimiter + 4 || frames.count == delimiter + 5))
        else {
            logger.warning("bus.frames.malformed", metadata: ["frames": "\(frames.count)"])
            return
        }
        let route = Array(frames[..<delimiter])
        var message: Message
        do {
            message = try WireCodec.decodeMessage(header: frames[delimiter + 1], body: frames[delimiter + 2])
        } catch {
            if error.reason == WireCodec.tooLargeReason { onTooLarge(header: frames[delimiter + 1], bytes: frames[delimiter + 1].count + frames[delimiter + 2].count, fromBus: route.isEmpty) }
            if !route.isEmpty { replyMalformed(route: route, replyTo: WireCodec.requestId(inRejectedHeader: frames[delimiter + 1]), error: error) }
            return
        }
        if route.isEmpty {
            onFromBus(message)
        } else {
            // Fencing and the sender come from the bus's own frames alone, never from the sender's header.
            let lease = frames.count > delimiter + 3 ? WireCodec.lease(fromFrame: frames[delimiter + 3]) : nil
            message.header.partition = lease?.partition
            message.header.epoch = lease?.epoch
            message.header.seq = nil
            message.header.sender = frames.count == delimiter + 5 ? WireCodec.sender(fromFrame: frames[delimiter + 4]) : nil
            onRequest(IncomingRequest(message: message, route: route))
        }
    }

    /// A message over the size limit is never read, but never in silence: it is logged as an
    /// error naming its type and counted, and a reply that was too large fails its request at
    /// once (`reply_too_large`), so the caller does not resend and wait for it forever.
    private func onTooLarge(header: Data, bytes: Int, fromBus: Bool) {
        let peek = WireCodec.peekHeader(header)
        let type = peek?.type ?? "unreadable"
        BusMetrics.tooLarge(direction: "received")
        logger.error("bus.message.too_large", metadata: [
            "type": "\(type)", "bytes": "\(bytes)", "limit": "\(WireCodec.maxMessageBytes)"])
        guard fromBus, let replyTo = peek?.replyTo else { return }
        let error = ServiceError(.internal, reason: "reply_too_large",
            "the reply to this \(type) was \(bytes) bytes, over the \(WireCodec.maxMessageBytes)-byte limit")
        var errorHeader = Header(id: ids.messageId(), type: MessageType.error, ts: WallClock.nowNanos(), replyTo: replyTo)
        errorHeader.traceparent = TraceContext.newRoot(using: ids)
        pending.deliver(Message(header: errorHeader, body: WireCodec.encode(error)), for: replyTo)
    }

    private func onFromBus(_ message: Message) {
        worker.withLock { state in
            state.lastFromBusMs = Self.nowMs()
            state.lastHeardMs = state.lastFromBusMs
        }
        if let replyTo = message.header.replyTo {
            pending.deliver(message, for: replyTo)
            return
        }
        switch message.header.type {
        case BusCommand.heartbeat: break
        case BusCommand.reregister: sendReady()
        default: logger.debug("bus.command.unknown", metadata: ["type": "\(message.header.type)"])
        }
    }

    private func onRequest(_ incoming: IncomingRequest) {
        var request = incoming
        // The edge of a trace: a client that sent no traceparent gets one here (B5).
        if request.message.header.traceparent == nil {
            request.message.header.traceparent = TraceContext.newRoot(using: ids)
        }
        let admitted = worker.withLock { state -> Bool in
            // B3: the priority lane (cancels, breaker trips) has slots bulk traffic cannot take.
            let priority = configuration.priorityTypes.contains(request.message.header.type)
            let limit = configuration.maxConcurrentHandlers + (priority ? configuration.priorityReserve : 0)
            guard state.accepting, state.service != nil, state.handlersRunning < limit else {
                return false
            }
            state.handlersRunning += 1
            return true
        }
        guard admitted else {
            BusMetrics.refused(service: worker.withLock { $0.service } ?? "client", reason: "overloaded")
            reply(to: request, with: .failure(ServiceError(
                .overloaded, reason: "worker_busy", "too many requests in progress; retry", retryAfterMs: 50)))
            return
        }
        if let deadline = request.message.header.deadline, deadline < WallClock.nowNanos() {
            reply(to: request, with: .failure(ServiceError(.timeout, reason: "deadline_passed", "the request's deadline passed before work started")))
            worker.withLock { $0.handlersRunning -= 1 }
            return
        }
        requestContinuation.yield(request)
    }

    private func replyMalformed(route: [Data], replyTo: String?, error: ServiceError) {
        var header = Header(id: ids.messageId(), type: MessageType.error, ts: WallClock.nowNanos(), replyTo: replyTo ?? "")
        header.traceparent = TraceContext.newRoot(using: ids)
        sendRPC(route + [Data(), WireCodec.encode(header), WireCodec.encode(error)])
    }

    /// Runs on the I/O thread for every event on the SUB socket.
    func onEvent(_ frames: [Data]) {
        guard frames.count == 3, let message = try? WireCodec.decodeMessage(header: frames[1], body: frames[2]) else {
            logger.warning("bus.event.malformed", metadata: ["frames": "\(frames.count)"])
            return
        }
        if conflator.hold(message, topic: String(decoding: frames[0], as: UTF8.self)) { return }
        deliverEvent(message)
    }

    /// Queues an event for the consumer; a full buffer drops the oldest (counted).
    func deliverEvent(_ message: Message) {
        switch eventContinuation.yield(message) {
        case .dropped:
            droppedEvents.add(1, ordering: .relaxed)
            BusMetrics.eventDropped()
            conflator.queued(droppedOldest: true)
        case .enqueued:
            conflator.queued(droppedOldest: false)
        case .terminated:
            break
        @unknown default:
            break
        }
    }

    /// Runs on the I/O thread every tick (`Configuration.tickInterval`): request deadlines,
    /// worker heartbeats and bus liveness.
    func onTick() {
        pending.expire(now: .now)
        sampleMetrics()
        for message in conflator.takeHeldIfRelieved() { deliverEvent(message) }
        let now = Self.nowMs()
        let intervalMs = configuration.heartbeatInterval.wholeMilliseconds
        let (service, due, busLost) = worker.withLock { state -> (String?, Bool, Bool) in
            guard let service = state.service, state.accepting else { return (nil, false, false) }
            let due = now - state.lastHeartbeatSentMs >= intervalMs
            if due { state.lastHeartbeatSentMs = now }
            let lost = now - state.lastFromBusMs > intervalMs * configuration.liveness
            if lost { state.lastFromBusMs = now }
            return (service, due, lost)
        }
        guard let service else { return }
        if busLost {
            logger.warning("bus.lost", metadata: ["service": "\(service)"])
            sendReady()
        } else if due {
            sendToBus(type: BusCommand.heartbeat, body: BusCommand.Registration(service: service, worker: configuration.identity))
        }
    }

    func sendReady() {
        guard let service = worker.withLock({ $0.accepting ? $0.service : nil }) else { return }
        sendToBus(type: BusCommand.ready, body: BusCommand.Registration(service: service, worker: configuration.identity))
    }

    func sendToBus(type: String, body: some Encodable) {
        let header = makeHeader(type: type, service: BusCommand.service)
        sendRPC([Data(), WireCodec.encode(header), WireCodec.encode(body)])
    }

    static func nowMs() -> Int { Int(WallClock.nowNanos() / 1_000_000) }
}
