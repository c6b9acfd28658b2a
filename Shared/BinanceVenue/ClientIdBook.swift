import BinanceWire
import Synchronization

/// Breakwater's client order ids and the venue ids they were sent as (see
/// `BinanceClientOrderId`): the forward map is a pure function; this book reads back the
/// hashed ones, for every id this process sent or asked about. Bounded: past `limit` ids
/// the oldest are forgotten (an order of a forgotten id reads back with its venue id,
/// which the reconciler's pass then reports as a venue order it does not know).
final class ClientIdBook: Sendable {
    private struct State {
        var byVenueId: [String: String] = [:]
        var order: [String] = []
        var head = 0
    }

    /// The most hashed ids remembered.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int = 100_000) {
        precondition(limit > 0, "the id book needs room for one id")
        self.limit = limit
    }

    /// The venue id of `clientOrderId`, remembered for the way back.
    func venueId(for clientOrderId: String) -> String {
        let venueId = BinanceClientOrderId.venueId(for: clientOrderId)
        guard venueId != clientOrderId else { return venueId }
        state.withLock { state in
            guard state.byVenueId[venueId] == nil else { return }
            if state.order.count - state.head >= limit {
                state.byVenueId[state.order[state.head]] = nil
                state.head += 1
                if state.head > limit {
                    state.order.removeFirst(state.head)
                    state.head = 0
                }
            }
            state.byVenueId[venueId] = clientOrderId
            state.order.append(venueId)
        }
        return venueId
    }

    /// Breakwater's id of venue id `venueId`: itself unless hashed; a hashed id not in the book stays as it is.
    func clientOrderId(for venueId: String) -> String {
        guard BinanceClientOrderId.isHashed(venueId) else { return venueId }
        return state.withLock { $0.byVenueId[venueId] } ?? venueId
    }
}
