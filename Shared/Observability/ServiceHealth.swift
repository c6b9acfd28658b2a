import Synchronization

/// Liveness and readiness of this process, as `/health` reports it (S2).
///
/// Components register a readiness check: a closure returning `nil` when the
/// component is ready, or a short reason (`"not_registered"`, `"catching_up"`)
/// when it is not. `/health` is 200 only when every check passes; a warning (e.g.
/// a plain-text bus) is reported alongside and fails nothing. Checks run at
/// request time, so they always reflect the current state; they must be cheap and
/// must not block (read a `Mutex`/`Atomic`, never await).
public final class ServiceHealth: Sendable {
    /// The process-wide registry `/health` reads; services add their checks to it.
    public static let shared = ServiceHealth()

    /// One component's readiness: `nil` is ready, otherwise why not.
    public typealias Check = @Sendable () -> String?

    private let checks = Mutex<[String: Check]>([:])
    private let standingWarnings = Mutex<[String: String]>([:])

    /// An empty registry (tests); services use `shared`.
    public init() {}

    /// Adds or replaces the check named `component` (e.g. `"bus"`, `"writer.caught_up"`).
    public func setCheck(_ component: String, _ check: @escaping Check) {
        checks.withLock { $0[component] = check }
    }

    /// Removes a check (the component went away on purpose).
    public func removeCheck(_ component: String) {
        _ = checks.withLock { $0.removeValue(forKey: component) }
    }

    /// The reasons of every component that is not ready, by component; empty when ready.
    public func problems() -> [String: String] {
        let current = checks.withLock { $0 }
        var problems: [String: String] = [:]
        for (component, check) in current {
            if let reason = check() { problems[component] = reason }
        }
        return problems
    }

    /// Records a warning `/health` reports without failing (e.g. a plain-text bus).
    public func setWarning(_ component: String, _ warning: String) {
        standingWarnings.withLock { $0[component] = warning }
    }

    /// The standing warnings, by component; empty when none.
    public var warnings: [String: String] { standingWarnings.withLock { $0 } }

    /// Whether every component is ready.
    public var isReady: Bool { problems().isEmpty }
}
