import RiskService
import ServiceRuntime

// risk-service: reservations against the configured balances (BW_ACCOUNTS).
await ServiceMain.run(service: "risk-service") { settings, logger in
    let ledger = Ledger(startingBalances: try settings.accounts(), feeRate: try settings.feeRate())
    return try RiskService(endpoints: try settings.busEndpoints(), ledger: ledger, logger: logger)
}
