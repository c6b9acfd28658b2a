import BusProtocol
import Foundation
import Testing
import TradingModel

@testable import PersistenceWriter

/// A fresh directory under the system temp dir, removed when released.
final class TemporaryDirectory {
    /// The directory.
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("breakwater-journal-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}

/// The fixed clock of the tests, unix nanoseconds.
let testNow: Int64 = 1_700_000_000_000_000_000

/// Opens a store on `journal.sqlite` in `directory`.
func openStore(
    in directory: TemporaryDirectory, synchronousFull: Bool = false,
    configure: (inout JournalConfiguration) -> Void = { _ in }
) throws -> JournalStore {
    var configuration = JournalConfiguration(path: directory.path("journal.sqlite"), synchronousFull: synchronousFull)
    configure(&configuration)
    return try JournalStore(configuration: configuration, now: { testNow })
}

/// A decimal from a literal known to be valid.
func dec(_ text: String) -> ExactDecimal {
    guard let value = ExactDecimal(text) else { preconditionFailure("bad test decimal \(text)") }
    return value
}

/// Builders of facts with sensible defaults: account `acc-1`, symbol `BTC/USDT`.
enum Facts {
    static let account = "acc-1"

    static func intent(
        _ clientOrderId: String, id: String? = nil, account: String = account, side: Side = .buy,
        qty: String = "3", price: String = "101", reserveAsset: String = "USDT", reserve: String = "304"
    ) -> Fact {
        Fact(
            id: id ?? "intent:\(clientOrderId)", account: account,
            payload: .orderIntent(OrderIntent(
                clientOrderId: clientOrderId, symbol: "BTC/USDT", side: side, type: .limit, qty: dec(qty),
                price: dec(price), timeInForce: .gtc, reserveAsset: reserveAsset, reserveAmount: dec(reserve))))
    }

    static func accepted(_ clientOrderId: String, id: String? = nil, venueOrderId: String? = nil) -> Fact {
        Fact(
            id: id ?? "accepted:\(clientOrderId)", account: account,
            payload: .orderAccepted(OrderAccepted(
                clientOrderId: clientOrderId, venueOrderId: venueOrderId ?? "v-\(clientOrderId)")))
    }

    static func fill(
        _ clientOrderId: String, trade tradeId: String, id: String? = nil, side: Side = .buy,
        qty: String, price: String, fee: String = "0", feeAsset: String = "USDT"
    ) -> Fact {
        Fact(
            id: id ?? FillRecorded.factId(venue: "sim", tradeId: tradeId), account: account,
            payload: .fillRecorded(FillRecorded(
                clientOrderId: clientOrderId, venueOrderId: "v-\(clientOrderId)", tradeId: tradeId,
                symbol: "BTC/USDT", side: side, qty: dec(qty), price: dec(price), fee: dec(fee),
                feeAsset: feeAsset, ts: 42)))
    }

    static func closed(_ clientOrderId: String, _ state: OrderState, id: String? = nil, reason: String? = nil) -> Fact {
        Fact(
            id: id ?? "\(state.rawValue):\(clientOrderId)", account: account,
            payload: .orderClosed(OrderClosed(clientOrderId: clientOrderId, state: state, reason: reason)))
    }
}

/// One request per fact.
func requests(_ facts: Fact...) -> [AppendRequest] {
    facts.map { AppendRequest(facts: [$0]) }
}

extension AppendOutcome {
    /// The error of a rejected outcome, nil otherwise.
    var error: ServiceError? {
        if case .rejected(let error) = self { return error }
        return nil
    }
}
