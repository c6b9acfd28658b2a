import CZeroMQ

/// What to wait for on a polled item.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// `zmq_poll` over sockets and plain file descriptors (e.g. an eventfd used to wake the loop).
public struct Poller {
    /// One polled thing: a socket or a file descriptor.
    public enum Item {
        case socket(ZMQSocket, PollEvents)
        case fileDescriptor(Int32, PollEvents)
    }

    private var items: [zmq_pollitem_t] = []

    public init() {}

    public mutating func reset() { items.removeAll(keepingCapacity: true) }

    /// Adds an item; returns its index for `events(at:)`.
    @discardableResult
    public mutating func add(_ item: Item) -> Int {
        switch item {
        case .socket(let socket, let events):
            items.append(zmq_pollitem_t(socket: socket.handle, fd: 0, events: events.rawValue, revents: 0))
        case .fileDescriptor(let fd, let events):
            items.append(zmq_pollitem_t(socket: nil, fd: fd, events: events.rawValue, revents: 0))
        }
        return items.count - 1
    }

    /// Waits up to `timeoutMs` (-1: forever). Returns how many items are ready.
    public mutating func poll(timeoutMs: Int) throws(ZMQError) -> Int {
        let count = Int32(items.count)
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, count, timeoutMs) }
        if rc < 0 {
            let error = ZMQError.current()
            if error == .interrupted { return 0 }
            throw error
        }
        return Int(rc)
    }

    /// The events that fired for the item at `index` in the last poll.
    public func events(at index: Int) -> PollEvents { PollEvents(rawValue: items[index].revents) }
}
