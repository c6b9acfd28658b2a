import BusProtocol
import TradingModel
import VenueKit

extension AccountPass {
    /// Orders the journal closed `rejected` / `not_at_venue` that the venue has after all (a
    /// place that reached it after its sender had given up): the venue wins. Each is reopened
    /// (`order.reopened`, which holds its cost again) and then journaled from the venue like any
    /// order, and a critical `reconciliation_mismatch` alert names it. One its late fills already
    /// completed (the writer folds a fill into a closed order) is only alerted. A venue that
    /// rejected the order agrees with the journal: nothing to do.
    ///
    /// Ids are deterministic (`reopened:<account>:<client_order_id>`), so a second pass or a
    /// second reconciler reopens once; after a kill -9 between the reopening and the venue's
    /// answer, the next pass finds the order `unknown` and adopts the answer as for any pending order.
    func reopenLateOrders(view: JournalView, fills: [VenueFill], open: [VenueOrder], report: inout PassReport) async throws(ServiceError) {
        var seen = Set<String>()
        for clientOrderId in open.map(\.clientOrderId) + fills.map(\.clientOrderId) where seen.insert(clientOrderId).inserted {
            guard let order = view.order(account: account, clientOrderId: clientOrderId), order.reason == OrderReopened.reopenableReason,
                order.state == .rejected || order.state == .filled,
                let found = try await venueCall({ () async throws(VenueError) in try await venue.order(account: account, clientOrderId: clientOrderId) }),
                found.status != .rejected
            else { continue }
            guard order.state == .rejected else {
                try await alertCompleted(clientOrderId, venueStatus: found.status, report: &report)
                continue
            }
            let body = OrderReopened(
                clientOrderId: clientOrderId, symbol: found.symbol, venueStatus: found.status.rawValue, side: found.side, qty: found.qty,
                reserveAsset: Self.reserveAsset(of: found),
                reserveAmount: ExternalOrderCost.reservation(of: found, feeRate: configuration.feeRate))
            let fact = Fact(id: "reopened:\(account):\(clientOrderId)", account: account, payload: .reconciliation(.orderReopened(body)))
            switch try await writer.append([fact]) {
            case .committed:
                report.reopened += 1
                report.repairs += 1
                logger.error("recon.order.reopened", metadata: [
                    "account": "\(account)", "order.client_id": "\(clientOrderId)", "venue_status": "\(found.status.rawValue)",
                    "reserved": "\(body.reserveAmount) \(body.reserveAsset)"])
                try await desync(
                    kind: "reopened_order", subject: clientOrderId, journal: "rejected \(OrderReopened.reopenableReason)",
                    venue: found.status.rawValue, action: "reopened", report: &report)
            case .duplicate:
                break  // reopened by an earlier pass: its answer may still be missing
            case .refused(let error) where error.reason == "not_reopenable":
                // The journal moved on after this pass read it: a late fill completed the order.
                try await alertCompleted(clientOrderId, venueStatus: found.status, report: &report)
                continue
            case .refused(let error):
                report.fillsComplete = false  // its fills are looked at again next pass
                logger.error("recon.reopen.refused", metadata: ["order.client_id": "\(clientOrderId)", "error": "\(error)"])
                continue
            }
            try await journalVenueAnswer(found, report: &report)
        }
    }

    /// An order given up on that its late fills completed (the writer folds a fill into a
    /// closed order): nothing is left to reopen, but the trader was told it failed.
    private func alertCompleted(_ clientOrderId: String, venueStatus: VenueOrderStatus, report: inout PassReport) async throws(ServiceError) {
        try await desync(
            kind: "reopened_order", subject: clientOrderId, journal: "rejected \(OrderReopened.reopenableReason)",
            venue: venueStatus.rawValue, action: "journaled", report: &report)
    }

    /// The asset an order holds: the quote asset for a buy, the base for a sell.
    static func reserveAsset(of order: VenueOrder) -> String {
        let assets = order.symbol.split(separator: "/").map(String.init)
        return assets[order.side == .buy ? min(1, assets.count - 1) : 0]
    }
}
