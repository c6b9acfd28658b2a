import BusProtocol
import GRDB
import TradingModel

/// Applies the requests of one batch inside the batch's transaction, each in its own
/// savepoint, so that a bad request is rolled back alone (P2, P3).
///
/// Idempotency is by fact id: the journal's UNIQUE `msg_id`, written with
/// `INSERT … ON CONFLICT(msg_id) DO NOTHING` and checked by change count. A fill is
/// also idempotent by venue trade id: a trade already recorded under another fact id
/// is a duplicate with the original seq, and gets no second journal row.
struct JournalAppender {
    /// The open batch transaction.
    let db: Database
    /// The commit time stamped on every new fact of the batch, unix nanoseconds.
    let ts: Int64
    /// The most facts one request may carry.
    let maxFactsPerRequest: Int
    /// The stored payload JSON of every fact this batch journaled, by seq (for publishing
    /// without encoding the fact again).
    let payloads = StoredPayloads()

    /// The outcome of `request`. Throws only errors that must abort the whole batch
    /// (I/O, a full disk…); every error caused by the request's content is a `.rejected`.
    func outcome(of request: AppendRequest) throws -> AppendOutcome {
        try result(of: request).outcome
    }

    /// `outcome(of:)` with the order the request is about as it stands after the request
    /// (one primary-key read in the same transaction), so the sender needs no read-back.
    func result(of request: AppendRequest) throws -> AppendResult {
        do {
            try validate(request)
            var outcome: AppendOutcome?
            try db.inSavepoint {
                outcome = try apply(request)
                return .commit
            }
            guard let outcome else { preconditionFailure("savepoint committed without an outcome") }
            payloads.keepPending()
            return AppendResult(outcome, order: try order(of: request))
        } catch let error as ServiceError {
            payloads.dropPending()
            return AppendResult(.rejected(error))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            payloads.dropPending()
            return AppendResult(.rejected(ServiceError(
                .invalidRequest, reason: "constraint_violation", error.message ?? "a database constraint failed")))
        } catch let error as EncodingError {
            payloads.dropPending()
            return AppendResult(.rejected(ServiceError(.internal, reason: "unencodable_fact", "\(error)")))
        }
    }

    /// The order every fact of `request` is about, as projected now; nil when the facts
    /// are about several orders, accounts or none (a fill of an order not journaled yet too).
    private func order(of request: AppendRequest) throws -> OrderView? {
        guard let first = request.facts.first, let clientOrderId = first.payload.orderClientId,
              request.facts.allSatisfy({ $0.account == first.account && $0.payload.orderClientId == clientOrderId })
        else { return nil }
        return try OrderRecord.fetch(db, account: first.account, clientOrderId: clientOrderId)?.view
    }

    /// Shape and content checks that need no database.
    private func validate(_ request: AppendRequest) throws(ServiceError) {
        // No facts is allowed only as a lease claim: it fences the partition and journals nothing.
        guard !request.facts.isEmpty || request.epoch != nil else {
            throw ServiceError(.invalidRequest, reason: "no_facts", "an append request needs at least one fact, or a fence to claim")
        }
        guard request.facts.count <= maxFactsPerRequest else {
            throw ServiceError(
                .invalidRequest, reason: "too_many_facts",
                "\(request.facts.count) facts in one request, the limit is \(maxFactsPerRequest)")
        }
        if let trace = request.trace, trace.utf8.count > FactValidator.maxIdLength {
            throw ServiceError(.invalidRequest, reason: "bad_trace", "trace must be at most \(FactValidator.maxIdLength) bytes")
        }
        for fact in request.facts {
            try FactValidator.validate(fact)
        }
    }

    /// A request whose facts all exist is a duplicate (checked before fencing, so a
    /// resend of a committed write is answered even after its sender lost the lease);
    /// otherwise the fence is checked and the new facts are journaled and projected.
    /// A request without facts is a lease claim: only the fence moves.
    private func apply(_ request: AppendRequest) throws -> AppendOutcome {
        let known = try request.facts.map(existingSeq(of:))
        let knownSeqs = known.compactMap { $0 }
        if !known.isEmpty, knownSeqs.count == known.count {
            return .duplicate(seqs: knownSeqs)
        }
        try PartitionFence.admit(partition: request.partition, epoch: request.epoch, in: db)
        var seqs: [Int64] = []
        seqs.reserveCapacity(request.facts.count)
        for (fact, seq) in zip(request.facts, known) {
            seqs.append(try seq ?? journal(fact, of: request))
        }
        return .committed(seqs: seqs)
    }

    /// The seq under which `fact` (or, for a fill, its trade) is already journaled.
    private func existingSeq(of fact: Fact) throws -> Int64? {
        if let seq = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT seq FROM journal WHERE msg_id = ?"), arguments: [fact.id]) {
            return seq
        }
        if case .fillRecorded(let fill) = fact.payload {
            let venue = FillRow.venue(factId: fact.id, tradeId: fill.tradeId)
            return try FillRow.seq(ofTrade: fill.tradeId, venue: venue, in: db)
        }
        return nil
    }

    /// Journals one new fact and projects it; returns its seq. A fact repeated inside
    /// the same request resolves to the seq of its first occurrence.
    private func journal(_ fact: Fact, of request: AppendRequest) throws -> Int64 {
        if let seq = try existingSeq(of: fact) {
            return seq
        }
        let payloadJSON = try FactCodec.payloadJSON(fact.payload)
        try db.cachedStatement(sql: """
                INSERT INTO journal (msg_id, type, account, partition, epoch, payload, trace, ts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(msg_id) DO NOTHING
                """).execute(arguments: [
                fact.id, fact.type, fact.account, request.partition, request.epoch, payloadJSON, request.trace, ts,
            ])
        guard db.changesCount == 1 else {
            // The UNIQUE index is the arbiter: the fact exists, so nothing is projected.
            guard let seq = try existingSeq(of: fact) else {
                preconditionFailure("journal insert of \(fact.id) did nothing, yet the fact is absent")
            }
            return seq
        }
        let seq = db.lastInsertedRowID
        payloads.add(seq: seq, payloadJSON)
        try Projector(db: db, seq: seq, account: fact.account, factId: fact.id).apply(fact.payload)
        return seq
    }
}
