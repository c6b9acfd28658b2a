import GRDB
import Testing
import TradingModel

@testable import PersistenceWriter

@Suite("Migrations keep what earlier writers journaled")
struct MigrationTests {
    @Test func fillsOfAVersion1DatabaseAreKeyedByTheVenueOfTheirFactId() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("journal.sqlite")
        let old = try DatabaseQueue(path: path)
        try JournalSchema.migrator.migrate(old, upTo: "v1-state")
        try old.write { db in
            for (seq, id, trade) in [(1, "fill:sim:t-1", "t-1"), (2, "stream:t-2", "t-2")] {
                try db.execute(
                    sql: "INSERT INTO journal (seq, msg_id, type, account, payload, ts) VALUES (?, ?, 'fill.recorded', 'acc-1', '{}', 1)",
                    arguments: [seq, id])
                try db.execute(
                    sql: """
                        INSERT INTO fills (trade_id, account, client_order_id, venue_order_id, symbol, side,
                            qty, price, fee, fee_asset, ts, seq)
                        VALUES (?, 'acc-1', 'o-1', 'v-1', 'BTC/USDT', 'buy', '1', '100', '0', 'USDT', 1, ?)
                        """,
                    arguments: [trade, seq])
            }
        }
        try old.close()
        let store = try JournalStore(configuration: JournalConfiguration(path: path))
        let fills = try store.fills(sinceSeq: 0, limit: 10)
        #expect(fills.map(\.venue) == ["sim", ""])
        #expect(fills.map(\.fill.tradeId) == ["t-1", "t-2"])
        // v3 folded the two recorded buys of 1 @ 100 into a position.
        let position = try #require(try store.positions(account: "acc-1").first)
        #expect(position.qty == dec("2") && position.avgPrice == dec("100") && position.symbol == "BTC/USDT")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test(arguments: [
        ("fill:sim:t-1", "t-1", "sim"), ("fill:a:b:t-1", "t-1", "a:b"), ("fill::t-1", "t-1", ""),
        ("stream:t-1", "t-1", ""), ("fill:sim:t-2", "t-1", ""),
    ])
    func theVenueComesFromTheFactId(id: String, trade: String, venue: String) {
        #expect(FillRow.venue(factId: id, tradeId: trade) == venue)
    }
}
