/// The body of `order.cancel_all` (the kill switch, G11): one account.
public struct AccountRef: Codable, Sendable, Equatable {
    /// The account whose orders are all canceled.
    public var account: String

    /// Creates a reference to an account.
    public init(account: String) {
        self.account = account
    }
}
