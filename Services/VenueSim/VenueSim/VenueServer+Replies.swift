import BusKit
import BusProtocol
import Foundation
import TradingModel
import VenueKit
import ZeroMQ

extension VenueServer {
    /// Handles one request: answer it (maybe late, maybe never: injected faults),
    /// after the book is saved, then stream what it changed.
    func serve(_ request: Request) async {
        let type = request.message.header.type
        if await exchange.holds(request.message) { return }  // the hold_places fault: answered never, placed later
        let result: Result<Data, ServiceError>
        do throws(ServiceError) {
            result = .success(try await exchange.handle(request.message, now: WallClock.nowNanos()))
        } catch {
            result = .failure(error)
        }
        if type == "venue.faults", case .success = result,
            (try? request.message.decode(VenueFaults.self))?.crash == true
        {
            // Replies in flight are lost, as in a crash; the book is saved first (it may hold unsent changes).
            _ = await exchange.persist()
            logger.critical("venue.crash_injected")
            exit(75)
        }
        let plan = await exchange.ackPlan(for: type)
        if !plan.swallow {
            await emit(replyFrames(to: request, result), on: rpcSocket, after: plan.delay)
        }
        await stream(type: type, result)
        if type == "venue.faults", case .success = result {
            for var held in await exchange.releasedPlaces() {
                // Placed now, long after its sender gave up: the deadline no longer protects it.
                held.header.deadline = nil
                do throws(ServiceError) {
                    await stream(type: "venue.place", .success(try await exchange.handle(held, now: WallClock.nowNanos())))
                } catch {
                    logger.notice("venue.held_place.refused", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Streams what a place or cancel changed: the order, and a place's fills.
    private func stream(type: String, _ result: Result<Data, ServiceError>) async {
        guard case .success(let body) = result, type == "venue.place" || type == "venue.cancel",
            let order = try? WireCodec.decode(VenueOrder.self, from: body)
        else { return }
        await publish(topic: VenueTopic.order + order.account, type: "venue.order", kind: .order, order)
        for fill in order.fills where type == "venue.place" {
            await publish(topic: VenueTopic.fill + fill.account, type: "venue.fill", kind: .fill, fill)
        }
    }

    /// Publishes one stream message through the fault injector (dropped, delayed or
    /// duplicated); it takes a sequence number even when dropped, so the gap shows.
    func publish(topic: String, type: String, kind: FaultInjector.StreamKind, _ body: some Encodable) async {
        let header = Header(id: ids.messageId(), type: type, ts: WallClock.nowNanos())
        let copies = await exchange.streamCopies(kind, now: header.ts)
        await outbox.addStream(topic: topic, header: header, body: WireCodec.encode(body), copies: copies, on: streamSocket)
    }

    /// Sends `frames` (after `delay`) through the outbox: with a state file, nothing
    /// leaves before the book it depends on is on disk.
    func emit(_ frames: [Data], on socket: SocketLoop.SocketID, after delay: Duration) async {
        await outbox.add(frames, on: socket, after: delay)
    }

    private func send(_ frames: [Data], on socket: SocketLoop.SocketID, after delay: Duration) async {
        if delay == .zero {
            try? loop.send(frames, on: socket)
        } else {
            await delayed.add(frames, on: socket, after: delay)
        }
    }

    /// Group commit without a tick: as soon as frames wait, save the book once for
    /// everything changed since the last save (when it is saved at all), then send the
    /// frames that waited for it, in order. Frames queued while a save runs wait for the
    /// next one, which covers them all; a reply thus leaves as soon as its change is on disk.
    ///
    /// Every frame is queued after the change it reports was recorded in the book, and
    /// `take` runs before `persist`, so the save always covers what it releases.
    func flushLoop() async {
        for await _ in outbox.doorbell {
            let waiting = await outbox.take()
            let savers = await outbox.takeSavers()
            if let error = await exchange.persist() {
                logger.error("venue.state.save_failed", metadata: ["error": "\(error)"])
            }
            for item in waiting { await send(item.frames, on: item.socket, after: item.delay) }
            for saver in savers { saver.resume() }
        }
    }

    /// Answers frames that are not a request with `error` (`reply_to` "" when the header
    /// could not be read).
    func refuse(route: [Data], replyTo: String?, _ error: ServiceError) async {
        logger.notice("venue.request.refused", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.reason)"])
        let header = Header(id: ids.messageId(), type: MessageType.error, ts: WallClock.nowNanos(), replyTo: replyTo ?? "")
        await emit(route + [Data(), WireCodec.encode(header), WireCodec.encode(error)], on: rpcSocket, after: .zero)
    }

    private func replyFrames(to request: Request, _ result: Result<Data, ServiceError>) -> [Data] {
        let type = request.message.header.type
        var header = Header(id: ids.messageId(), type: MessageType.ok(type), ts: WallClock.nowNanos(), replyTo: request.message.header.id)
        let body: Data
        switch result {
        case .success(let data): body = data
        case .failure(let error):
            header.type = MessageType.error
            body = WireCodec.encode(error)
        }
        return request.route + [Data(), WireCodec.encode(header), body]
    }
}
