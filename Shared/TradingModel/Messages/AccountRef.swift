/// The body of `order.cancel_all` (the kill switch, G11), `order.resume` and `risk.show`: one account.
public struct AccountRef: Codable, Sendable, Equatable {
    /// The account acted on.
    public var account: String

    /// Creates a reference to an account.
    public init(account: String) {
        self.account = account
    }
}
