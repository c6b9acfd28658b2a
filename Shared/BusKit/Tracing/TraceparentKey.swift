import BusProtocol
import Instrumentation

/// The W3C `traceparent` of the current span, carried in the task's `ServiceContext`.
public enum TraceparentKey: ServiceContextKey {
    public typealias Value = String
    public static var nameOverride: String? { "traceparent" }
}

extension ServiceContext {
    /// The traceparent of the span this task is in (nil outside any span).
    public var traceparent: String? {
        get { self[TraceparentKey.self] }
        set { self[TraceparentKey.self] = newValue }
    }
}

/// Reads `traceparent` from a message header (the envelope is the carrier).
public struct HeaderExtractor: Extractor {
    public init() {}
    /// The header's value for `key` (only `traceparent` is carried).
    public func extract(key: String, from carrier: Header) -> String? {
        key == "traceparent" ? carrier.traceparent : nil
    }
}

/// Writes `traceparent` into a message header.
public struct HeaderInjector: Injector {
    public init() {}
    /// Sets the header's `traceparent`.
    public func inject(_ value: String, forKey key: String, into carrier: inout Header) {
        if key == "traceparent" { carrier.traceparent = value }
    }
}
