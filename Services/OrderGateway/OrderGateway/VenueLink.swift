import Synchronization

/// Whether the venue is reachable right now, judged by its stream: the paper venue ticks
/// every 250 ms, so silence longer than `silenceNanos` means the venue (or the way to it)
/// is down. While it is, the gateway sends no place: a ZeroMQ DEALER (and the socket
/// loop's outbox) would hold the message and deliver it whenever the venue came back,
/// possibly after the order was given up on. The venue also refuses places past their
/// deadline; this keeps them from being queued in the first place.
final class VenueLink: Sendable {
    /// How long the venue may be silent before it counts as unreachable.
    let silenceNanos: Int64
    private let lastHeard = Atomic<Int64>(0)

    init(silence: Duration) {
        silenceNanos = silence.wholeNanoseconds
    }

    /// Notes a message from the venue at `now` (unix nanoseconds).
    func heard(now: Int64) {
        lastHeard.store(now, ordering: .relaxed)
    }

    /// Whether the venue was heard from within the silence window.
    func isLive(now: Int64) -> Bool {
        now - lastHeard.load(ordering: .relaxed) <= silenceNanos
    }
}
