/// The reconciler's name on the bus, for the processes that need it without importing the
/// reconciler (the writer's per-fact rights).
public enum ReconcilerAPI {
    public static let service = "reconciler"
}
