import BusProtocol
import Synchronization
import TradingModel
import VenueKit

/// A scripted venue for unit tests of one gateway component: each `place` call takes
/// the next scripted answer; `order` answers from what was "really" placed.
final class FakeVenue: Venue, Sendable {
    enum Answer: Sendable {
        /// The venue accepts and answers.
        case accept
        /// The venue accepts but the answer is lost (a timeout after acting).
        case acceptButLoseAnswer
        /// The request is lost before the venue sees it.
        case lose
        case refuse(ServiceError)
        /// The venue accepts, but what comes back reads as this error (e.g. an unreadable reply).
        case acceptButFail(ServiceError)
    }

    let name = "fake"
    let stream = AsyncStream<VenueEvent> { $0.finish() }
    private let state: Mutex<(script: [Answer], placed: [String: VenueOrder], placeCalls: Int, queryFails: Bool)>

    init(script: [Answer], queryFails: Bool = false) {
        state = Mutex((script, [:], 0, queryFails))
    }

    var placeCalls: Int { state.withLock { $0.placeCalls } }
    var ordersAtVenue: Int { state.withLock { $0.placed.count } }

    func place(_ order: VenuePlace) async throws(VenueError) -> VenueOrder {
        let result: Result<VenueOrder, VenueError> = state.withLock { state in
            state.placeCalls += 1
            let answer = state.script.isEmpty ? .accept : state.script.removeFirst()
            let venueOrder = state.placed[order.clientOrderId] ?? Self.order(for: order, number: state.placed.count + 1)
            switch answer {
            case .accept:
                state.placed[order.clientOrderId] = venueOrder
                return .success(venueOrder)
            case .acceptButLoseAnswer:
                state.placed[order.clientOrderId] = venueOrder
                return .failure(.transient(ServiceError(.timeout, reason: "timeout", "no answer")))
            case .lose:
                return .failure(.transient(ServiceError(.timeout, reason: "timeout", "no answer")))
            case .refuse(let error):
                return .failure(VenueError.classify(error))
            case .acceptButFail(let error):
                state.placed[order.clientOrderId] = venueOrder
                return .failure(VenueError.classify(error))
            }
        }
        return try result.get()
    }

    func order(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder? {
        let (order, fails) = state.withLock { ($0.placed[clientOrderId], $0.queryFails) }
        if fails { throw .transient(ServiceError(.timeout, reason: "timeout", "no answer")) }
        return order
    }

    func instruments() async throws(VenueError) -> [Instrument] { [] }
    func cancel(account: String, clientOrderId: String) async throws(VenueError) -> VenueOrder {
        throw .permanent(ServiceError(.notFound, reason: "not_found", "none"))
    }
    func openOrders(account: String) async throws(VenueError) -> [VenueOrder] { [] }
    func fills(account: String, afterTradeSeq: Int64?) async throws(VenueError) -> [VenueFill] { [] }
    func balances(account: String) async throws(VenueError) -> VenueBalances { VenueBalances(account: account, balances: [:]) }

    static func order(for place: VenuePlace, number: Int) -> VenueOrder {
        VenueOrder(
            venueOrderId: "V\(number)", clientOrderId: place.clientOrderId, account: place.account, symbol: place.symbol,
            side: place.side, type: place.type, qty: place.qty, price: place.price, timeInForce: place.timeInForce,
            status: .new, filledQty: .zero, avgPrice: nil, reason: nil, createdTs: 0, fills: [])
    }
}

/// Records what a component reported or paused, for assertions.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}

let samplePlace = VenuePlace(
    account: "acct-1", clientOrderId: "coid-1", symbol: "BTC/USDT", side: .buy, type: .limit,
    qty: ExactDecimal("0.01")!, price: ExactDecimal("50000")!, timeInForce: .gtc)
