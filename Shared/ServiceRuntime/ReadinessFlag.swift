import Synchronization

/// A one-way "ready" switch a `/health` check can read without awaiting.
public final class ReadinessFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Not ready yet.
    public init() {}

    /// Whether `set()` was called.
    public var isSet: Bool { value.load(ordering: .acquiring) }

    /// Marks ready (idempotent).
    public func set() { value.store(true, ordering: .releasing) }
}
