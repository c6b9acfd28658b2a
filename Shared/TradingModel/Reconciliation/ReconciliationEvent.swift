/// What the reconciler found and did, journaled as facts (C1, C4, C6).
///
/// One `FactPayload` case carries all of them so the services that fold facts
/// (writer, risk) handle the reconciler's facts in one place; each event has its own
/// fact type string and body.
public enum ReconciliationEvent: Sendable, Equatable, Encodable {
    /// `recon.account_ready`: startup reconciliation of an account finished (C1);
    /// orders for the account are accepted only after an `ok` one.
    case accountReady(AccountReconciled)
    /// `recon.desync`: the journal and the venue disagreed beyond the tolerance (C4).
    case desync(DesyncDetected)
    /// `position.force_closed`: a position held too long was closed at the venue (C6).
    case positionForceClosed(PositionForceClosed)
    /// `recon.balance_adopted`: the venue's total of an asset became the ledger's (the venue
    /// is the truth for balances): at startup, and after a mismatch seen on two passes.
    case balanceAdopted(BalanceAdopted)
    /// `recon.run_started`: a reconciler run began. Readiness belongs to one run: every
    /// account waits for an `recon.account_ready` written after it.
    case runStarted(ReconcilerRunStarted)
    /// `position.adjusted`: the journal's position of a symbol moved to the venue's, the
    /// first step of resolving a position conflict; folded like a fill's quantity.
    case positionAdjusted(PositionAdjusted)
    /// `position.force_close_attempt`: one attempt to close a stale position, with its outcome.
    case forceCloseAttempt(ForceCloseAttempt)
    /// `order.reopened`: the venue has an order the journal closed as `not_at_venue` (it
    /// arrived after its sender gave up): the order is live again and its cost is held.
    case orderReopened(OrderReopened)
    /// `recon.fills_checked`: every venue fill of the account up to a trade seq is in the
    /// journal. A restarted reconciler asks the venue only for fills after it.
    case fillsChecked(FillsChecked)

    /// Every fact type string of a reconciliation event.
    public static let factTypes: Set<String> = [
        "recon.account_ready", "recon.desync", "position.force_closed", "recon.balance_adopted", "recon.run_started",
        "position.adjusted", "position.force_close_attempt", "order.reopened", "recon.fills_checked",
    ]

    /// The fact type string.
    public var factType: String {
        switch self {
        case .accountReady: "recon.account_ready"
        case .desync: "recon.desync"
        case .positionForceClosed: "position.force_closed"
        case .balanceAdopted: "recon.balance_adopted"
        case .runStarted: "recon.run_started"
        case .positionAdjusted: "position.adjusted"
        case .forceCloseAttempt: "position.force_close_attempt"
        case .orderReopened: "order.reopened"
        case .fillsChecked: "recon.fills_checked"
        }
    }

    /// Decodes the body of a fact of `type` (one of `factTypes`).
    public static func decode(type: String, from decoder: any Decoder) throws -> ReconciliationEvent {
        switch type {
        case "recon.account_ready": return .accountReady(try AccountReconciled(from: decoder))
        case "recon.desync": return .desync(try DesyncDetected(from: decoder))
        case "position.force_closed": return .positionForceClosed(try PositionForceClosed(from: decoder))
        case "recon.balance_adopted": return .balanceAdopted(try BalanceAdopted(from: decoder))
        case "recon.run_started": return .runStarted(try ReconcilerRunStarted(from: decoder))
        case "position.adjusted": return .positionAdjusted(try PositionAdjusted(from: decoder))
        case "position.force_close_attempt": return .forceCloseAttempt(try ForceCloseAttempt(from: decoder))
        case "order.reopened": return .orderReopened(try OrderReopened(from: decoder))
        case "recon.fills_checked": return .fillsChecked(try FillsChecked(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a reconciliation fact type: \(type)"))
        }
    }

    /// Encodes the body (without the type, which the fact carries).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .accountReady(let body): try body.encode(to: encoder)
        case .desync(let body): try body.encode(to: encoder)
        case .positionForceClosed(let body): try body.encode(to: encoder)
        case .balanceAdopted(let body): try body.encode(to: encoder)
        case .runStarted(let body): try body.encode(to: encoder)
        case .positionAdjusted(let body): try body.encode(to: encoder)
        case .forceCloseAttempt(let body): try body.encode(to: encoder)
        case .orderReopened(let body): try body.encode(to: encoder)
        case .fillsChecked(let body): try body.encode(to: encoder)
        }
    }
}

/// Body of `recon.account_ready`: the outcome of an account's startup reconciliation.
public struct AccountReconciled: Codable, Sendable, Equatable {
    /// Whether the account may trade: false when reconciliation failed and the
    /// reconciler runs fail-closed.
    public var ok: Bool
    /// The reconciler run that wrote it (replica identity and start time).
    public var run: String
    /// Pending intents found at the venue and adopted.
    public var adopted: Int
    /// Pending intents absent at the venue after the grace period: failed, released.
    public var failed: Int
    /// Venue orders the journal never saw, adopted as external orders.
    public var external: Int
    /// Why it is not ok, snake_case; nil when ok.
    public var reason: String?

    /// Creates the body.
    public init(ok: Bool, run: String, adopted: Int, failed: Int, external: Int, reason: String?) {
        self.ok = ok
        self.run = run
        self.adopted = adopted
        self.failed = failed
        self.external = external
        self.reason = reason
    }
}

/// Body of `recon.desync`: one mismatch between the journal and the venue.
public struct DesyncDetected: Codable, Sendable, Equatable {
    /// What disagreed: `missing_fill`, `order_state`, `external_order`, `balance`, `position`.
    public var kind: String
    /// The asset, symbol, client_order_id or trade id concerned.
    public var subject: String
    /// The journal's value (decimal or state), if any.
    public var journal: String?
    /// The venue's value (decimal or state), if any.
    public var venue: String?
    /// What the reconciler did, e.g. `journaled`, `adopted`, `alert_only`, `order_sent`.
    public var action: String
    /// The resolution strategy applied, for position conflicts.
    public var strategy: String?

    /// Creates the body.
    public init(kind: String, subject: String, journal: String?, venue: String?, action: String, strategy: String? = nil) {
        self.kind = kind
        self.subject = subject
        self.journal = journal
        self.venue = venue
        self.action = action
        self.strategy = strategy
    }
}

/// Body of `position.force_closed`: a stale position's reduce-only close order.
public struct PositionForceClosed: Codable, Sendable, Equatable {
    /// The instrument whose position was closed.
    public var symbol: String
    /// The side of the closing order (sell closes a long).
    public var side: Side
    /// The quantity of the closing order, in base units.
    public var qty: ExactDecimal
    /// The closing order's deterministic client_order_id.
    public var clientOrderId: String
    /// When the position was opened, unix nanoseconds (venue time of its first fill).
    public var openedTs: Int64
    /// The limit it broke.
    public var maxHoldSeconds: Int

    /// Creates the body.
    public init(symbol: String, side: Side, qty: ExactDecimal, clientOrderId: String, openedTs: Int64, maxHoldSeconds: Int) {
        self.symbol = symbol
        self.side = side
        self.qty = qty
        self.clientOrderId = clientOrderId
        self.openedTs = openedTs
        self.maxHoldSeconds = maxHoldSeconds
    }

    enum CodingKeys: String, CodingKey {
        case symbol, side, qty
        case clientOrderId = "client_order_id"
        case openedTs = "opened_ts"
        case maxHoldSeconds = "max_hold_seconds"
    }
}

/// Body of `recon.balance_adopted`: the venue's total of one asset, which the risk ledger
/// folds as the account's total (what is reserved stays reserved).
public struct BalanceAdopted: Codable, Sendable, Equatable {
    /// The asset, e.g. `USDT`.
    public var asset: String
    /// The venue's total (free + locked in open orders): the ledger's total from this fact on.
    public var venueTotal: ExactDecimal
    /// The ledger's total the reconciler compared with (for the record; not folded).
    public var ledgerTotal: ExactDecimal
    /// The journal seq risk-service had folded when the ledger total was read.
    public var ledgerSeq: Int64
    /// Why: `startup` or `confirmed_mismatch`.
    public var reason: String

    /// Creates the body.
    public init(asset: String, venueTotal: ExactDecimal, ledgerTotal: ExactDecimal, ledgerSeq: Int64, reason: String) {
        self.asset = asset
        self.venueTotal = venueTotal
        self.ledgerTotal = ledgerTotal
        self.ledgerSeq = ledgerSeq
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case asset, reason
        case venueTotal = "venue_total"
        case ledgerTotal = "ledger_total"
        case ledgerSeq = "ledger_seq"
    }
}

/// Body of `recon.run_started` (account `*`): a reconciler run began; until it journals an
/// account's `recon.account_ready`, that account takes no orders.
public struct ReconcilerRunStarted: Codable, Sendable, Equatable {
    /// The run (replica identity and start time), as in its `recon.account_ready` facts.
    public var run: String

    /// Creates the body.
    public init(run: String) {
        self.run = run
    }

    /// The fact that announces `run`.
    public static func fact(run: String) -> Fact {
        Fact(id: "run_started:\(run)", account: "*", payload: .reconciliation(.runStarted(ReconcilerRunStarted(run: run))))
    }
}

/// Body of `position.adjusted`: the journal learns the venue's position of one symbol (the
/// venue is the truth of what is held). Every fold of positions (the writer's projection,
/// risk's book, the reconciler's view) adds `delta` to the quantity; nothing else moves.
public struct PositionAdjusted: Codable, Sendable, Equatable {
    /// The instrument.
    public var symbol: String
    /// Added to the journal's quantity: `venue_qty − journal_qty`.
    public var delta: ExactDecimal
    /// The journal's quantity before.
    public var journalQty: ExactDecimal
    /// The venue's quantity: the journal's after.
    public var venueQty: ExactDecimal
    /// The entry price a position opened from flat gets (the venue's last trade in the
    /// symbol); nil when unknown.
    public var price: ExactDecimal?
    /// The resolution strategy that made it.
    public var strategy: String

    /// Creates the body.
    public init(symbol: String, journalQty: ExactDecimal, venueQty: ExactDecimal, price: ExactDecimal?, strategy: String) {
        self.symbol = symbol
        self.delta = venueQty - journalQty
        self.journalQty = journalQty
        self.venueQty = venueQty
        self.price = price
        self.strategy = strategy
    }

    enum CodingKeys: String, CodingKey {
        case symbol, delta, price, strategy
        case journalQty = "journal_qty"
        case venueQty = "venue_qty"
    }
}

/// Body of `position.force_close_attempt`: one attempt to close a stale position (the
/// episode is the first attempt's client_order_id), and what came of it.
public struct ForceCloseAttempt: Codable, Sendable, Equatable {
    /// The instrument.
    public var symbol: String
    /// The position episode: the client_order_id of its first closing attempt.
    public var episode: String
    /// This attempt's closing order.
    public var clientOrderId: String
    /// 1 for the first attempt.
    public var attempt: Int
    /// The closing order's side.
    public var side: Side
    /// The closing order's quantity: the venue's position when it was sent.
    public var qty: ExactDecimal
    /// When the position was opened, unix nanoseconds.
    public var openedTs: Int64
    /// The closing order's state (`filled`, `rejected`, …), or the error code that refused it.
    public var outcome: String
    /// The venue's position after the attempt (0: flat, closed).
    public var venueQtyAfter: ExactDecimal

    /// Creates the body.
    public init(
        symbol: String, episode: String, clientOrderId: String, attempt: Int, side: Side, qty: ExactDecimal, openedTs: Int64,
        outcome: String, venueQtyAfter: ExactDecimal
    ) {
        self.symbol = symbol
        self.episode = episode
        self.clientOrderId = clientOrderId
        self.attempt = attempt
        self.side = side
        self.qty = qty
        self.openedTs = openedTs
        self.outcome = outcome
        self.venueQtyAfter = venueQtyAfter
    }

    enum CodingKeys: String, CodingKey {
        case symbol, episode, attempt, side, qty, outcome
        case clientOrderId = "client_order_id"
        case openedTs = "opened_ts"
        case venueQtyAfter = "venue_qty_after"
    }
}

/// Body of `order.reopened`: an order the journal closed `rejected` / `not_at_venue` (its
/// place was given up on) that the venue has after all — a place delivered late. The venue
/// is the truth: the order becomes `unknown` again (the one legal way out of that closed
/// state), so the venue's answer and fills that follow are journaled as for any order, and
/// `reserve_amount` of `reserve_asset` is held for it again (the cost of what the venue holds).
public struct OrderReopened: Codable, Sendable, Equatable {
    /// The order.
    public var clientOrderId: String
    /// The order's instrument (limits count the reopened order at its worst in it).
    public var symbol: String
    /// What the venue says of it (`new`, `partially_filled`, `filled`, …).
    public var venueStatus: String
    /// The order's side at the venue.
    public var side: Side
    /// The order's quantity at the venue.
    public var qty: ExactDecimal
    /// The asset held for it again (quote for buys, base for sells).
    public var reserveAsset: String
    /// The amount held again, fees included.
    public var reserveAmount: ExactDecimal

    /// Creates the body.
    public init(
        clientOrderId: String, symbol: String, venueStatus: String, side: Side, qty: ExactDecimal, reserveAsset: String,
        reserveAmount: ExactDecimal
    ) {
        self.clientOrderId = clientOrderId
        self.symbol = symbol
        self.venueStatus = venueStatus
        self.side = side
        self.qty = qty
        self.reserveAsset = reserveAsset
        self.reserveAmount = reserveAmount
    }

    /// The reason of the journal's close that a venue's order may reopen, and only that one.
    public static let reopenableReason = "not_at_venue"

    enum CodingKeys: String, CodingKey {
        case symbol, side, qty
        case clientOrderId = "client_order_id"
        case venueStatus = "venue_status"
        case reserveAsset = "reserve_asset"
        case reserveAmount = "reserve_amount"
    }
}

/// Body of `recon.fills_checked`: a reconciliation pass found every fill of the account at
/// the venue up to `trade_seq` in the journal (journaled by the stream or by the pass).
/// Only ever true: later fills do not change it. Its id names the account and the seq, so
/// a replayed pass writes it once.
public struct FillsChecked: Codable, Sendable, Equatable {
    /// The venue's trade seq (the cursor of its fills query).
    public var tradeSeq: Int64
    /// The trade series it is a seq of (the symbol, on a venue that numbers trades per
    /// symbol); nil: the venue's one series (facts journaled before series existed too).
    public var series: String?

    /// Creates the body.
    public init(tradeSeq: Int64, series: String? = nil) {
        self.tradeSeq = tradeSeq
        self.series = series.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The fact for `account` (the venue's one series when `series` is empty).
    public static func fact(account: String, tradeSeq: Int64, series: String = "") -> Fact {
        let id = series.isEmpty ? "fills_checked:\(account):\(tradeSeq)" : "fills_checked:\(account):\(series):\(tradeSeq)"
        return Fact(id: id, account: account, payload: .reconciliation(.fillsChecked(FillsChecked(tradeSeq: tradeSeq, series: series))))
    }

    enum CodingKeys: String, CodingKey {
        case tradeSeq = "trade_seq"
        case series
    }
}
