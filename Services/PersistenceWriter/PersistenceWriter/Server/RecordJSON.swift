import Foundation
import TradingModel

/// The wire body of a `JournalRecord` written from the payload JSON the writer stored,
/// so a committed fact is not encoded a second time to be published. Decodes to the
/// same `JournalRecord` as `WireCodec.encode` would produce (tested).
enum RecordJSON {
    /// `{"seq":…,"fact":{"id":…,"type":…,"account":…,"payload":…},"partition":…,"epoch":…,"ts":…}`.
    static func body(seq: Int64, fact: Fact, payloadJSON: String, partition: Int?, epoch: Int64?, ts: Int64) -> Data {
        var text = "{\"seq\":\(seq),\"fact\":{\"id\":"
        text.reserveCapacity(payloadJSON.utf8.count + 160)
        appendQuoted(fact.id, to: &text)
        text += ",\"type\":"
        appendQuoted(fact.type, to: &text)
        text += ",\"account\":"
        appendQuoted(fact.account, to: &text)
        text += ",\"payload\":" + payloadJSON + "}"
        if let partition { text += ",\"partition\":\(partition)" }
        if let epoch { text += ",\"epoch\":\(epoch)" }
        text += ",\"ts\":\(ts)}"
        return Data(text.utf8)
    }

    /// Appends `value` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
