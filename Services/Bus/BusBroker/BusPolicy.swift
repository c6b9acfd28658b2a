import BusKit
import BusProtocol

/// Who may send what on an authenticated bus (issue 16 step 2, docs/security.md). Decided
/// from the sender's authenticated name (the ZAP user id libzmq attaches to each message),
/// never from anything the sender wrote in its header.
enum BusPolicy {
    /// The sender of one message, as the bus knows it.
    enum Caller: Equatable {
        /// A plain-text bus: nobody is authenticated and everything passes (as before).
        case anyone
        /// An authenticated peer with its role.
        case peer(name: String, Role)
        /// Authenticated under a name no longer listed (its key was removed and the list
        /// reloaded): refused until it is listed again.
        case unlisted(name: String)
    }

    /// What a peer is.
    enum Role: Equatable {
        /// A service of the suite: it registers as that service only.
        case service(String)
        /// A strategy: orders and views of its own accounts.
        case client(accounts: Set<String>)
        /// A person with tradectl: any account, and the controls.
        case `operator`

        /// The role a peer list entry names; nil for one the bus does not know.
        init?(_ peer: BusPeer) {
            switch peer.role {
            case "operator": self = .operator
            case "client": self = .client(accounts: Set(peer.accounts ?? []))
            default:
                guard let service = Sender(name: peer.name, role: peer.role).service else { return nil }
                self = .service(service)
            }
        }

        /// The role as the peer list writes it (what the sender frame carries).
        var listed: String {
            switch self {
            case .service(let name): Sender.servicePrefix + name
            case .client: "client"
            case .operator: "operator"
            }
        }
    }

    /// Requests only services send each other, and which services send each: the journal's
    /// writes come from the services that journal (the writer then checks each fact's kind
    /// against its sender, `AppendRights`), risk's internal calls from the gateway's order
    /// path alone — so a stolen reconciler key cannot authorize an order or feed the breaker.
    static let serviceCallers: [String: Set<String>] = [
        "journal.append": ["order-gateway", "risk-service", "reconciler"],
        "risk.authorize": ["order-gateway"],
        "risk.venue_outcome": ["order-gateway"],
        "risk.venue_outcomes": ["order-gateway"],
        "recon.trigger": ["order-gateway"],
    ]
    static let serviceOnlyTypes = Set(serviceCallers.keys)
    /// The controls only an operator uses: no service sends them, so a stolen service key
    /// cannot release a breaker or resume an account the kill switch stopped.
    static let operatorOnlyTypes: Set<String> = ["order.resume", "risk.trip", "risk.reset"]
    /// What a client may ask of each service: its orders of the gateway, its account's view of risk.
    static func isClientRequest(type: String, service: String) -> Bool {
        switch service {
        case "order-gateway": type.hasPrefix("order.") && !operatorOnlyTypes.contains(type)
        case "risk-service": type == "risk.show"
        default: false
        }
    }

    /// Nil if `caller` may send a request of `type` to `service` under `key`; else why not.
    static func refusal(_ caller: Caller, type: String, service: String, key: String?) -> ServiceError? {
        switch caller {
        case .anyone:
            return nil
        case .unlisted(let name):
            return ServiceError(.forbidden, reason: "peer_not_listed", "the key of '\(name)' is no longer admitted")
        case .peer(let name, .service(let own)):
            if operatorOnlyTypes.contains(type) {
                return ServiceError(.forbidden, reason: "operator_only", "'\(type)' is an operator's control; the service key '\(name)' may not send it")
            }
            if let callers = serviceCallers[type], !callers.contains(own) {
                return ServiceError(.forbidden, reason: "not_this_services_call", "'\(type)' is sent by \(callers.sorted().joined(separator: ", ")) only, not by \(own)")
            }
            return nil
        case .peer(let name, .operator):
            guard !serviceOnlyTypes.contains(type) else {
                return ServiceError(.forbidden, reason: "service_only", "'\(type)' is sent by services only, not by the operator '\(name)'")
            }
            return nil
        case .peer(let name, .client(let accounts)):
            if service == BusCommand.service, type == BusCommand.status { return nil }
            guard isClientRequest(type: type, service: service) else {
                return ServiceError(.forbidden, reason: "not_for_clients", "a client key ('\(name)') may send orders and views, not '\(type)'")
            }
            guard let key, accounts.contains(key) else {
                return ServiceError(.forbidden, reason: "account_not_bound", "the key of '\(name)' is not bound to account '\(key ?? "-")'")
            }
            return nil
        }
    }

    /// Nil if `caller` may register as a worker of `service` (and heartbeat as one); else why not.
    static func registrationRefusal(_ caller: Caller, service: String?) -> ServiceError? {
        switch caller {
        case .anyone:
            return nil
        case .peer(_, .service(let own)) where service == nil || service == own:
            return nil
        case .peer(let name, _), .unlisted(let name):
            return ServiceError(.forbidden, reason: "not_that_service", "'\(name)' may not register as \(service ?? "a worker")")
        }
    }

    /// Nil if `caller` may publish an event of `topic`: services only, and facts (`fact.…`,
    /// what every fold trusts) only by the persistence-writer, which commits them first.
    static func publicationRefusal(_ caller: Caller, topic: String) -> ServiceError? {
        switch caller {
        case .anyone:
            return nil
        case .peer(let name, .service(let service)):
            guard !topic.hasPrefix("fact.") || service == "persistence-writer" else {
                return ServiceError(.forbidden, reason: "facts_by_the_writer", "'\(name)' may not publish facts: only the persistence-writer does")
            }
            return nil
        case .peer(_, .operator) where topic.hasPrefix("span."):
            return nil  // tradectl's own spans (`order submit --trace`)
        case .peer(let name, _), .unlisted(let name):
            return ServiceError(.forbidden, reason: "not_a_publisher", "'\(name)' publishes no events")
        }
    }

    /// Nil if `caller` may send a reply (a message with a route back to a requester): only
    /// services answer requests, so nobody else can inject a reply into another's call.
    static func replyRefusal(_ caller: Caller) -> ServiceError? {
        switch caller {
        case .anyone, .peer(_, .service): return nil
        case .peer(let name, _), .unlisted(let name):
            return ServiceError(.forbidden, reason: "not_a_worker", "'\(name)' answers no requests: a reply from it is refused")
        }
    }
}
