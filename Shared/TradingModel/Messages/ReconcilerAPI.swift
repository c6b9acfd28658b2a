/// The reconciler's name on the bus, for the processes that need it without importing the
/// reconciler (the writer's per-fact rights).
public enum ReconcilerAPI {
    public static let service = "reconciler"
    /// `{}` → `{}`: reconcile every account now (at most once per trigger spacing). The
    /// gateway sends it when its live venue's user data stream is subscribed again after a
    /// loss: whatever the stream did not carry meanwhile is looked for at once.
    public static let trigger = "recon.trigger"
}
