import ArgumentParser
import BusProtocol
import Foundation
import TradingModel

extension OrderCommand {
    /// `tradectl order list`: an account's orders as the journal knows them. The gateway
    /// has no list message, so this reads the persistence-writer's order projection.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List an account's orders as JSON, as the journal knows them.",
            discussion: """
                Reads the persistence-writer's order projection (journal.orders), not the gateway \
                (it has no list message): states are as journaled, so an order whose venue answer \
                is not journaled yet shows as pending_new or unknown. Oldest first; with several \
                --state, grouped by state in the order given. An account without orders that \
                risk-service does not know exits 1 with UNKNOWN_ACCOUNT.
                """)
        @OptionGroup var bus: BusOptions
        @Option var account: String
        @Option(help: "Only orders in this state; repeat for several. All states when absent.") var state: [OrderState] = []

        func run() async throws {
            let client = try SuiteClient(bus)
            defer { client.close() }
            do {
                let orders = try await Self.orders(client, account: account, states: state)
                if orders.isEmpty { try await Self.checkAccount(client, account) }
                print(prettyJSON(OrdersPage(orders: orders)))
            } catch {
                throw PrintedError(error: error)
            }
        }

        /// The pages of one read per state (the writer filters), or of one read for all.
        static func orders(_ client: SuiteClient, account: String, states: [OrderState]) async throws(ServiceError) -> [OrderView] {
            var wanted: [OrderState?] = []
            for state in states where !wanted.contains(state) { wanted.append(state) }
            if wanted.isEmpty { wanted = [nil] }
            var orders: [OrderView] = []
            for state in wanted {
                var query = OrdersQuery(account: account, state: state)
                while true {  // page by page: each reply stays under the message limit
                    let page = try await client.call(service: JournalAPI.service, type: JournalAPI.orders, body: query, reply: OrdersPage.self)
                    orders += page.orders
                    guard let next = page.nextAfterSeq, !page.orders.isEmpty else { break }
                    query.afterSeq = next
                }
            }
            return orders
        }

        /// The journal knows no account list, so an empty answer is checked with risk-service:
        /// a typo must not look like an account without orders (UNKNOWN_ACCOUNT is thrown).
        static func checkAccount(_ client: SuiteClient, _ account: String) async throws(ServiceError) {
            _ = try await client.call(service: RiskAPI.service, type: RiskAPI.show, key: account, body: AccountRef(account: account), reply: AccountRisk.self)
        }
    }
}
