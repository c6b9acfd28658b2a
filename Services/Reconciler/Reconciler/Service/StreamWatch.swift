import BusKit
import BusProtocol
import Logging
import ServiceRuntime
import Synchronization
import ZeroMQ

/// Watches the venue's stream for trouble that calls for an immediate reconciliation
/// (C2): a gap in the venue-wide sequence numbers (a dropped message), a restart of
/// the venue (the sequence starts again) or a reconnect after silence.
final class StreamWatch: Sendable {
    private struct State {
        var lastSeq: Int64 = 0
        var lastSeen = ContinuousClock.now
        var pending = false
    }

    private let connection: BusConnection
    private let silence: Duration
    private let state = Mutex(State())

    /// Subscribes to every topic of the venue's stream.
    init(venue: VenueEndpoints, silence: Duration, context: ZMQContext, logger: Logger) throws {
        var configuration = BusConnection.Configuration(
            endpoints: venue.connection,
            identity: Settings.replicaIdentity(service: "recon-stream"))
        configuration.subscriptions = [""]
        configuration.publishesEvents = false
        connection = try BusConnection(configuration: configuration, context: context, logger: logger)
        self.silence = silence
    }

    /// Follows the stream until it ends; `event(gap:)` is told of each gap (true) or reconnect (false).
    func run(_ event: @Sendable (Bool) async -> Void) async {
        connection.start()
        for await message in connection.events {
            guard let seq = message.header.seq else { continue }
            let now = ContinuousClock.now
            let verdict: Bool? = state.withLock { state in
                defer { state.lastSeen = now }
                if seq <= state.lastSeq {
                    // A duplicate (same or older seq) is ignored; a far smaller one is a restarted venue.
                    guard seq < state.lastSeq - 1_000 || seq == 1 else { return nil }
                    state.lastSeq = seq
                    state.pending = true
                    return false
                }
                let wasSilent = now - state.lastSeen > silence && state.lastSeq > 0
                let gap = state.lastSeq > 0 && seq > state.lastSeq + 1
                state.lastSeq = seq
                if gap || wasSilent { state.pending = true }
                // Silence first: a disconnect also skips the seqs dropped meanwhile, but it is a reconnect.
                return wasSilent ? false : (gap ? true : nil)
            }
            if let verdict { await event(verdict) }
        }
    }

    /// Whether a gap or reconnect happened since the last call (and clears it).
    func takeTrigger() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    /// Stops the subscription.
    func stop() { connection.stop() }
}

/// A pass asked for over the bus (`recon.trigger`): taken by the next run, as a stream gap is.
final class PassRequest: Sendable {
    private let pending = Atomic<Bool>(false)

    func ask() { pending.store(true, ordering: .relaxed) }

    /// Whether a pass was asked for since the last call (and forgets it).
    func take() -> Bool { pending.exchange(false, ordering: .relaxed) }
}
