import BusProtocol
import TradingModel

/// The reconciler's fold of the journal, shared by the fact follower and the passes.
actor JournalState {
    private var view = JournalView()

    /// Folds one committed fact.
    func apply(_ record: JournalRecord) { view.apply(record) }

    /// The journal as folded so far.
    func snapshot() -> JournalView { view }
}
