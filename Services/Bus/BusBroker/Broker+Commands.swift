import BusKit
import BusProtocol
import Foundation

extension Broker {
    func command(_ message: Message, from sender: Data, nowMs: Int, caller: BusPolicy.Caller = .anyone) -> [Outgoing] {
        switch message.header.type {
        case BusCommand.ready:
            guard let registration = try? message.decode(BusCommand.Registration.self) else {
                return [errorReply(to: sender, replyTo: message.header.id, ServiceError(.invalidRequest, reason: "malformed_ready", "READY needs service and worker"))]
            }
            if let refusal = BusPolicy.registrationRefusal(caller, service: registration.service) {
                return [errorReply(to: sender, replyTo: message.header.id, refusal)]
            }
            register(sender, registration: registration, nowMs: nowMs)
            return []
        case BusCommand.heartbeat, BusCommand.disconnect:
            if let refusal = BusPolicy.registrationRefusal(caller, service: nil) {
                return [errorReply(to: sender, replyTo: message.header.id, refusal)]
            }
            guard message.header.type == BusCommand.disconnect else {
                return isWorker(sender) ? [] : [commandFrames(to: sender, type: BusCommand.reregister)]
            }
            remove(sender)
            return []
        case BusCommand.status:
            let reply = Header(id: ids.messageId(), type: MessageType.ok(BusCommand.status), ts: WallClock.nowNanos(), replyTo: message.header.id)
            return [Outgoing(frames: [sender, Data(), WireCodec.encode(reply), WireCodec.encode(status())], tap: nil)]
        default:
            return [errorReply(to: sender, replyTo: message.header.id, ServiceError(.unknownType, reason: "unknown_bus_command", "the bus does not know '\(message.header.type)'"))]
        }
    }

    /// Heartbeats to every worker and expiry of the silent ones (run about every 100 ms).
    func tick(nowMs: Int, heartbeatDue: Bool) -> [Outgoing] {
        for (id, worker) in workersSnapshot where worker.expiresAtMs < nowMs {
            remove(id)
        }
        guard heartbeatDue else { return [] }
        return workersSnapshot.map { commandFrames(to: $0.key, type: BusCommand.heartbeat) }
    }

    func errorReply(to peer: Data, replyTo: String?, _ error: ServiceError) -> Outgoing {
        let header = Header(id: ids.messageId(), type: MessageType.error, ts: WallClock.nowNanos(), replyTo: replyTo ?? "")
        return Outgoing(frames: [peer, Data(), WireCodec.encode(header), WireCodec.encode(error)], tap: nil)
    }

    private func commandFrames(to peer: Data, type: String) -> Outgoing {
        let header = Header(id: ids.messageId(), type: type, service: BusCommand.service, ts: WallClock.nowNanos())
        return Outgoing(frames: [peer, Data(), WireCodec.encode(header), Data("{}".utf8)], tap: nil)
    }

    func tap(_ header: Data, from: Data, to: Data, kind: String) -> TapRecord {
        TapRecord(header: header, from: String(decoding: from, as: UTF8.self), to: String(decoding: to, as: UTF8.self), kind: kind, ts: WallClock.nowNanos())
    }
}
