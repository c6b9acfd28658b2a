import Synchronization

/// Cancels that must also catch orders still on their way to the venue (G11). A submit
/// that passed risk but has not reached the venue is invisible to the venue's open-order
/// list, so a kill switch (or a cancel of that very order) arriving then would miss it.
/// Submits note the account's cancel epoch before they send and ask here afterwards:
/// an order placed across a kill switch, or one whose own cancel came early, is
/// canceled at once.
final class CancelRequests: Sendable {
    /// Early cancels of single orders remembered at most; beyond it they are not remembered
    /// (the cancel still answers `not_at_venue` and the caller resends it).
    static let limit = 10_000
    private let state = Mutex<(epochs: [String: Int], early: Set<String>)>(([:], []))

    /// The account's kill-switch count, read by a submit before it sends.
    func epoch(account: String) -> Int {
        state.withLock { $0.epochs[account, default: 0] }
    }

    /// A kill switch for the account: every order in flight now must be canceled once placed.
    func cancelAll(account: String) {
        state.withLock { $0.epochs[account, default: 0] += 1 }
    }

    /// A cancel of an order the venue does not have yet.
    func cancelEarly(account: String, clientOrderId: String) {
        state.withLock { state in
            guard state.early.count < Self.limit else { return }
            state.early.insert(account + "|" + clientOrderId)
        }
    }

    /// Whether an order just placed must be canceled at once (a kill switch since `epoch`,
    /// or its own early cancel); forgets the early cancel.
    func mustCancel(account: String, clientOrderId: String, since epoch: Int) -> Bool {
        state.withLock { state in
            let early = state.early.remove(account + "|" + clientOrderId) != nil
            return early || state.epochs[account, default: 0] != epoch
        }
    }
}
