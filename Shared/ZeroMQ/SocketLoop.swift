import Foundation
import Glibc
import Synchronization
import CZeroMQ

/// The one I/O thread of a process: it owns every ZeroMQ socket, polls them,
/// hands received messages to their handlers, and sends what other threads queued.
///
/// Sockets never leave this thread. Other threads (async code) talk to it only
/// through `send(_:on:)`, which queues the message in a bounded outbox and wakes
/// the loop through an eventfd. Handlers run ON the loop thread: they must be
/// quick and must not block (hand work to async code, e.g. an `AsyncStream`).
public final class SocketLoop: Sendable {
    /// A socket registered with the loop.
    public struct SocketID: Hashable, Sendable {
        let index: Int
    }

    /// Why a queued send was refused.
    public enum SendRefusal: Error, Sendable {
        /// The outbox of that socket is at its limit: back-pressure.
        case outboxFull
        /// The loop is stopping or stopped.
        case stopped
    }

    struct Registration: @unchecked Sendable {
        // Owned by the loop thread once `start` runs; created before it.
        let socket: ZMQSocket
        let name: String
        /// The frames and the ZAP user id of the peer that sent them (nil without ZAP).
        let onReceive: @Sendable ([Data], String?) -> Void
    }

    /// What the loop calls besides the sockets' handlers, fixed when it starts.
    struct Handlers {
        var onTick: (@Sendable () -> Void)?
        var onUnroutable: (@Sendable (String, [Data]) -> Void)?
    }

    struct State {
        var registrations: [Registration] = []
        var handlers: Handlers
        var outboxes: [[[Data]]] = []
        var wakePending = false
        var started = false
        var stopping = false
        var stopped = false
    }

    private let state: Mutex<State>
    private let wakeFD: Int32
    /// Messages queued per socket before `send` refuses (for saturation alarms).
    public let outboxLimit: Int
    private let tickIntervalMs: Int
    private let finished = DispatchSemaphore(value: 0)
    private let name: String

    /// - Parameters:
    ///   - outboxLimit: messages queued per socket before `send` refuses (back-pressure).
    ///   - tickIntervalMs: how often `onTick` runs on the loop thread (timers, heartbeats).
    ///   - onUnroutable: called on the loop thread for a ROUTER message to an unknown peer.
    public init(
        name: String,
        outboxLimit: Int = 50_000,
        tickIntervalMs: Int = 250,
        onTick: (@Sendable () -> Void)? = nil,
        onUnroutable: (@Sendable (String, [Data]) -> Void)? = nil
    ) {
        self.name = name
        self.outboxLimit = outboxLimit
        self.tickIntervalMs = tickIntervalMs
        self.state = Mutex(State(handlers: Handlers(onTick: onTick, onUnroutable: onUnroutable)))
        self.wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeFD >= 0, "eventfd failed: errno \(errno)")
    }

    deinit { Glibc.close(wakeFD) }

    /// Registers a socket (before `start`). The loop takes ownership of it.
    public func register(_ socket: consuming ZMQSocket, name: String, onReceive: @escaping @Sendable ([Data]) -> Void) -> SocketID {
        register(socket, name: name, onReceiveFrom: { frames, _ in onReceive(frames) })
    }

    /// Registers a socket whose handler also gets the authenticated sender of each message
    /// (its ZAP user id, `ZMQSocket.lastUserId`): what an authenticated bus decides on.
    public func register(_ socket: consuming ZMQSocket, name: String, onReceiveFrom: @escaping @Sendable ([Data], String?) -> Void) -> SocketID {
        let registration = Registration(socket: socket, name: name, onReceive: onReceiveFrom)
        return state.withLock { state in
            precondition(!state.started, "register sockets before start")
            state.registrations.append(registration)
            state.outboxes.append([])
            return SocketID(index: state.registrations.count - 1)
        }
    }

    /// Sets what runs on the loop thread every tick (before `start`), for an owner that
    /// makes the loop in its own `init` and so can hand over `[weak self]` only afterwards.
    ///
    /// The handlers live in the loop's state and are handed to its thread once, at `start`.
    /// Keeping a closure in a `Mutex<(() -> Void)?>` and calling it through
    /// `withLock { $0 }?()`, as the owners once did, re-wraps the stored closure in two more
    /// reabstraction thunks at every call (the `inout` write-back): each tick then walked a
    /// chain that grew by 32 bytes of stack per tick (64 in a debug build), so the CPU per
    /// tick grew without bound and the I/O thread would overflow its 8 MiB stack after
    /// about 7 hours at 10 ticks a second (`SocketLoopTests.handlersKeepTheirDepth`).
    public func onTick(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { state in
            precondition(!state.started, "bind handlers before start")
            state.handlers.onTick = handler
        }
    }

    /// Sets what runs on the loop thread for a ROUTER message to an unknown peer (before `start`).
    public func onUnroutable(_ handler: @escaping @Sendable (String, [Data]) -> Void) {
        state.withLock { state in
            precondition(!state.started, "bind handlers before start")
            state.handlers.onUnroutable = handler
        }
    }

    /// Starts the I/O thread.
    public func start() {
        let (registrations, handlers) = state.withLock { state in
            precondition(!state.started, "start once")
            state.started = true
            return (state.registrations, state.handlers)
        }
        let thread = Thread { [self] in
            run(registrations, handlers: handlers)
            finished.signal()
        }
        thread.name = "zmq-io-\(name)"
        thread.start()
    }

    /// Queues a multipart message for a socket; safe from any thread.
    public func send(_ frames: [Data], on socket: SocketID) throws(SendRefusal) {
        let wake: Bool = try state.withLock { (state) throws(SendRefusal) -> Bool in
            guard !state.stopping else { throw .stopped }
            guard state.outboxes[socket.index].count < outboxLimit else { throw .outboxFull }
            state.outboxes[socket.index].append(frames)
            defer { state.wakePending = true }
            return !state.wakePending
        }
        if wake { signalWake() }
    }

    /// How many messages wait in a socket's outbox (for metrics and saturation alerts).
    public func outboxDepth(_ socket: SocketID) -> Int {
        state.withLock { $0.outboxes[socket.index].count }
    }

    /// Stops the loop: sends what is queued (bounded by each socket's linger),
    /// closes the sockets and waits for the thread to end.
    public func stop() {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return state.started && !state.stopping
        }
        guard wasRunning else { return }
        signalWake()
        finished.wait()
    }

    private func signalWake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    private func drainWake() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
    }
}

extension SocketLoop {
    private func run(_ registrations: [Registration], handlers: Handlers) {
        var poller = Poller()
        var blocked = Array(repeating: false, count: registrations.count)
        var nextTick = monotonicMs() + tickIntervalMs
        while true {
            let stopping = flushOutboxes(registrations, blocked: &blocked, onUnroutable: handlers.onUnroutable)
            if stopping { break }
            poller.reset()
            poller.add(.fileDescriptor(wakeFD, .readable))
            for (index, registration) in registrations.enumerated() {
                let events: PollEvents = blocked[index] ? [.readable, .writable] : .readable
                poller.add(.socket(registration.socket, registration.socket.type == .pub ? (blocked[index] ? .writable : []) : events))
            }
            let timeout = max(0, nextTick - monotonicMs())
            do {
                _ = try poller.poll(timeoutMs: timeout)
            } catch {
                break
            }
            if poller.events(at: 0).contains(.readable) { drainWake() }
            for (index, registration) in registrations.enumerated() {
                let events = poller.events(at: index + 1)
                if events.contains(.writable) { blocked[index] = false }
                if events.contains(.readable) { receiveAll(registration) }
            }
            if monotonicMs() >= nextTick {
                handlers.onTick?()
                nextTick = monotonicMs() + tickIntervalMs
            }
        }
        for registration in registrations { registration.socket.close() }
        state.withLock { $0.stopped = true }
    }

    /// Receives until the socket has nothing more, at most a bounded batch so one
    /// busy socket cannot starve the others.
    private func receiveAll(_ registration: Registration) {
        for _ in 0..<1_000 {
            do {
                let frames = try registration.socket.receive(dontWait: true)
                registration.onReceive(frames, registration.socket.lastUserId)
            } catch {
                return
            }
        }
    }

    /// Sends queued messages without blocking. A socket whose peer is full stays
    /// blocked (its messages stay queued) until it polls writable. Returns true
    /// once the loop should exit (stopping and everything handed to libzmq).
    private func flushOutboxes(
        _ registrations: [Registration], blocked: inout [Bool], onUnroutable: (@Sendable (String, [Data]) -> Void)?
    ) -> Bool {
        let (batches, stopping) = state.withLock { state -> ([[[Data]]], Bool) in
            state.wakePending = false
            var batches: [[[Data]]] = []
            for index in state.outboxes.indices {
                batches.append(blocked[index] ? [] : state.outboxes[index])
                if !blocked[index] { state.outboxes[index].removeAll(keepingCapacity: true) }
            }
            return (batches, state.stopping)
        }
        for (index, batch) in batches.enumerated() where !batch.isEmpty {
            let unsent = sendBatch(batch, registration: registrations[index], onUnroutable: onUnroutable)
            if !unsent.isEmpty {
                blocked[index] = true
                state.withLock { $0.outboxes[index].insert(contentsOf: unsent, at: 0) }
            }
        }
        return stopping
    }

    private func sendBatch(
        _ batch: [[Data]], registration: Registration, onUnroutable: (@Sendable (String, [Data]) -> Void)?
    ) -> ArraySlice<[Data]> {
        for (offset, frames) in batch.enumerated() {
            do {
                try registration.socket.send(frames, dontWait: true)
            } catch .wouldBlock {
                return batch[offset...]
            } catch .unroutable {
                onUnroutable?(registration.name, frames)
            } catch {
                onUnroutable?(registration.name, frames)
            }
        }
        return []
    }
}

/// Milliseconds on the monotonic clock.
@inline(__always)
func monotonicMs() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
}
