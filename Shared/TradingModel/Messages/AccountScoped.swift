import BusProtocol

/// A request about one account: keyed by it on the bus, so the account in its body must be
/// the routing key. Otherwise a request routed (and, on an authenticated bus, allowed) for
/// one account would act on another.
public protocol AccountScoped: Decodable {
    var account: String { get }
}

extension OrderSubmit: AccountScoped {}
extension OrderRef: AccountScoped {}
extension AccountRef: AccountScoped {}
