import BusProtocol
import Foundation
import TradingModel

let instrument = Instrument(
    symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: .spot,
    tickSize: ExactDecimal("0.01")!, lotSize: ExactDecimal("0.00001")!, minNotional: ExactDecimal("5")!)

/// An order submit from any bytes, then the gateway's validation: neither traps, whatever
/// the quantities, prices and ids hold.
func fuzzOrderSubmit(_ bytes: Data) {
    guard let submit = try? JSONDecoder().decode(OrderSubmit.self, from: bytes) else { return }
    try? OrderValidator.validate(submit, instrument: submit.symbol == instrument.symbol ? instrument : nil, knownAccounts: ["acct-1"])
    }
