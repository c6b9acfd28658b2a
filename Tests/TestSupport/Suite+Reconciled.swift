import BusKit
import BusProtocol
import Foundation

extension SuiteClientConnection {
    private struct ReconStatus: Decodable {
        var readyAccounts: [String]
        enum CodingKeys: String, CodingKey { case readyAccounts = "ready_accounts" }
    }

    private struct LastSeq: Decodable {
        var lastSeq: Int64
        enum CodingKeys: String, CodingKey { case lastSeq = "last_seq" }
    }

    private struct Ref: Encodable { var account: String }

    /// Waits until the reconciler has reconciled `accounts` at startup (C1) and
    /// risk-service has folded the journal that far, i.e. orders are accepted.
    public func waitUntilReconciled(_ accounts: [String] = ["acct-1", "acct-2"], timeout: Duration = .seconds(60)) async throws -> Bool {
        try await eventually(timeout: timeout, every: .milliseconds(100)) {
            guard let status = try? await bus.call(
                service: "reconciler", type: "recon.status", body: [String: String](), replyType: ReconStatus.self,
                timeout: .seconds(2), attempts: 1),
                Set(accounts).isSubset(of: status.readyAccounts),
                let journal = try? await bus.call(
                    service: "persistence-writer", type: "journal.check", body: [String: String](), replyType: LastSeq.self,
                    timeout: .seconds(2), attempts: 1)
            else { return false }
            for account in accounts {
                guard let risk = try? await bus.call(
                    service: "risk-service", type: "risk.show", key: account, body: Ref(account: account), replyType: LastSeq.self,
                    timeout: .seconds(2), attempts: 1), risk.lastSeq >= journal.lastSeq
                else { return false }
            }
            return true
        }
    }
}
