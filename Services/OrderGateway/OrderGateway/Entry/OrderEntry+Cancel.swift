import BusKit
import BusProtocol
import ServiceRuntime
import TradingModel
import VenueKit

/// Cancels (G11). A cancel is done only when the venue confirms it: the reply carries
/// the order as journaled from the venue's answer. Cancels take no (account, symbol)
/// lock and no rate-limit token: a kill switch must not queue behind new orders.
extension OrderEntry {
    func cancel(_ message: Message) async throws(ServiceError) -> OrderReply {
        let ref = try message.decode(accountScoped: OrderRef.self)
        try requireKnown(ref.account)
        let current = try await readBack(account: ref.account, clientOrderId: ref.clientOrderId).order
        guard !current.state.isTerminal else { return OrderReply(order: current) }
        if current.state == .pendingNew {
            // Possibly still on its way to the venue: the submit cancels it once placed.
            cancels.cancelEarly(account: ref.account, clientOrderId: ref.clientOrderId)
        }
        try await cancelAtVenue(account: ref.account, clientOrderId: ref.clientOrderId, traceparent: message.header.traceparent)
        return try await readBack(account: ref.account, clientOrderId: ref.clientOrderId)
    }

    /// Asks the venue to cancel and journals its answer. When the venue refuses (the order
    /// already filled, say) its current state is journaled instead; when it does not answer
    /// the cancel is not done and the caller gets a retryable error.
    func cancelAtVenue(account: String, clientOrderId: String, traceparent: String?) async throws(ServiceError) {
        let answer: VenueOrder
        do {
            answer = try await venue.cancel(account: account, clientOrderId: clientOrderId)
        } catch {
            guard let found = try? await venue.order(account: account, clientOrderId: clientOrderId) else {
                if case .permanent(let refusal) = error, refusal.code == .notFound {
                    throw ServiceError(.notFound, reason: "not_at_venue", "the venue has no order '\(clientOrderId)'; the reconciler resolves it")
                }
                throw ServiceError(.unavailable, reason: "cancel_unconfirmed", "the venue did not confirm the cancel: \(error.serviceError.message)", retryAfterMs: 500)
            }
            answer = found
        }
        try await journal(VenueFacts.facts(for: answer, venue: venue.name), traceparent: traceparent)
        guard answer.status.isTerminal else {
            throw ServiceError(.unavailable, reason: "cancel_unconfirmed", "the venue still shows the order open; retry the cancel", retryAfterMs: 500)
        }
    }
}
