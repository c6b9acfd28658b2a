import ArgumentParser
import Foundation
import GRDB

/// `tradectl trace <client_order_id | trace id>`: an order's path across the services
/// as a waterfall, read from the journal database (read-only, beside the writer).
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show one order's timeline across every service, with per-hop durations and bus queueing (a waterfall).",
        discussion: "Reads the spans the writer stored. Spans are lossy events: under overload some hops may be missing.")

    @Argument(help: "A client_order_id, a 32-hex trace id or a traceparent.")
    var target: String

    @Option(help: "The account of the client_order_id (when ids repeat across accounts).")
    var account: String?

    @Option(help: "The journal database (default: BW_DB_PATH or ./data/breakwater.sqlite).")
    var db: String?

    func run() throws {
        let path = db ?? ProcessInfo.processInfo.environment["BW_DB_PATH"] ?? "./data/breakwater.sqlite"
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no database at \(path) (use --db)") }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let spans = try queue.read { db -> [TraceSpan] in
            guard let traceId = try resolveTraceId(db) else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM spans WHERE trace_id = ? ORDER BY start_ns", arguments: [traceId])
                .map(TraceSpan.init(row:))
        }
        guard !spans.isEmpty else { throw ValidationError("no spans found for '\(target)'") }
        for line in Waterfall().render(spans) { print(line) }
    }

    /// The trace id: given directly, or the trace the order's intent was journaled under.
    private func resolveTraceId(_ db: Database) throws -> String? {
        let lowered = target.lowercased()
        let parts = lowered.split(separator: "-")
        if parts.count == 4, parts[1].count == 32 { return String(parts[1]) }
        if lowered.count == 32, lowered.allSatisfy(\.isHexDigit) { return lowered }
        let pattern = "intent:\(account ?? "%"):\(target)"
        let trace = try String.fetchOne(
            db, sql: "SELECT trace FROM journal WHERE msg_id LIKE ? AND trace IS NOT NULL ORDER BY seq LIMIT 1", arguments: [pattern])
        return trace.flatMap { value in
            let fields = value.split(separator: "-")
            return fields.count == 4 ? String(fields[1]) : nil
        }
    }
}
