import BusKit
import BusProtocol
import Foundation
import Observability

/// One message the bus forwarded, as the tap publishes it (header + hop), ready
/// to filter and print as one line.
struct TapRecordView: Sendable, Equatable {
    /// The hop frame: which peer sent it to which, and the router outbox depth then.
    struct Hop: Decodable, Sendable, Equatable {
        var from: String
        var to: String
        var kind: String
        var ts: Int64
        var depth: Int
    }

    var header: Header
    var hop: Hop

    /// Decodes the tap's frames `[topic, header JSON, hop JSON]`; nil for anything else.
    init?(frames: [Data]) {
        guard frames.count == 3,
              let header = try? JSONDecoder().decode(Header.self, from: frames[1]),
              let hop = try? JSONDecoder().decode(Hop.self, from: frames[2]) else { return nil }
        self.header = header
        self.hop = hop
    }

    /// The trace id of the message, if it carries a valid traceparent.
    var traceId: String? { header.traceparent.flatMap(TraceContext.traceId) }

    /// `12:00:01.234 request  order.submit  acct-1  tradectl → order-gateway  depth=0  trace=4bf92f35…  id=…`,
    /// redacted (S1) before it is returned.
    func line() -> String {
        let time = Self.clockTime(nanos: hop.ts)
        let kind = hop.kind.padding(toLength: 7, withPad: " ", startingAt: 0)
        let type = header.type.padding(toLength: 22, withPad: " ", startingAt: 0)
        let key = (header.key ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0)
        let route = "\(Self.peerName(hop.from)) → \(Self.peerName(hop.to))"
        let trace = traceId.map { "trace=\($0)" } ?? "trace=-"
        return Redactor.shared.redact("\(time) \(kind) \(type) \(key) \(route)  depth=\(hop.depth)  \(trace)  id=\(header.id)")
    }

    /// The service part of a replica identity (`risk-service@host:pid:ms` → `risk-service`).
    static func peerName(_ identity: String) -> String {
        String(identity.split(separator: "@", maxSplits: 1).first ?? Substring(identity))
    }

    /// `HH:MM:SS.mmm` (UTC) of wall-clock nanoseconds.
    static func clockTime(nanos: Int64) -> String {
        let millisOfDay = (nanos / 1_000_000) % 86_400_000
        let hours = millisOfDay / 3_600_000, minutes = millisOfDay / 60_000 % 60
        let seconds = millisOfDay / 1_000 % 60, millis = millisOfDay % 1_000
        return String(format: "%02lld:%02lld:%02lld.%03lld", hours, minutes, seconds, millis)
    }
}
