/// Random small edits (1–3 bytes replaced, removed or inserted) of valid JSON, for the codec
/// tests that check a fast reader never accepts what Foundation's decoder would refuse.
public enum JSONMutation {
    /// The bytes edits draw from: JSON's punctuation, digits, literal letters, an escape,
    /// a newline, NUL and bytes that are not UTF-8 on their own.
    public static let alphabet: [UInt8] = Array(#"{}[]":,0123456789-.eE tnrufals\"#.utf8) + [0x0A, 0x00, 0xC3, 0xA9, 0xFF]

    /// `bytes` with a few random edits.
    public static func mutate(_ bytes: [UInt8], using rng: inout SeededRandom) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int(rng.next() % 3 + 1) where !bytes.isEmpty {
            let at = Int(rng.next() % UInt64(bytes.count))
            let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            switch rng.next() % 3 {
            case 0: bytes[at] = byte
            case 1: bytes.remove(at: at)
            default: bytes.insert(byte, at: at)
            }
        }
        return bytes
    }
}
