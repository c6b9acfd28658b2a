import BusKit
import BusProtocol
import Foundation
import GRDB
import Synchronization
import TestSupport
import TradingModel

/// What producers were told: fact id → journal seq, for every acknowledged append.
final class AckLog: Sendable {
    private let acks = Mutex<[String: Int64]>([:])
    private let rejections = Mutex<[String]>([])

    /// How many facts have been acknowledged.
    var count: Int { acks.withLock { $0.count } }
    /// Every acknowledgement so far.
    var snapshot: [String: Int64] { acks.withLock { $0 } }
    /// Appends the writer refused (a producer of valid facts must see none).
    var rejected: [String] { rejections.withLock { $0 } }

    func record(_ id: String, seq: Int64) {
        acks.withLock { acks in
            if let known = acks[id] {
                precondition(known == seq, "\(id) acknowledged under seq \(known) and \(seq)")
            }
            acks[id] = seq
        }
    }

    func reject(_ id: String, _ error: ServiceError) {
        rejections.withLock { $0.append("\(id): \(error)") }
    }
}

/// A producer like the gateway: appends one intent after another, and resends each
/// (same fact id) until the writer acknowledges it, through writer crashes.
struct JournalProducer: Sendable {
    let client: SuiteClientConnection
    let name: String
    let log: AckLog

    /// The fact a producer sends as its `index`-th append.
    static func fact(producer: String, index: Int) -> Fact {
        let id = "\(producer)-\(index)"
        return Fact(id: id, account: "acct-\(producer)", payload: .orderIntent(OrderIntent(
            clientOrderId: id, symbol: "BTC/USDT", side: .buy, type: .limit, qty: ExactDecimal(1),
            price: ExactDecimal(100), timeInForce: .gtc, reserveAsset: "USDT", reserveAmount: ExactDecimal(101))))
    }

    /// Appends `count` facts, each until acknowledged or `deadline` passes; returns how many were acknowledged.
    @discardableResult
    func run(count: Int, deadline: ContinuousClock.Instant) async -> Int {
        var acknowledged = 0
        for index in 0..<count {
            if await append(Self.fact(producer: name, index: index), deadline: deadline) { acknowledged += 1 }
        }
        return acknowledged
    }

    /// Sends one append until it is acknowledged (committed or duplicate) or refused.
    func append(_ fact: Fact, deadline: ContinuousClock.Instant) async -> Bool {
        while ContinuousClock.now < deadline {
            do {
                let ack = try await client.bus.call(
                    service: JournalAPI.service, type: JournalAPI.append, key: fact.account,
                    body: JournalAppend(facts: [fact]), replyType: AppendAck.self,
                    timeout: .milliseconds(500), attempts: 4)
                switch ack.status {
                case "committed", "duplicate":
                    log.record(fact.id, seq: ack.seqs[0])
                    return true
                default:
                    log.reject(fact.id, ack.error ?? ServiceError(.internal, reason: "no_error", ack.status))
                    return false
                }
            } catch {
                // TIMEOUT, UNAVAILABLE, OVERLOADED: the writer is down or busy; send it again.
                continue
            }
        }
        return false
    }
}

/// Reads of the journal database for assertions (a separate read-only connection).
enum JournalFile {
    /// fact id → seq of every journal row.
    static func seqs(_ path: String) throws -> [String: Int64] {
        try open(path).read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT msg_id, seq FROM journal").map {
                (($0["msg_id"] as String), ($0["seq"] as Int64))
            })
        }
    }

    /// `PRAGMA integrity_check` joined, "ok" when sound.
    static func integrity(_ path: String) throws -> String {
        try open(path).read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n") }
    }

    /// How many rows `table` holds.
    static func count(_ path: String, _ table: String) throws -> Int {
        try open(path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
