import BusKit
import Foundation

extension Broker {
    var workersSnapshot: [Data: Worker] { workersByID }

    func isWorker(_ id: Data) -> Bool { workersByID[id] != nil }

    func register(_ id: Data, registration: BusCommand.Registration, nowMs: Int) {
        if let existing = workersByID[id], existing.service == registration.service {
            workersByID[id]?.expiresAtMs = nowMs + heartbeatIntervalMs * liveness
            return
        }
        if workersByID[id] != nil { remove(id) }
        workersByID[id] = Worker(
            id: id, name: registration.worker, service: registration.service,
            expiresAtMs: nowMs + heartbeatIntervalMs * liveness)
        rotationByService[registration.service, default: []].append(id)
    }

    /// Forgets a worker; its partitions go to the next live worker that is asked, with a new epoch.
    func remove(_ id: Data) {
        guard let worker = workersByID.removeValue(forKey: id) else { return }
        rotationByService[worker.service]?.removeAll { $0 == id }
        leasesByService[worker.service] = leasesByService[worker.service]?.filter { $0.value.worker != id }
    }

    func status() -> BrokerStatus {
        let live = workersByID.values.sorted { ($0.service, $0.name) < ($1.service, $1.name) }
        var leaseList: [BrokerStatus.Lease] = []
        for (service, byPartition) in leasesByService {
            for (partition, lease) in byPartition {
                let name = workersByID[lease.worker]?.name ?? "?"
                leaseList.append(.init(service: service, partition: partition, worker: name, epoch: lease.epoch))
            }
        }
        leaseList.sort { ($0.service, $0.partition) < ($1.service, $1.partition) }
        return BrokerStatus(
            partitionCount: partitioner.count,
            workers: live.map { .init(service: $0.service, worker: $0.name) },
            leases: leaseList)
    }
}
