import BusKit
import BusProtocol
import Foundation
import Logging
import Testing
import TradingModel

@testable import PersistenceWriter

/// Every read reply is a page under the message limit, whatever the rows hold, and the
/// pages, followed by their cursors, give every row once, in order. (Replies paged by row
/// count alone grew past 64 KiB once a journal held a few hundred orders; every receiver
/// refused them and a restarted service never caught up.)
@Suite("Reads are paged by bytes")
struct PagedReadTests {
    let dir: TemporaryDirectory
    let store: JournalStore
    let handler: WriterHandler

    /// The largest an id may be (`FactValidator.maxIdLength`, the client order id's own limit).
    static func longId(_ prefix: String, _ index: Int, length: Int) -> String {
        let head = "\(prefix)-\(index)-"
        return head + String(repeating: "x", count: max(0, length - head.utf8.count))
    }

    init() throws {
        dir = try TemporaryDirectory()
        store = try openStore(in: dir)
        let store = store
        let alarm = SaturationAlarm(name: "test", logger: Logger(label: "test"), now: { 0 })
        let batcher = AppendBatcher(limit: 10, maxBatch: 10, saturation: alarm) { requests in (try? store.append(requests)) ?? [] }
        handler = WriterHandler(store: store, batcher: batcher)
    }

    /// 700 orders with the longest ids, each with a fill on a long symbol, and 12 operations
    /// with the largest detail the writer takes: several pages of each read.
    func seed() throws {
        var facts: [Fact] = []
        for index in 0..<700 {
            let id = Self.longId("o", index, length: OrderValidator.maxClientOrderIdLength)
            let symbol = Self.longId("SYM\(index % 350)", 0, length: 100) + "/USDT"
            var intent = Facts.intent(id)
            if case .orderIntent(var order) = intent.payload {
                order.symbol = symbol
                intent.payload = .orderIntent(order)
            }
            facts.append(intent)
            let trade = Self.longId("t", index, length: FactValidator.maxIdLength - 20)  // its fact id adds a prefix
            var fill = Facts.fill(id, trade: trade, qty: "1", price: "101")
            if case .fillRecorded(var recorded) = fill.payload {
                recorded.symbol = symbol
                fill.payload = .fillRecorded(recorded)
            }
            facts.append(fill)
        }
        let detail = "{\"pad\":\"" + String(repeating: "d", count: FactValidator.maxDetailLength - 12) + "\"}"
        for index in 0..<12 {
            let entry = OperationRecorded(operationId: "op-\(index)", kind: "cancel_all", state: .pending, detail: detail, error: nil)
            facts.append(Fact(id: entry.factId, account: Facts.account, payload: .operationRecorded(entry)))
        }
        let outcomes = try store.append(facts.map { AppendRequest(facts: [$0]) })
        #expect(outcomes.compactMap(\.error).isEmpty, "\(outcomes.compactMap(\.error).first.map(String.init(describing:)) ?? "")")
    }

    /// Sends one read through the handler; the body must fit a message with its header.
    func read<Query: Encodable, Page: Decodable>(_ type: String, _ query: Query, _ page: Page.Type) async throws -> Page {
        let body = try await handler.handle(Message(header: Header(id: "r", type: type, ts: testNow), body: WireCodec.encode(query)))
        #expect(body.count <= WireCodec.maxReplyBodyBytes, "\(type) page of \(body.count) bytes")
        return try WireCodec.decode(Page.self, from: body)
    }

    @Test func journalReadPagesStayUnderTheLimitAndReturnEveryRecordOnce() async throws {
        try seed()
        var seqs: [Int64] = []
        var from: Int64 = 1
        var pages = 0
        while true {
            let page = try await read(JournalAPI.read, JournalRead(fromSeq: from, limit: 10_000), JournalPage.self)
            pages += 1
            seqs += page.records.map(\.seq)
            guard let next = page.nextFromSeq else { break }
            #expect(next == (page.records.last?.seq ?? 0) + 1)
            from = next
        }
        #expect(seqs == Array(1...(try store.lastSeq())))
        #expect(pages > 5)
    }

    @Test func orderFillPositionAndOperationPagesStayUnderTheLimitAndCoverEveryRow() async throws {
        try seed()
        var orders: [String] = []
        var orderQuery = OrdersQuery(account: Facts.account)
        while true {
            let page = try await read(JournalAPI.orders, orderQuery, OrdersPage.self)
            orders += page.orders.map(\.clientOrderId)
            guard let next = page.nextAfterSeq else { break }
            orderQuery.afterSeq = next
        }
        #expect(orders == (0..<700).map { Self.longId("o", $0, length: OrderValidator.maxClientOrderIdLength) })

        var fills: [Int64] = []
        var fillQuery = FillsQuery(fromSeq: 0, limit: 10_000)
        while true {
            let page = try await read(JournalAPI.fills, fillQuery, FillsPage.self)
            fills += page.fills.map(\.seq)
            guard let next = page.nextFromSeq else { break }
            fillQuery = FillsQuery(fromSeq: next, limit: 10_000)
        }
        let fillSeqs: [Int64] = (0..<700).map { (index: Int) -> Int64 in Int64(index * 2 + 2) }
        #expect(fills == fillSeqs)

        var symbols: [String] = []
        var positionQuery = PositionsQuery(account: Facts.account)
        while true {
            let page = try await read(JournalAPI.positions, positionQuery, PositionsPage.self)
            symbols += page.positions.map(\.symbol)
            guard let next = page.nextAfterSymbol else { break }
            positionQuery.afterSymbol = next
        }
        #expect(symbols.count == 350 && symbols == symbols.sorted() && Set(symbols).count == 350)

        var operations: [String] = []
        var operationQuery = OperationsQuery(account: Facts.account)
        var operationPages = 0
        while true {
            let page = try await read(JournalAPI.operations, operationQuery, OperationsPage.self)
            operationPages += 1
            operations += page.operations.map(\.operationId)
            guard let next = page.nextAfterSeq else { break }
            operationQuery.afterSeq = next
        }
        #expect(operations == (0..<12).map { "op-\($0)" })
        #expect(operationPages >= 3)  // 12 details of 16 KiB cannot share fewer
    }

    @Test func anEmptyReadIsOnePageWithoutCursor() async throws {
        let page = try await read(JournalAPI.read, JournalRead(fromSeq: 1, limit: 100), JournalPage.self)
        #expect(page.records.isEmpty && page.nextFromSeq == nil && page.lastSeq == 0)
        let orders = try await read(JournalAPI.orders, OrdersQuery(account: "nobody"), OrdersPage.self)
        #expect(orders.orders.isEmpty && orders.nextAfterSeq == nil)
    }
}

/// `recon.balance_adopted` is folded by risk as an account's total: the writer takes a real amount only.
@Suite("balance adoption facts")
struct BalanceAdoptedFactTests {
    static func adopted(_ total: String) -> Fact {
        let body = BalanceAdopted(asset: "USDT", venueTotal: dec(total), ledgerTotal: dec("5"), ledgerSeq: 3, reason: "startup")
        return Fact(id: "balance:acc-1:USDT:3:\(total)", account: Facts.account, payload: .reconciliation(.balanceAdopted(body)))
    }

    @Test func aNegativeVenueTotalIsRefusedAndARealOneRoundTrips() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let outcomes = try store.append(requests(Self.adopted("-1"), Self.adopted("1234.5")))
        #expect(outcomes.first?.error?.reason == "venue_total_negative")
        #expect(try store.readJournal(fromSeq: 1, limit: 10).map(\.fact) == [Self.adopted("1234.5")])
        var noAsset = Self.adopted("1")
        if case .reconciliation(.balanceAdopted(var body)) = noAsset.payload {
            body.asset = ""
            noAsset.payload = .reconciliation(.balanceAdopted(body))
        }
        #expect(try store.append(requests(noAsset)).first?.error?.reason == "bad_asset")
    }

    @Test func aPositionAdjustmentWhoseDeltaDisagreesIsRefusedAndAGoodOneMovesThePosition() throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        var adjusted = PositionAdjusted(symbol: "BTC/USDT", journalQty: dec("0.02"), venueQty: dec("0.01"), price: dec("50000"), strategy: "venue_wins")
        let good = Fact(id: "adjust:good", account: Facts.account, payload: .reconciliation(.positionAdjusted(adjusted)))
        adjusted.delta = dec("0.5")
        let bad = Fact(id: "adjust:bad", account: Facts.account, payload: .reconciliation(.positionAdjusted(adjusted)))
        let outcomes = try store.append(requests(bad, good))
        #expect(outcomes.first?.error?.reason == "bad_adjustment")
        #expect(outcomes.last?.error == nil)
        let position = try #require(try store.positions(account: Facts.account).first)
        #expect(position.qty == dec("-0.01") && position.avgPrice == dec("50000"))  // from flat, at the given price
    }
}
