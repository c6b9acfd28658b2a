import BusKit
import BusProtocol
import Foundation
import ZeroMQ

/// Replies and stream messages waiting for the save of the book they depend on
/// (group commit), in the order they will go out. It also numbers the stream
/// (`header.seq`), so the numbers follow the sending order and a gap always means a
/// dropped message. Bounded: past `limit` waiting frames, the oldest are dropped
/// (the client times out and asks again, as after any lost message).
actor Outbox {
    /// One frame set waiting for the save.
    struct Item: Sendable {
        var frames: [Data]
        var socket: SocketLoop.SocketID
        var delay: Duration
    }

    /// The most frame sets waiting at once.
    let limit = 200_000
    private var waiting: [Item] = []
    /// Requests of the Binance front waiting for the save of their changes.
    private var savers: [CheckedContinuation<Void, Never>] = []
    private var streamSeq: Int64 = 0
    /// Rung by every `add`: the flusher saves and sends as soon as something waits, with
    /// no fixed tick. Rings while a save runs coalesce into one (the next save covers them all).
    nonisolated let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    init() {
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Numbers one stream message and queues a copy per entry of `copies` (none: it is
    /// dropped, yet its number is used, so the gap shows).
    func addStream(topic: String, header: Header, body: Data, copies: [Duration], on socket: SocketLoop.SocketID) {
        streamSeq += 1
        var header = header
        header.seq = streamSeq
        let frames = [Data(topic.utf8), WireCodec.encode(header), body]
        for delay in copies { add(frames, on: socket, after: delay) }
    }

    /// Queues `frames` until the next save.
    func add(_ frames: [Data], on socket: SocketLoop.SocketID, after delay: Duration) {
        if waiting.count >= limit { waiting.removeFirst() }
        waiting.append(Item(frames: frames, socket: socket, delay: delay))
        ring.yield()
    }

    /// Returns once a save that started after this call has run (at once without a state
    /// file, on the next flush): the Binance front answers only after its change is on disk.
    func waitForSave() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            savers.append(continuation)
            ring.yield()
        }
    }

    /// The requests waiting for the save (the caller saves, then resumes them).
    func takeSavers() -> [CheckedContinuation<Void, Never>] {
        defer { savers.removeAll(keepingCapacity: true) }
        return savers
    }

    /// Everything waiting now (the caller saves, then sends it).
    func take() -> [Item] {
        defer { waiting.removeAll(keepingCapacity: true) }
        return waiting
    }
}
