import BusKit
import BusProtocol
import Foundation
import GRDB
import Logging
import Testing
import TradingModel

@testable import PersistenceWriter

/// INTERNAL as the writer raises it: a broken installation, never a made-up answer.
@Suite("the writer refuses a database it cannot serve with INTERNAL")
struct InternalErrorTests {
    @Test("a database migrated by a newer writer is refused at open with INTERNAL (schema_too_new)")
    func schemaTooNew() throws {
        let dir = try TemporaryDirectory()
        _ = try openStore(in: dir)
        // What a newer writer would leave behind: a migration this binary does not know.
        let newer = try DatabaseQueue(path: dir.path("journal.sqlite"))
        try newer.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-a-newer-writer')")
        }
        try newer.close()
        do {
            _ = try openStore(in: dir)
            Issue.record("a database with unknown migrations was opened")
        } catch {
            let refusal = try #require(error as? ServiceError, "\(error)")
            #expect(refusal.code == .internal)
            #expect(refusal.reason == "schema_too_new")
            #expect(!refusal.retryable)
        }
    }

    @Test("a read the database cannot serve is answered INTERNAL (database_error), and the writer keeps answering")
    func databaseErrorOnRead() async throws {
        let dir = try TemporaryDirectory()
        let store = try openStore(in: dir)
        let alarm = SaturationAlarm(name: "test", logger: Logger(label: "test"), now: { 0 })
        let batcher = AppendBatcher(limit: 10, maxBatch: 10, saturation: alarm) { requests in
            (try? store.append(requests)) ?? []
        }
        let handler = WriterHandler(store: store, batcher: batcher)
        // A broken installation: the journal table is gone from under the writer.
        let other = try DatabaseQueue(path: dir.path("journal.sqlite"))
        try await other.write { db in try db.execute(sql: "ALTER TABLE journal RENAME TO journal_moved") }
        try other.close()

        let read = Message(
            header: Header(id: "read-1", type: JournalAPI.read, ts: testNow),
            body: WireCodec.encode(JournalRead(fromSeq: 0, limit: 10)))
        do {
            _ = try await handler.handle(read)
            Issue.record("a read of a missing journal table succeeded")
        } catch {
            #expect(error.code == .internal)
            #expect(error.reason == "database_error")
            #expect(!error.retryable)
        }
        // One failed read stops nothing: the next request gets its own answer.
        let order = Message(
            header: Header(id: "order-1", type: JournalAPI.order, ts: testNow),
            body: WireCodec.encode(OrderRef(account: Facts.account, clientOrderId: "nope")))
        do {
            _ = try await handler.handle(order)
            Issue.record("an unknown order was found")
        } catch {
            #expect(error.code == .notFound)
        }
    }
}
