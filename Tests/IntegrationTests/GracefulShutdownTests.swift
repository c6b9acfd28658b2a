import BusKit
import BusProtocol
import Foundation
import GRDB
import Synchronization
import Testing
import TestSupport
import TradingModel

/// B4 against the real suite: SIGTERM during load drains every service within the
/// bound, exits cleanly, and loses no order the gateway acknowledged.
@Suite("graceful shutdown", .serialized)
struct GracefulShutdownTests {
    /// Client order ids the gateway acknowledged (an OK reply to `order.submit`).
    final class Acknowledged: Sendable {
        let ids = Mutex<[String]>([])
        var count: Int { ids.withLock { $0.count } }
    }

    @Test("SIGTERM to every service while orders flow: clean exits within the bound, every acknowledged order in the database")
    func sigtermDuringLoad() async throws {
        let suite = try Suite()
        defer { suite.tearDown() }
        suite.environment = ["BW_SHUTDOWN_TIMEOUT_MS": "8000"]
        try suite.start()
        let client = try suite.client()
        defer { client.close() }
        let acknowledged = Acknowledged()
        let ready = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            await Self.submit(client, id: "warmup-\(UUID().uuidString.prefix(8))", into: acknowledged)
        }
        #expect(ready)

        let exits = await withTaskGroup(of: Void.self, returning: [String: Int32?].self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var n = 0
                    while !Task.isCancelled {
                        n += 1
                        _ = await Self.submit(client, id: "load-\(worker)-\(n)", into: acknowledged)
                    }
                }
            }
            _ = try? await eventually(timeout: .seconds(30)) { acknowledged.count >= 25 }
            // Stop order of an operator: entry first, the writer and the bus last.
            var exits: [String: Int32?] = [:]
            for name in Suite.serviceOrder.reversed() {
                exits[name] = suite.terminate(name, timeout: .seconds(12))
            }
            group.cancelAll()
            return exits
        }
        for (name, status) in exits {
            #expect(status == 0, "\(name) did not exit cleanly within the bound: \(String(describing: status))")
        }
        let ids = acknowledged.ids.withLock { $0 }
        #expect(ids.count >= 25)
        let db = try DatabaseQueue(path: suite.databasePath, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let stored = try await db.read { db in
            Set(try String.fetchAll(db, sql: "SELECT client_order_id FROM orders WHERE account = 'acct-1'"))
        }
        let lost = ids.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but not in the database: \(lost)")
    }

    /// Submits a small market buy; records the id when the gateway acknowledges it.
    static func submit(_ client: SuiteClientConnection, id: String, into acknowledged: Acknowledged) async -> Bool {
        let order = OrderSubmit(clientOrderId: id, account: "acct-1", symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!)
        guard (try? await client.bus.call(
            service: "order-gateway", type: "order.submit", key: "acct-1", body: order, replyType: OrderReply.self,
            timeout: .seconds(5), attempts: 1)) != nil else { return false }
        acknowledged.ids.withLock { $0.append(id) }
        return true
    }
}
