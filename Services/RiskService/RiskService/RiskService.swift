import BusKit
import Foundation
import BusProtocol
import Logging
import ServiceLifecycle
import ServiceRuntime
import TradingModel
import ZeroMQ

/// The risk-service process: answers `risk.authorize` for the partitions of accounts
/// the bus leases to it, and follows the journal to keep its ledger exact.
public struct RiskService: Service {
    private let context = ZMQContext()
    private let bus: BusConnection
    private let engine: RiskEngine
    private let follower: FactFollower
    private let logger: Logger

    public init(endpoints: BusEndpoints, ledger: Ledger, logger: Logger) throws {
        var configuration = BusConnection.Configuration(endpoints: endpoints, identity: Settings.replicaIdentity(service: RiskAPI.service))
        configuration.subscriptions = [JournalAPI.factTopic]
        bus = try BusConnection(configuration: configuration, context: context, logger: logger)
        engine = RiskEngine(ledger: ledger)
        follower = FactFollower(bus: bus, logger: logger)
        self.logger = logger
    }

    public func run() async throws {
        bus.start()
        let engine = engine
        // The ledger is rebuilt from the journal before the first authorization.
        while (try? await follower.catchUp({ await engine.apply($0) })) == nil {
            try await Task.sleep(for: .milliseconds(200))
        }
        let lastSeq = await engine.lastSeq
        logger.info("risk.ready", metadata: ["last_seq": "\(lastSeq)"])
        bus.serve(service: RiskAPI.service)
        bus.register()
        await withDiscardingTaskGroup { group in
            group.addTask { await follower.run(events: bus.events) { await engine.apply($0) } }
            group.addTask {
                await withGracefulShutdownHandler {
                    await bus.handleRequests { message throws(ServiceError) in try await handle(message) }
                } onGracefulShutdown: {
                    bus.stopAccepting()
                }
                bus.stop()
            }
        }
        context.terminate()
    }

    private func handle(_ message: Message) async throws(ServiceError) -> Data {
        switch message.header.type {
        case RiskAPI.authorize:
            return WireCodec.encode(try await authorize(message))
        case RiskAPI.show:
            return WireCodec.encode(try await engine.snapshot(account: try message.decode(AccountRef.self).account))
        default:
            throw ServiceError(.unknownType, reason: "unknown_type", "risk-service does not handle '\(message.header.type)'")
        }
    }

    /// Reserve, journal the intent with its reservation as one fact, then approve.
    private func authorize(_ message: Message) async throws(ServiceError) -> RiskDecision {
        let request = try message.decode(RiskAuthorize.self)
        let need = try await engine.reserve(request)
        let intent = OrderIntent(
            clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side, type: request.type,
            qty: request.qty, price: request.price, timeInForce: request.timeInForce,
            reserveAsset: need.asset, reserveAmount: need.amount)
        let fact = Fact(id: "intent:\(request.account):\(request.clientOrderId)", account: request.account, payload: .orderIntent(intent))
        let ack: AppendAck
        do {
            ack = try await bus.call(
                service: JournalAPI.service, type: JournalAPI.append, key: nil,
                body: JournalAppend(facts: [fact], partition: message.header.partition, epoch: message.header.epoch),
                replyType: AppendAck.self, traceparent: message.header.traceparent)
        } catch {
            // Not known to be committed: hold nothing. If it did commit, the fact
            // re-creates the reservation when it arrives.
            await engine.release(account: request.account, clientOrderId: request.clientOrderId)
            throw error
        }
        if let error = ack.error {
            await engine.release(account: request.account, clientOrderId: request.clientOrderId)
            throw error
        }
        return RiskDecision(approved: true, qty: request.qty, reserveAsset: need.asset, reserveAmount: need.amount, intentSeq: ack.seqs.first ?? 0)
    }
}
