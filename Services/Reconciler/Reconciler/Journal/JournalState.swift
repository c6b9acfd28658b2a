import BusProtocol
import TradingModel

/// The reconciler's fold of the journal, shared by the fact follower and the passes.
actor JournalState {
    private var view: JournalView

    /// An empty fold keeping ended orders and trade ids for `recentWindow`.
    init(recentWindow: Duration = JournalView.defaultRecentWindow) {
        view = JournalView(recentWindow: recentWindow)
    }

    /// Folds one committed fact.
    func apply(_ record: JournalRecord) { view.apply(record) }

    /// The journal as folded so far, without what ended before `now − recentWindow`
    /// (unix nanoseconds: the same clock as the writer's commit times).
    func snapshot(now: Int64) -> JournalView {
        view.expire(now: now)
        return view
    }
}
