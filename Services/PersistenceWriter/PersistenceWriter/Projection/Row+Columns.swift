import GRDB
import TradingModel

/// Typed reads of projection columns. A value that does not parse is database
/// corruption or a writer bug, never bad input: it stops the process (assert after a read).
extension Row {
    /// The exact decimal stored as TEXT in `column`.
    func decimal(_ column: String) -> ExactDecimal {
        let text: String = self[column]
        guard let value = ExactDecimal(text) else {
            preconditionFailure("corrupt decimal '\(text)' in column \(column)")
        }
        return value
    }

    /// The optional exact decimal stored as TEXT in `column`.
    func optionalDecimal(_ column: String) -> ExactDecimal? {
        guard let text: String = self[column] else { return nil }
        guard let value = ExactDecimal(text) else {
            preconditionFailure("corrupt decimal '\(text)' in column \(column)")
        }
        return value
    }

    /// The `RawRepresentable` enum stored as TEXT in `column`.
    func enumValue<Value: RawRepresentable>(_ column: String, as type: Value.Type = Value.self) -> Value
    where Value.RawValue == String {
        let text: String = self[column]
        guard let value = Value(rawValue: text) else {
            preconditionFailure("corrupt \(Value.self) '\(text)' in column \(column)")
        }
        return value
    }
}
