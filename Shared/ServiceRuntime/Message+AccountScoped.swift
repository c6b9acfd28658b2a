import BusKit
import BusProtocol
import TradingModel

extension Message {
    /// The body as `type`, refused with `INVALID_REQUEST` / `key_mismatch` when the request
    /// is keyed by another account than the body's (an unkeyed request is not checked).
    public func decode<Body: AccountScoped>(accountScoped type: Body.Type) throws(ServiceError) -> Body {
        let body = try decode(type)
        if let key = header.key, key != body.account {
            throw ServiceError(.invalidRequest, reason: "key_mismatch", "the request is keyed by '\(key)' but is about account '\(body.account)'")
        }
        return body
    }
}
