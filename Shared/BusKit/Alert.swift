import BusProtocol
import Foundation
import Logging

/// An operator alert (S4), published on the event plane under `alert.<kind>` and
/// written as a log line by the process that raises it.
///
/// Kinds in use: `queue_saturation` (B2, every connection), `reconciliation_mismatch`
/// (reconciler), `margin_use` (risk-service). Breaker and governor changes are not of this
/// type: risk-service publishes the transition fact under `alert.risk.*`. Reserved:
/// `unhedged_exposure`, `hedge_lag`.
public struct Alert: Codable, Sendable, Equatable {
    /// The topic prefix of every alert.
    public static let topicPrefix = "alert."

    /// Importance of an alert.
    public enum Severity: String, Codable, Sendable {
        /// Needs attention soon.
        case warning
        /// Needs attention now.
        case critical
    }

    /// What happened, e.g. `queue_saturation`; also the topic suffix.
    public var kind: String
    /// Warning (80 %) or critical (95 %, a trip, a stop).
    public var severity: Severity
    /// The process that raised it (`order-gateway@host:pid:ms`).
    public var source: String
    /// One sentence for a person.
    public var message: String
    /// Bounded details (queue name, level, depth, limit …); never a secret.
    public var fields: [String: String]
    /// Unix nanoseconds.
    public var ts: Int64

    /// An alert; see the properties.
    public init(kind: String, severity: Severity, source: String, message: String, fields: [String: String], ts: Int64) {
        self.kind = kind
        self.severity = severity
        self.source = source
        self.message = message
        self.fields = fields
        self.ts = ts
    }
}

extension BusConnection {
    /// Raises an alert: a warning (or critical) log line and a lossy `alert.<kind>` event.
    public func raiseAlert(kind: String, severity: Alert.Severity, message: String, fields: [String: String]) {
        let alert = Alert(kind: kind, severity: severity, source: configuration.identity, message: message, fields: fields, ts: WallClock.nowNanos())
        var metadata: Logger.Metadata = ["alert.kind": "\(kind)"]
        for (key, value) in fields { metadata["alert.\(key)"] = "\(value)" }
        switch severity {
        case .warning: logger.warning("alert: \(message)", metadata: metadata)
        case .critical: logger.critical("alert: \(message)", metadata: metadata)
        }
        let header = Header(id: ids.messageId(), type: Alert.topicPrefix + kind, ts: alert.ts, traceparent: TraceContext.newRoot(using: ids))
        publish(topic: Alert.topicPrefix + kind, header: header, body: WireCodec.encode(alert))
    }
}
