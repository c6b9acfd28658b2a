import TradingModel

/// The small facts of the writer benchmark: one `order.intent` per append (its
/// projection adds an order and a reservation row).
enum WriterBenchFacts {
    /// The `index`-th fact of producer `producer`.
    static func fact(producer: Int, index: Int) -> Fact {
        let id = "w\(producer)-\(index)"
        return Fact(id: id, account: "bench-\(producer)", payload: .orderIntent(OrderIntent(
            clientOrderId: id, symbol: "BTC/USDT", side: .buy, type: .limit, qty: ExactDecimal(1),
            price: ExactDecimal(100), timeInForce: .gtc, reserveAsset: "USDT", reserveAmount: ExactDecimal(101))))
    }

    /// Every fact of a run, producer by producer.
    static func all(producers: Int, perProducer: Int) -> [Fact] {
        (0..<producers).flatMap { producer in (0..<perProducer).map { fact(producer: producer, index: $0) } }
    }
}
